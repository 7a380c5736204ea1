import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { Auth, AuthContext, Authenticated, RequireScopes } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { CategoryExceptionFilter, ShowUnpublishedGuard } from '../shared/http';
import { Meta, RequestMeta } from '../shared/request-meta';
import { CategoryTreesService } from './category-trees.service';

type Q = Record<string, unknown>;

/** Ops 21–24 under `/category/{tenant}/category-trees` (category §6). */
@Controller('category/:tenant/category-trees')
@UseFilters(CategoryExceptionFilter)
export class CategoryTreesController {
  constructor(private readonly trees: CategoryTreesService) {}

  /** Answers pre-serialised JSON (the forest is serialised once per snapshot). */
  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  list(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Query() query: Q) {
    return this.trees.listJson(auth, meta, query);
  }

  /** Pre-serialised JSON too: customer-segment's storefront tree reads land here. */
  @Post('search')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  search(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Query() query: Q, @Body() body: unknown) {
    return this.trees.searchJson(auth, meta, query, body);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  one(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q) {
    return this.trees.one(auth, meta, id, query);
  }

  @Post(':rootCategoryId/rebuild')
  @HttpCode(200)
  @RequireScopes(CATEGORY_SCOPES.manage)
  @UseGuards(ShowUnpublishedGuard)
  rebuild(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('rootCategoryId') id: string, @Query() query: Q) {
    return this.trees.rebuild(auth, meta, id, query);
  }
}
