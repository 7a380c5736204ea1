import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, TenantParamsDto } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { ApiAcceptLanguage, ApiContentLanguage, ApiPagedResponse, LOCATION_HEADER } from '../common/api-docs';
import { CategoryExceptionFilter } from '../common/category-exception.filter';
import { CONSTRAINT_MESSAGE } from '../common/category.errors';
import { IdResponseDto } from '../common/dto/metadata.response.dto';
import { acceptLanguageRule, listRules } from '../common/request-rules';
import { RequestValidationInterceptor, ValidateRequest } from '../common/request-validation';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { CategoriesService } from './categories.service';
import { CategoryDeletionService } from './category-deletion.service';
import { CategoryQueriesService } from './category-queries.service';
import { bodyIdIsPathIdRule, CATEGORY_PATCH_RULES, CATEGORY_WRITE_RULES } from './category-write.rules';
import { CategoryTreesService } from './category-trees.service';
import { CATEGORY_FIELDS } from './category.fields';
import { CategoryParamsDto, ReplaceCategoryParamsDto } from './dto/category-params.dto';
import { CategoryListQueryDto, CategoryPageQueryDto, CategorySearchQueryDto, CategoryWriteQueryDto, DeleteCategoryQueryDto, SubcategoriesQueryDto, VisibilityQueryDto } from './dto/category-query.dto';
import { LegacyTreeNodeDto } from './dto/category-tree.response.dto';
import { CategoryResponseDto } from './dto/category.response.dto';
import { CreateCategoryDto } from './dto/create-category.dto';
import { PatchCategoryDto } from './dto/patch-category.dto';
import { ReplaceCategoryDto } from './dto/replace-category.dto';
import { SearchCategoriesDto } from './dto/search-categories.dto';

const { manage } = CATEGORY_SCOPES;

// `publish` (ops 2, 6, 7) is checked against the body by a request rule; the services need nothing
// else of that query, hence the `_query` parameters.

