import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, isPlainObject, TenantParamsDto } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { ApiAcceptLanguage } from '../common/api-docs';
import { CategoryExceptionFilter } from '../common/category-exception.filter';
import { CONSTRAINT_MESSAGE } from '../common/category.errors';
import { acceptLanguageRule } from '../common/request-rules';
import { RequestValidationInterceptor, ValidateRequest } from '../common/request-validation';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { CategoryTreesService } from './category-trees.service';
import { CategoryParamsDto, RootCategoryParamsDto } from './dto/category-params.dto';
import { VisibilityQueryDto } from './dto/category-query.dto';
import { CategoryTreesQueryDto } from './dto/category-tree-query.dto';
import { CategoryTreeNodeDto } from './dto/category-tree.response.dto';
import { SearchCategoryTreesDto } from './dto/search-category-trees.dto';

/** Ops 21–24 under `/category/{tenant}/category-trees` (category §6). */
@ApiTags('Category trees')
@Controller('category/:tenant/category-trees')
@UseFilters(CategoryExceptionFilter)
@UseInterceptors(RequestValidationInterceptor)
export class CategoryTreesController {
  constructor(private readonly trees: CategoryTreesService) {}

  /** Answers pre-serialised JSON (the forest is serialised once per snapshot). */
  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: [acceptLanguageRule] })
  @ApiOperation({ summary: 'List the category trees', description: 'One tree per visible root, in sibling order (§6.1).', operationId: 'listCategoryTrees' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ type: CategoryTreeNodeDto, isArray: true, description: 'The visible trees, roots in sibling order.' })
  @ApiErrors(400)
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: CategoryTreesQueryDto) {
    return this.trees.listJson(ctx, query);
  }

  /** Pre-serialised JSON too: customer-segment's storefront tree reads land here. */
  @Post('search')
  @HttpCode(200)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({
    rules: [acceptLanguageRule],
    // §6.2: whatever is not an object has no `categoryIds` (the Emporix answer names the field).
    normalizeBody: (body) => (isPlainObject(body) ? body : {}),
    bodyField: 'searchRequest',
    bodyMessage: CONSTRAINT_MESSAGE,
  })
  @ApiOperation({ summary: 'Search the category trees', description: 'Trees containing any of `categoryIds`; `[]` for an empty list (§6.2).', operationId: 'searchCategoryTrees' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ type: CategoryTreeNodeDto, isArray: true, description: 'The visible trees that show one of the ids.' })
  @ApiErrors(400, 413, 415)
  search(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: VisibilityQueryDto, @Body() body: SearchCategoryTreesDto) {
    return this.trees.searchJson(ctx, query, body);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: [acceptLanguageRule] })
  @ApiOperation({ summary: 'Read the tree of a root category', operationId: 'getCategoryTree' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ type: CategoryTreeNodeDto, description: 'The root with its visible subcategories.' })
  @ApiErrors(400, 404)
  one(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.trees.one(ctx, params.categoryId, query);
  }

  @Post(':rootCategoryId/rebuild')
  @HttpCode(200)
  @RequireScopes(CATEGORY_SCOPES.manage)
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: [acceptLanguageRule] })
  @ApiOperation({
    summary: 'Rebuild a category tree',
    description: 'Recomputes the stored ancestry of one tree from `parentId` and answers it like the tree read (§6.4).',
    operationId: 'rebuildCategoryTree',
  })
  @ApiAcceptLanguage()
  @ApiOkResponse({ type: CategoryTreeNodeDto, description: 'The rebuilt tree, as the tree read answers it.' })
  @ApiErrors(400, 404)
  rebuild(@Ctx() ctx: RequestContext, @Param() params: RootCategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.trees.rebuild(ctx, params.rootCategoryId, query);
  }
}
