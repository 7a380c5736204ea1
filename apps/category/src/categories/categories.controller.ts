import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ACCEPT_LANGUAGE,
  CONTENT_LANGUAGE,
  LOCATION_HEADER,
  Operation,
  page,
  searchBodyRule,
  TenantParamsDto,
  TOTAL_COUNT,
} from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { CONSTRAINT_MESSAGE } from '../common/category.errors';
import { IdResponseDto } from '../common/dto/id.response.dto';
import { acceptLanguageRule, listRules } from '../common/request-rules';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { CategoriesService } from './categories.service';
import { CategoryDeletionService } from './category-deletion.service';
import { CategoryQueriesService } from './category-queries.service';
import { bodyIdIsPathIdRule, CATEGORY_PATCH_RULES, CATEGORY_WRITE_RULES } from './category-write.rules';
import { CategoryTreesService } from './category-trees.service';
import { CATEGORY_FIELDS } from './category.fields';
import { CategoryParamsDto, ReplaceCategoryParamsDto } from './dto/category-params.dto';
import {
  CategoryListQueryDto,
  CategoryPageQueryDto,
  CategorySearchQueryDto,
  CategoryWriteQueryDto,
  DeleteCategoryQueryDto,
  SubcategoriesQueryDto,
  VisibilityQueryDto,
} from './dto/category-query.dto';
import { LegacyTreeNodeDto } from './dto/category-tree.response.dto';
import { CategoryResponseDto } from './dto/category.response.dto';
import { CreateCategoryDto } from './dto/create-category.dto';
import { PatchCategoryDto } from './dto/patch-category.dto';
import { ReplaceCategoryDto } from './dto/replace-category.dto';
import { SearchCategoriesDto } from './dto/search-categories.dto';

const { manage } = CATEGORY_SCOPES;
const CATEGORY_LIST_RULES = listRules(CATEGORY_FIELDS);

/** The create and the replace: a localized body (`Content-Language`), `201` with `Location` for a new category (HTTP-6). */
const WRITE = { headers: [CONTENT_LANGUAGE], errors: [400, 409, 413, 415] };
const created = (description: string) => ({ type: IdResponseDto, headers: LOCATION_HEADER, description });

// `publish` (ops 2, 6, 7) is checked against the body by a request rule; the services need nothing
// else of that query, hence the `_query` parameters.

