import { Body, Controller, Get, Header, Headers, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ACCEPT_ENCODING, ACCEPT_LANGUAGE, IF_NONE_MATCH, isPlainObject, Operation, TenantParamsDto } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { CONSTRAINT_MESSAGE } from '../common/category.errors';
import { acceptLanguageRule } from '../common/request-rules';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { CategoryTreesService } from './category-trees.service';
import { CategoryParamsDto, RootCategoryParamsDto } from './dto/category-params.dto';
import { VisibilityQueryDto } from './dto/category-query.dto';
import { CategoryTreesQueryDto } from './dto/category-tree-query.dto';
import { CategoryTreeNodeDto } from './dto/category-tree.response.dto';
import { SearchCategoryTreesDto, SearchCategoryTreesQueryDto } from './dto/search-category-trees.dto';

// Pre-serialised JSON answers (the forest is serialised once per snapshot) name their media type.
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';

/** Ops 21–24 under `/category/{tenant}/category-trees` (category §6). */
@ApiTags('Category trees')
@Controller('category/:tenant/category-trees')
export class CategoryTreesController {
  constructor(private readonly trees: CategoryTreesService) {}

  @Get()
  @Header('Content-Type', JSON_MEDIA_TYPE)
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'listCategoryTrees',
    summary: 'List the category trees',
    description: 'One tree per visible root, in sibling order (§6.1). Gzip-coded when `Accept-Encoding` allows it.',
    headers: [ACCEPT_LANGUAGE, ACCEPT_ENCODING],
    ok: { type: CategoryTreeNodeDto, isArray: true, description: 'The visible trees, roots in sibling order.' },
    errors: [400],
    validate: { rules: [acceptLanguageRule] },
  })
  list(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() query: CategoryTreesQueryDto,
    @Headers('accept-encoding') acceptEncoding?: string,
  ) {
    return this.trees.listJson(ctx, query, acceptEncoding);
  }

  /** Customer-segment's storefront tree reads land here. */
  @Post('search')
  @Header('Content-Type', JSON_MEDIA_TYPE)
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'searchCategoryTrees',
    summary: 'Search the category trees',
    description:
      'Trees containing any of `categoryIds`; `[]` for an empty list (§6.2). With `branchesOnly=true` (suite extension) ' +
      'only the branches that lead to those categories, with an `ETag`; `If-None-Match` naming it is a `412` while the ' +
      'answer is unchanged. Gzip-coded when `Accept-Encoding` allows it.',
    headers: [ACCEPT_LANGUAGE, ACCEPT_ENCODING, IF_NONE_MATCH],
    ok: {
      type: CategoryTreeNodeDto,
      isArray: true,
      description: 'The visible trees that show one of the ids.',
      headers: {
        ETag: {
          description: 'With `branchesOnly=true`: a weak tag naming this answer only, for `If-None-Match`.',
          schema: { type: 'string' },
        },
      },
    },
    errors: [400, 412, 413, 415],
    httpCode: 200,
    validate: {
      rules: [acceptLanguageRule],
      // §6.2: whatever is not an object has no `categoryIds` (the Emporix answer names the field).
      normalizeBody: (body) => (isPlainObject(body) ? body : {}),
      bodyField: 'searchRequest',
      bodyMessage: CONSTRAINT_MESSAGE,
    },
  })
  search(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() query: SearchCategoryTreesQueryDto,
    @Body() body: SearchCategoryTreesDto,
    @Headers('accept-encoding') acceptEncoding?: string,
    @Headers('if-none-match') ifNoneMatch?: string,
  ) {
    return this.trees.searchJson(ctx, query, body, acceptEncoding, ifNoneMatch);
  }

  @Get(':categoryId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'getCategoryTree',
    summary: 'Read the tree of a root category',
    headers: [ACCEPT_LANGUAGE],
    ok: { type: CategoryTreeNodeDto, description: 'The root with its visible subcategories.' },
    errors: [400, 404],
    validate: { rules: [acceptLanguageRule] },
  })
  one(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.trees.one(ctx, params.categoryId, query);
  }

  @Post(':rootCategoryId/rebuild')
  @RequireScopes(CATEGORY_SCOPES.manage)
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'rebuildCategoryTree',
    summary: 'Rebuild a category tree',
    description: 'Recomputes the stored ancestry of one tree from `parentId` and answers it like the tree read (§6.4).',
    headers: [ACCEPT_LANGUAGE],
    ok: { type: CategoryTreeNodeDto, description: 'The rebuilt tree, as the tree read answers it.' },
    errors: [400, 404],
    httpCode: 200,
    validate: { rules: [acceptLanguageRule] },
  })
  rebuild(@Ctx() ctx: RequestContext, @Param() params: RootCategoryParamsDto, @Query() query: VisibilityQueryDto) {
    return this.trees.rebuild(ctx, params.rootCategoryId, query);
  }
}
