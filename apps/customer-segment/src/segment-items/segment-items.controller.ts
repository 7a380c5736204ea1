import { Body, Controller, Delete, Get, Headers, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ACCEPT_ENCODING,
  ACCEPT_LANGUAGE,
  LOCATION_HEADER,
  Operation,
  page,
  searchBodyRule,
  TenantParamsDto,
  TOTAL_COUNT,
} from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { bulkBodyCheck } from '../common/bulk';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { listChecks, readChecks } from '../common/listing';
import { ASSIGNMENTS_BULK } from '../common/openapi';
import { ReadAs } from '../common/reader';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { CategoryTreesService } from './category-trees.service';
import { SegmentTreeNodeResponseDto } from './dto/category-tree.response.dto';
import {
  ItemAssignmentParamsDto,
  ItemAssignmentWriteParamsDto,
  ItemTypeParamsDto,
  SegmentItemsParamsDto,
  itemKeyOf,
} from './dto/item-assignment-params.dto';
import {
  CategoryTreesQueryDto,
  ItemAssignmentListQueryDto,
  ItemAssignmentReadQueryDto,
  ItemAssignmentSearchQueryDto,
  ItemAssignmentsAcrossQueryDto,
} from './dto/item-assignment-query.dto';
import { ItemAssignmentResponseDto } from './dto/item-assignment.response.dto';
import { BulkReplaceItemAssignmentDto, ReplaceItemAssignmentDto } from './dto/replace-item-assignment.dto';
import { ITEM_LIST } from './item.fields';
import { SegmentItemsService } from './segment-items.service';

const ITEM_LIST_RULES = [listChecks(ITEM_LIST, { acceptLanguage: true })];

/** Item assignments across segments and category trees, operations 22–23 (segment §3.22, §3.23). */
@ApiTags('Item assignments')
@Controller('customer-segment/:tenant/segments/items')
export class SegmentItemsAcrossController {
  constructor(
    private readonly items: SegmentItemsService,
    private readonly trees: CategoryTreesService,
  ) {}

  @Get('category-trees')
  @RequireScopes(READ_OWN)
  @ReadAs({ legalEntityId: true, ownOnly: true })
  @Operation({
    id: 'getSegmentCategoryTrees',
    summary: 'The category trees of the caller’s segments',
    description: 'Gzip-coded when `Accept-Encoding` allows it (suite extension, README "Storefront tree in gzip").',
    headers: [ACCEPT_LANGUAGE, ACCEPT_ENCODING],
    ok: { description: 'The category trees of the segments of the caller.', type: SegmentTreeNodeResponseDto, isArray: true },
    errors: [400, 503],
  })
  categoryTrees(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() query: CategoryTreesQueryDto,
    @Headers('accept-encoding') acceptEncoding?: string,
  ) {
    return this.trees.trees(ctx, query, acceptEncoding);
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @Operation({
    id: 'listItemAssignmentsAcrossSegments',
    summary: 'List item assignments across segments',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(ItemAssignmentResponseDto, 'FULL readers: every segment’s items; OWN readers: the items of their visible segments.'),
    errors: [400],
    validate: { rules: ITEM_LIST_RULES },
  })
  listAcross(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: ItemAssignmentsAcrossQueryDto) {
    return this.items.listAcross(ctx, query);
  }
}

/** Item assignments of one segment, operations 24–30 (segment §3.24–§3.30). `bulk` wins over `{itemId}`. */
@ApiTags('Item assignments')
@Controller('customer-segment/:tenant/segments/:segmentId/items')
export class SegmentItemsController {
  constructor(private readonly items: SegmentItemsService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @Operation({
    id: 'listItemAssignments',
    summary: 'List the item assignments of a segment',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(ItemAssignmentResponseDto),
    errors: [400, 404],
    validate: { rules: ITEM_LIST_RULES },
  })
  list(@Ctx() ctx: RequestContext, @Param() params: SegmentItemsParamsDto, @Query() query: ItemAssignmentListQueryDto) {
    return this.items.list(ctx, params.segmentId, query);
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @Operation({
    id: 'searchItemAssignments',
    summary: 'Search the item assignments of a segment',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    body: { type: SearchBodyDto, required: false },
    ok: page(ItemAssignmentResponseDto),
    errors: [400, 404, 413, 415],
    validate: { optionalBody: true, rules: [...ITEM_LIST_RULES, searchBodyRule] },
  })
  search(
    @Ctx() ctx: RequestContext,
    @Param() params: SegmentItemsParamsDto,
    @Query() query: ItemAssignmentSearchQueryDto,
    @Body() body: SearchBodyDto,
  ) {
    return this.items.list(ctx, params.segmentId, query, body);
  }

  @Put(':type/bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk('upsertItemAssignmentsInBulk', 'Create or replace up to 200 item assignments of one type', BulkReplaceItemAssignmentDto, {
    ...ASSIGNMENTS_BULK,
    validate: { rules: [bulkBodyCheck] },
  })
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: ItemTypeParamsDto, @Body() body: BulkReplaceItemAssignmentDto[]) {
    return this.items.bulkUpsert(ctx, params.segmentId, params.type, body);
  }

  @Delete(':type/bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk(
    'deleteItemAssignmentsInBulk',
    'Delete up to 200 item assignments of one type',
    { type: String, isArray: true, description: 'Item ids.' },
    { ...ASSIGNMENTS_BULK, validate: { rules: [bulkBodyCheck] } },
  )
  bulkDelete(@Ctx() ctx: RequestContext, @Param() params: ItemTypeParamsDto, @Body() body: string[]) {
    return this.items.bulkDelete(ctx, params.segmentId, params.type, body);
  }

  @Get(':type/:itemId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @Operation({
    id: 'getItemAssignment',
    summary: 'Read an item assignment',
    headers: [ACCEPT_LANGUAGE],
    ok: { description: 'The item assignment.', type: ItemAssignmentResponseDto },
    errors: [400, 404],
    validate: { rules: readChecks(ITEM_LIST.projection) },
  })
  get(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentParamsDto, @Query() query: ItemAssignmentReadQueryDto) {
    return this.items.get(ctx, itemKeyOf(params), query);
  }

  @Put(':type/:itemId')
  @RequireScopes(MANAGE)
  @Operation({
    id: 'replaceItemAssignment',
    summary: 'Create or replace an item assignment',
    body: { type: ReplaceItemAssignmentDto, required: false },
    created: { headers: LOCATION_HEADER, description: 'Created (no body).' },
    noContent: 'Replaced.',
    errors: [400, 404, 409, 413, 415],
    validate: { optionalBody: true },
  })
  replace(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentWriteParamsDto, @Body() body: ReplaceItemAssignmentDto) {
    return this.items.replace(ctx, itemKeyOf(params), body);
  }

  @Delete(':type/:itemId')
  @RequireScopes(MANAGE)
  @Operation({ id: 'deleteItemAssignment', summary: 'Delete an item assignment', noContent: { description: 'Deleted.' }, errors: [400] })
  delete(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentParamsDto) {
    return this.items.delete(ctx, itemKeyOf(params));
  }
}