/** Ops 1–10 under `/category/{tenant}/categories` (category §5, §6.5). */
@ApiTags('Categories')
@Controller('category/:tenant/categories')
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
  @Operation({
    id: 'listCategories',
    summary: 'List categories',
    description: 'Roots only with `showRoots=true`; every filter is ANDed (§5.1).',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(CategoryResponseDto, 'The page of categories (each judged by its own `published`).'),
    errors: [400, 503],
    validate: { rules: CATEGORY_LIST_RULES },
  })
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: CategoryListQueryDto) {
    return this.queries.list(ctx, query);
  }

  @Post()
  @RequireScopes(manage)
  @Operation({
    ...WRITE,
    id: 'createCategory',
    summary: 'Create a category',
    description: 'Publishing needs `category.category_publish` too (§3.2).',
    validate: { rules: CATEGORY_WRITE_RULES, message: CONSTRAINT_MESSAGE },
    created: created('Created; `Location` names the category.'),
  })
  create(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() _query: CategoryWriteQueryDto,
    @Body() body: CreateCategoryDto,
  ) {
    return this.writes.create(ctx, body);
  }

  @Post('search')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'searchCategories',
    summary: 'Search categories',
    description: "Like the list, with the filter in the body's `q` (§5.2).",
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    body: { type: SearchCategoriesDto, required: false },
    ok: page(CategoryResponseDto, 'The page of matching categories.'),
    errors: [400, 413, 415, 503],
    httpCode: 200,
    // §5.2: a missing body means no filter; JSON `null` is a body, and not an object (PAG-9).
    validate: {
      rules: [...CATEGORY_LIST_RULES, searchBodyRule],
      optionalBody: true,
      notObjectMessage: 'the search body must be a JSON object',
    },
  })
  search(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() query: CategorySearchQueryDto,
    @Body() body: SearchCategoriesDto,
  ) {
    return this.queries.search(ctx, query, body);
  }

  /** Deprecated (§6.5). A literal segment: it always wins over `:categoryId` (ID-3). */
  @Get('categoryTree')
  @Authenticated()
  @Operation({
    id: 'getLegacyCategoryTree',
    summary: 'The first published tree (legacy shape)',
    deprecated: true,
    ok: { type: LegacyTreeNodeDto, description: 'The published tree of the first published root.' },
    errors: [404],
  })
  legacyTree(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto) {
    return this.trees.legacy(ctx);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'getCategory',
    summary: 'Read a category',
    description: 'Unpublished categories are not found unless `showUnpublished=true`.',
    headers: [ACCEPT_LANGUAGE],
    ok: { type: CategoryResponseDto, description: 'The category, localized maps narrowed by Accept-Language.' },
    errors: [400, 404],
    validate: { rules: [acceptLanguageRule] },
  })
  get(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.queries.get(ctx, params.categoryId, query);
  }

  @Put(':categoryId')
  @RequireScopes(manage)
  @Operation({
    ...WRITE,
    id: 'replaceCategory',
    summary: 'Replace or create a category',
    description: 'Replaces every field (absent optional ones are cleared, a missing `parentId` makes a root), or creates with the path id.',
    validate: { rules: [...CATEGORY_WRITE_RULES, bodyIdIsPathIdRule], message: CONSTRAINT_MESSAGE },
    noContent: 'Replaced.',
    created: created('Created with the path id.'),
  })
  replace(
    @Ctx() ctx: RequestContext,
    @Param() params: ReplaceCategoryParamsDto,
    @Query() _query: CategoryWriteQueryDto,
    @Body() body: ReplaceCategoryDto,
  ) {
    return this.writes.replace(ctx, params.categoryId, body);
  }

  @Patch(':categoryId')
  @RequireScopes(manage)
  @Operation({
    id: 'updateCategory',
    summary: 'Update a category (merge patch)',
    description: '`metadata.version` is mandatory (§4.5); maps and mixins merge, `null` clears.',
    headers: [CONTENT_LANGUAGE],
    errors: [400, 404, 409, 413, 415],
    validate: { rules: CATEGORY_PATCH_RULES, message: CONSTRAINT_MESSAGE },
    noContent: 'Updated.',
  })
  patch(
    @Ctx() ctx: RequestContext,
    @Param() params: CategoryParamsDto,
    @Query() _query: CategoryWriteQueryDto,
    @Body() body: PatchCategoryDto,
  ) {
    return this.writes.patch(ctx, params.categoryId, body);
  }

  @Delete(':categoryId')
  @RequireScopes(manage)
  @Operation({
    id: 'deleteCategory',
    summary: 'Delete a category',
    description: 'With its subtree, or promoting its children to roots (§5.7); its assignments go too.',
    noContent: 'Deleted.',
    errors: [400, 404],
  })
  delete(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: DeleteCategoryQueryDto) {
    return this.deletion.delete(ctx, params.categoryId, query);
  }

  @Get(':categoryId/parents')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'listCategoryParents',
    summary: 'List the ancestors of a category',
    description: 'Root first, ending with the direct parent.',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(CategoryResponseDto, 'The ancestors, root first.'),
    errors: [400, 404, 503],
    validate: { rules: CATEGORY_LIST_RULES },
  })
  parents(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: CategoryPageQueryDto) {
    return this.queries.parents(ctx, params.categoryId, query);
  }

  @Get(':categoryId/subcategories')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'listSubcategories',
    summary: 'List the descendants of a category',
    description: 'Breadth-first down to `depth` levels unless sorted.',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(CategoryResponseDto, 'The descendants, breadth-first.'),
    errors: [400, 404, 503],
    validate: { rules: CATEGORY_LIST_RULES },
  })
  subcategories(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: SubcategoriesQueryDto) {
    return this.queries.subcategories(ctx, params.categoryId, query);
  }
}
