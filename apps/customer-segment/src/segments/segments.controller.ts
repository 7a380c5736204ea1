import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
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
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { bulkBodyCheck } from '../common/bulk';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { listChecks } from '../common/listing';
import { MULTI_STATUS } from '../common/openapi';
import { ReadAs } from '../common/reader';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { CreateSegmentDto } from './dto/create-segment.dto';
import { MatchSegmentsDto, MatchedItemResponseDto } from './dto/match-segments.dto';
import { PatchSegmentOperationDto } from './dto/patch-segment.dto';
import { BulkReplaceSegmentDto, ReplaceSegmentDto } from './dto/replace-segment.dto';
import { SegmentParamsDto, SegmentWriteParamsDto } from './dto/segment-params.dto';
import { DeleteSegmentQueryDto, SegmentListQueryDto, SegmentReadQueryDto, SegmentSearchQueryDto } from './dto/segment-query.dto';
import { SegmentIdResponseDto, SegmentResponseDto } from './dto/segment.response.dto';
import { SEGMENT_LIST } from './segment.fields';
import { segmentWriteCheck } from './segment-state';
import { SegmentMatchService } from './segment-match.service';
import { SegmentsBulkService } from './segments-bulk.service';
import { SegmentsService } from './segments.service';

const SEGMENT_LIST_RULES = [listChecks(SEGMENT_LIST, { acceptLanguage: true })];

/** The create and the replace: a localized body, `201` with `Location` when the segment is new (HTTP-6). */
const WRITE = {
  headers: [CONTENT_LANGUAGE],
  created: { type: SegmentIdResponseDto, headers: LOCATION_HEADER, description: 'Created.' },
  errors: [400, 409, 413, 415],
  validate: { rules: [segmentWriteCheck] },
};

/** The bulk creates and replaces (BULK-2): localized bodies. */
const WRITE_BULK = { multiStatus: MULTI_STATUS, headers: [CONTENT_LANGUAGE] };

/** Segment operations 1–11 (segment §3.1–§3.11). Literal paths win over `{segmentId}` (ID-3). */
@ApiTags('Segments')
@Controller('customer-segment/:tenant/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly bulk: SegmentsBulkService,
    private readonly matcher: SegmentMatchService,
  ) {}

  @Post()
  @RequireScopes(MANAGE)
  @Operation({ ...WRITE, id: 'createSegment', summary: 'Create a segment' })
  create(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateSegmentDto) {
    return this.segments.create(ctx, body);
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  @Operation({
    id: 'listSegments',
    summary: 'List segments',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(SegmentResponseDto, 'FULL readers: every segment (or a customer’s); OWN readers: their visible segments.'),
    errors: [400],
    validate: { rules: SEGMENT_LIST_RULES },
  })
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: SegmentListQueryDto) {
    return this.segments.list(ctx, query);
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  @Operation({
    id: 'searchSegments',
    summary: 'Search segments with a q filter in the body',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    body: { type: SearchBodyDto, required: false },
    ok: page(SegmentResponseDto),
    errors: [400, 413, 415],
    validate: { optionalBody: true, rules: [...SEGMENT_LIST_RULES, searchBodyRule] },
  })
  find(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: SegmentSearchQueryDto, @Body() body: SearchBodyDto) {
    return this.segments.list(ctx, query, body);
  }

  @Post('bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk('createSegmentsInBulk', 'Create up to 200 segments', CreateSegmentDto, WRITE_BULK)
  bulkCreate(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateSegmentDto[]) {
    return this.bulk.create(ctx, body);
  }

  @Put('bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk('upsertSegmentsInBulk', 'Create or replace up to 200 segments', BulkReplaceSegmentDto, WRITE_BULK)
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: BulkReplaceSegmentDto[]) {
    return this.bulk.upsert(ctx, body);
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk(
    'deleteSegmentsInBulk',
    'Delete up to 200 segments',
    { type: String, isArray: true, description: 'Segment ids.' },
    { multiStatus: MULTI_STATUS, validate: { rules: [bulkBodyCheck] } },
  )
  bulkDelete(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: DeleteSegmentQueryDto, @Body() body: string[]) {
    return this.bulk.delete(ctx, body, query.forceDelete ?? false);
  }

  @Post('match')
  @RequireScopes(MANAGE)
  @Operation({
    id: 'matchSegments',
    summary: 'Which products fall under the given segments',
    ok: { description: 'The matching segment items.', type: MatchedItemResponseDto, isArray: true },
    errors: [400, 413, 415, 503],
    httpCode: 200,
  })
  match(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: MatchSegmentsDto) {
    return this.matcher.match(ctx, body);
  }

  @Get(':segmentId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @Operation({
    id: 'getSegment',
    summary: 'Read a segment',
    headers: [ACCEPT_LANGUAGE],
    ok: { description: 'The segment.', type: SegmentResponseDto },
    errors: [400, 404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Query() query: SegmentReadQueryDto) {
    return this.segments.get(ctx, params.segmentId, query);
  }

  @Put(':segmentId')
  @RequireScopes(MANAGE)
  @Operation({ ...WRITE, id: 'replaceSegment', summary: 'Create or replace a segment', noContent: 'Replaced.' })
  replace(@Ctx() ctx: RequestContext, @Param() params: SegmentWriteParamsDto, @Body() body: ReplaceSegmentDto) {
    return this.segments.replace(ctx, params.segmentId, body);
  }

  @Patch(':segmentId')
  @RequireScopes(MANAGE)
  @Operation({
    id: 'patchSegment',
    summary: 'Change a segment with a JSON Patch',
    headers: [CONTENT_LANGUAGE],
    body: {
      type: PatchSegmentOperationDto,
      isArray: true,
      description: 'RFC 6902 JSON Patch (application/json-patch+json or application/json; META-6).',
    },
    noContent: 'Updated.',
    errors: [400, 404, 409, 413, 415],
  })
  patch(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Body() body: PatchSegmentOperationDto[]) {
    return this.segments.patch(ctx, params.segmentId, body);
  }

  @Delete(':segmentId')
  @RequireScopes(MANAGE)
  @Operation({ id: 'deleteSegment', summary: 'Delete a segment', noContent: { description: 'Deleted.' }, errors: [400] })
  delete(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Query() query: DeleteSegmentQueryDto) {
    return this.segments.delete(ctx, params.segmentId, query.forceDelete ?? false);
  }
}