/** Ops 1–10 under `/category/{tenant}/categories` (category §5, §6.5). */
@ApiTags('Categories')
@Controller('category/:tenant/categories')
@UseFilters(CategoryExceptionFilter)
@UseInterceptors(RequestValidationInterceptor)
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
  @ValidateRequest({ rules: listRules(CATEGORY_FIELDS) })
  @ApiOperation({ summary: 'List categories', description: 'Roots only with `showRoots=true`; every filter is ANDed (§5.1).', operationId: 'listCategories' })
  @ApiAcceptLanguage()
  @ApiPagedResponse({ type: CategoryResponseDto, description: 'The page of categories (each judged by its own `published`).' })
  @ApiErrors(400, 503)
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: CategoryListQueryDto) {
    return this.queries.list(ctx, query);
  }

  @Post()
  @RequireScopes(manage)
  @ValidateRequest({ rules: [...CATEGORY_WRITE_RULES], message: CONSTRAINT_MESSAGE })
  @ApiOperation({ summary: 'Create a category', description: 'Publishing needs `category.category_publish` too (§3.2).', operationId: 'createCategory' })
  @ApiContentLanguage()
  @ApiCreatedResponse({ type: IdResponseDto, headers: LOCATION_HEADER, description: 'Created; `Location` names the category.' })
  @ApiErrors(400, 409, 413, 415)
  create(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() _query: CategoryWriteQueryDto, @Body() body: CreateCategoryDto) {
    return this.writes.create(ctx, body);
  }

  @Post('search')
  @HttpCode(200)
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({
    rules: listRules(CATEGORY_FIELDS),
    // §5.2: a missing body means no filter; JSON `null` is a body, and not an object (PAG-9).
    normalizeBody: (body) => (body === undefined ? {} : body),
    notObjectMessage: 'the search body must be a JSON object',
  })
  @ApiOperation({ summary: 'Search categories', description: 'Like the list, with the filter in the body\'s `q` (§5.2).', operationId: 'searchCategories' })
  @ApiAcceptLanguage()
  @ApiBody({ type: SearchCategoriesDto, required: false })
  @ApiPagedResponse({ type: CategoryResponseDto, description: 'The page of matching categories.' })
  @ApiErrors(400, 413, 415, 503)
  search(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: CategorySearchQueryDto, @Body() body: SearchCategoriesDto) {
    return this.queries.search(ctx, query, body);
  }

  /** Deprecated (§6.5). A literal segment: it always wins over `:categoryId` (ID-3). */
  @Get('categoryTree')
  @Authenticated()
  @ApiOperation({ summary: 'The first published tree (legacy shape)', operationId: 'getLegacyCategoryTree', deprecated: true })
  @ApiOkResponse({ type: LegacyTreeNodeDto, description: 'The published tree of the first published root.' })
  @ApiErrors(404)
  legacyTree(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto) {
    return this.trees.legacy(ctx);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: [acceptLanguageRule] })
  @ApiOperation({ summary: 'Read a category', description: 'Unpublished categories are not found unless `showUnpublished=true`.', operationId: 'getCategory' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ type: CategoryResponseDto, description: 'The category, localized maps narrowed by Accept-Language.' })
  @ApiErrors(400, 404)
  get(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.queries.get(ctx, params.categoryId, query);
  }

  @Put(':categoryId')
  @RequireScopes(manage)
  @ValidateRequest({ rules: [...CATEGORY_WRITE_RULES, bodyIdIsPathIdRule], message: CONSTRAINT_MESSAGE })
  @ApiOperation({
    summary: 'Replace or create a category',
    description: 'Replaces every field (absent optional ones are cleared, a missing `parentId` makes a root), or creates with the path id.',
    operationId: 'replaceCategory',
  })
  @ApiContentLanguage()
  @ApiCreatedResponse({ type: IdResponseDto, headers: LOCATION_HEADER, description: 'Created with the path id.' })
  @ApiNoContentResponse({ description: 'Replaced.' })
  @ApiErrors(400, 409, 413, 415)
  replace(@Ctx() ctx: RequestContext, @Param() params: ReplaceCategoryParamsDto, @Query() _query: CategoryWriteQueryDto, @Body() body: ReplaceCategoryDto) {
    return this.writes.replace(ctx, params.categoryId, body);
  }

  @Patch(':categoryId')
  @RequireScopes(manage)
  @ValidateRequest({ rules: [...CATEGORY_PATCH_RULES], message: CONSTRAINT_MESSAGE })
  @ApiOperation({ summary: 'Update a category (merge patch)', description: '`metadata.version` is mandatory (§4.5); maps and mixins merge, `null` clears.', operationId: 'updateCategory' })
  @ApiContentLanguage()
  @ApiNoContentResponse({ description: 'Updated.' })
  @ApiErrors(400, 404, 409, 413, 415)
  patch(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() _query: CategoryWriteQueryDto, @Body() body: PatchCategoryDto) {
    return this.writes.patch(ctx, params.categoryId, body);
  }

  @Delete(':categoryId')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Delete a category', description: 'With its subtree, or promoting its children to roots (§5.7); its assignments go too.', operationId: 'deleteCategory' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400, 404)
  delete(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: DeleteCategoryQueryDto) {
    return this.deletion.delete(ctx, params.categoryId, query);
  }

  @Get(':categoryId/parents')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: listRules(CATEGORY_FIELDS) })
  @ApiOperation({ summary: 'List the ancestors of a category', description: 'Root first, ending with the direct parent.', operationId: 'listCategoryParents' })
  @ApiAcceptLanguage()
  @ApiPagedResponse({ type: CategoryResponseDto, description: 'The ancestors, root first.' })
  @ApiErrors(400, 404, 503)
  parents(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: CategoryPageQueryDto) {
    return this.queries.parents(ctx, params.categoryId, query);
  }

  @Get(':categoryId/subcategories')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: listRules(CATEGORY_FIELDS) })
  @ApiOperation({ summary: 'List the descendants of a category', description: 'Breadth-first down to `depth` levels unless sorted.', operationId: 'listSubcategories' })
  @ApiAcceptLanguage()
  @ApiPagedResponse({ type: CategoryResponseDto, description: 'The descendants, breadth-first.' })
  @ApiErrors(400, 404, 503)
  subcategories(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: SubcategoriesQueryDto) {
    return this.queries.subcategories(ctx, params.categoryId, query);
  }
}
