import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { Auth, AuthContext, Authenticated, RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { CATEGORY_SCOPES } from '../category.scopes';
import { CategoryExceptionFilter, created, ShowUnpublishedGuard, withTotal } from '../shared/http';
import { Meta, RequestMeta } from '../shared/request-meta';
import { CategoriesService } from './categories.service';
import { CategoryDeletionService } from './category-deletion.service';
import { CategoryQueriesService } from './category-queries.service';
import { CategoryTreesService } from './category-trees.service';

type Q = Record<string, unknown>;

/** Ops 1–10 under `/category/{tenant}/categories` (category §5, §6.5). */
@Controller('category/:tenant/categories')
@UseFilters(CategoryExceptionFilter)
export class CategoriesController {
  constructor(
    private readonly writes: CategoriesService,
    private readonly deletion: CategoryDeletionService,
    private readonly queries: CategoryQueriesService,
    private readonly trees: CategoryTreesService,
  ) {}

  @Get()
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async list(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Query() query: Q, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.queries.list(auth, meta, query));
  }

  @Post()
  @RequireScopes(CATEGORY_SCOPES.manage)
  async create(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Query() query: Q, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const id = await this.writes.create(auth, meta, body, query);
    return created(reply, `/category/${auth.tenant}/categories/${encodeURIComponent(id)}`, id);
  }

  @Post('search')
  @HttpCode(200)
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async search(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Query() query: Q, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.queries.search(auth, meta, query, body));
  }

  /** Deprecated (§6.5). A literal segment: it always wins over `:categoryId` (ID-3). */
  @Get('categoryTree')
  @Authenticated()
  legacyTree(@Auth() auth: AuthContext) {
    return this.trees.legacy(auth);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  get(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q) {
    return this.queries.get(auth, meta, id, query);
  }

  @Put(':categoryId')
  @RequireScopes(CATEGORY_SCOPES.manage)
  async replace(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.writes.replace(auth, meta, id, body, query);
    if (result.created) return created(reply, `/category/${auth.tenant}/categories/${encodeURIComponent(id)}`, result.id);
    reply.status(204);
    return undefined;
  }

  @Patch(':categoryId')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async patch(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q, @Body() body: unknown) {
    await this.writes.patch(auth, meta, id, body, query);
  }

  @Delete(':categoryId')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async delete(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q) {
    await this.deletion.delete(auth, meta, id, query);
  }

  @Get(':categoryId/parents')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async parents(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.queries.parents(auth, meta, id, query));
  }

  @Get(':categoryId/subcategories')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async subcategories(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.queries.subcategories(auth, meta, id, query));
  }
}
