import { Body, Controller, Delete, Get, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { bulkBodyCheck } from '../common/bulk';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { InputChecks, InputReportInterceptor, OptionalBody } from '../common/input-report.interceptor';
import { listChecks, readChecks } from '../common/listing';
import { ApiAcceptLanguage, ApiMultiStatus, ApiPage, LOCATION_HEADER } from '../common/openapi';
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

/** Item assignments across segments and category trees, operations 22–23 (segment §3.22, §3.23). */
@ApiTags('Item assignments')
@Controller('customer-segment/:tenant/segments/items')
@UseInterceptors(InputReportInterceptor)
export class SegmentItemsAcrossController {
  constructor(
    private readonly items: SegmentItemsService,
    private readonly trees: CategoryTreesService,
  ) {}

  @Get('category-trees')
  @RequireScopes(READ_OWN)
  @ReadAs({ legalEntityId: true, ownOnly: true })
  @ApiOperation({ summary: 'The category trees of the caller’s segments', operationId: 'getSegmentCategoryTrees' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ description: 'The category trees of the segments of the caller.', type: SegmentTreeNodeResponseDto, isArray: true })
  @ApiErrors(400, 503)
  categoryTrees(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: CategoryTreesQueryDto) {
    return this.trees.trees(ctx, query);
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @InputChecks(listChecks(ITEM_LIST, { acceptLanguage: true }))
  @ApiOperation({ summary: 'List item assignments across segments', operationId: 'listItemAssignmentsAcrossSegments' })
  @ApiAcceptLanguage()
  @ApiPage(ItemAssignmentResponseDto, 'FULL readers: every segment’s items; OWN readers: the items of their visible segments.')
  @ApiErrors(400)
  listAcross(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: ItemAssignmentsAcrossQueryDto) {
    return this.items.listAcross(ctx, query);
  }
}

/** Item assignments of one segment, operations 24–30 (segment §3.24–§3.30). `bulk` wins over `{itemId}`. */
@ApiTags('Item assignments')
@Controller('customer-segment/:tenant/segments/:segmentId/items')
@UseInterceptors(InputReportInterceptor)
export class SegmentItemsController {
  constructor(private readonly items: SegmentItemsService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @InputChecks(listChecks(ITEM_LIST, { acceptLanguage: true }))
  @ApiOperation({ summary: 'List the item assignments of a segment', operationId: 'listItemAssignments' })
  @ApiAcceptLanguage()
  @ApiPage(ItemAssignmentResponseDto)
  @ApiErrors(400, 404)
  list(@Ctx() ctx: RequestContext, @Param() params: SegmentItemsParamsDto, @Query() query: ItemAssignmentListQueryDto) {
    return this.items.list(ctx, params.segmentId, query);
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @OptionalBody()
  @InputChecks(listChecks(ITEM_LIST, { acceptLanguage: true }))
  @ApiOperation({ summary: 'Search the item assignments of a segment', operationId: 'searchItemAssignments' })
  @ApiAcceptLanguage()
  @ApiBody({ type: SearchBodyDto, required: false })
  @ApiPage(ItemAssignmentResponseDto)
  @ApiErrors(400, 404, 413, 415)
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
  @InputChecks(bulkBodyCheck)
  @ApiOperation({ summary: 'Create or replace up to 200 item assignments of one type', operationId: 'upsertItemAssignmentsInBulk' })
  @ApiBody({ type: BulkReplaceItemAssignmentDto, isArray: true })
  @ApiMultiStatus()
  @ApiErrors(400, 404, 413, 415)
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: ItemTypeParamsDto, @Body() body: BulkReplaceItemAssignmentDto[]) {
    return this.items.bulkUpsert(ctx, params.segmentId, params.type, body);
  }

  @Delete(':type/bulk')
  @RequireScopes(MANAGE)
  @InputChecks(bulkBodyCheck)
  @ApiOperation({ summary: 'Delete up to 200 item assignments of one type', operationId: 'deleteItemAssignmentsInBulk' })
  @ApiBody({ type: String, isArray: true, description: 'Item ids.' })
  @ApiMultiStatus()
  @ApiErrors(400, 404, 413, 415)
  bulkDelete(@Ctx() ctx: RequestContext, @Param() params: ItemTypeParamsDto, @Body() body: string[]) {
    return this.items.bulkDelete(ctx, params.segmentId, params.type, body);
  }

  @Get(':type/:itemId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @InputChecks(...readChecks(ITEM_LIST.projection))
  @ApiOperation({ summary: 'Read an item assignment', operationId: 'getItemAssignment' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ description: 'The item assignment.', type: ItemAssignmentResponseDto })
  @ApiErrors(400, 404)
  get(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentParamsDto, @Query() query: ItemAssignmentReadQueryDto) {
    return this.items.get(ctx, itemKeyOf(params), query);
  }

  @Put(':type/:itemId')
  @RequireScopes(MANAGE)
  @OptionalBody()
  @ApiOperation({ summary: 'Create or replace an item assignment', operationId: 'replaceItemAssignment' })
  @ApiBody({ type: ReplaceItemAssignmentDto, required: false })
  @ApiCreatedResponse({ headers: LOCATION_HEADER, description: 'Created (no body).' })
  @ApiNoContentResponse({ description: 'Replaced.' })
  @ApiErrors(400, 404, 409, 413, 415)
  replace(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentWriteParamsDto, @Body() body: ReplaceItemAssignmentDto) {
    return this.items.replace(ctx, itemKeyOf(params), body);
  }

  @Delete(':type/:itemId')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Delete an item assignment', operationId: 'deleteItemAssignment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400)
  delete(@Ctx() ctx: RequestContext, @Param() params: ItemAssignmentParamsDto) {
    return this.items.delete(ctx, itemKeyOf(params));
  }
}
