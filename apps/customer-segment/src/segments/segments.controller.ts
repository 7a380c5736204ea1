import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { bulkBodyCheck } from '../common/bulk';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { InputChecks, InputReportInterceptor, OptionalBody } from '../common/input-report.interceptor';
import { listChecks } from '../common/listing';
import { ApiAcceptLanguage, ApiContentLanguage, ApiMultiStatus, ApiPage, LOCATION_HEADER } from '../common/openapi';
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

/** Segment operations 1–11 (segment §3.1–§3.11). Literal paths win over `{segmentId}` (ID-3). */
@ApiTags('Segments')
@Controller('customer-segment/:tenant/segments')
@UseInterceptors(InputReportInterceptor)
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly bulk: SegmentsBulkService,
    private readonly matcher: SegmentMatchService,
  ) {}

  @Post()
  @RequireScopes(MANAGE)
  @InputChecks(segmentWriteCheck)
  @ApiOperation({ summary: 'Create a segment', operationId: 'createSegment' })
  @ApiContentLanguage()
  @ApiCreatedResponse({ description: 'Created.', type: SegmentIdResponseDto, headers: LOCATION_HEADER })
  @ApiErrors(400, 409, 413, 415)
  create(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateSegmentDto) {
    return this.segments.create(ctx, body);
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  @InputChecks(listChecks(SEGMENT_LIST, { acceptLanguage: true }))
  @ApiOperation({ summary: 'List segments', operationId: 'listSegments' })
  @ApiAcceptLanguage()
  @ApiPage(SegmentResponseDto, 'FULL readers: every segment (or a customer’s); OWN readers: their visible segments.')
  @ApiErrors(400)
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: SegmentListQueryDto) {
    return this.segments.list(ctx, query);
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  @OptionalBody()
  @InputChecks(listChecks(SEGMENT_LIST, { acceptLanguage: true }))
  @ApiOperation({ summary: 'Search segments with a q filter in the body', operationId: 'searchSegments' })
  @ApiAcceptLanguage()
  @ApiBody({ type: SearchBodyDto, required: false })
  @ApiPage(SegmentResponseDto)
  @ApiErrors(400, 413, 415)
  search(
    @Ctx() ctx: RequestContext,
    @Param() _params: TenantParamsDto,
    @Query() query: SegmentSearchQueryDto,
    @Body() body: SearchBodyDto,
  ) {
    return this.segments.list(ctx, query, body);
  }

  @Post('bulk')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Create up to 200 segments', operationId: 'createSegmentsInBulk' })
  @ApiContentLanguage()
  @ApiBody({ type: CreateSegmentDto, isArray: true })
  @ApiMultiStatus()
  @ApiErrors(400, 413, 415)
  bulkCreate(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateSegmentDto[]) {
    return this.bulk.create(ctx, body);
  }

  @Put('bulk')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Create or replace up to 200 segments', operationId: 'upsertSegmentsInBulk' })
  @ApiContentLanguage()
  @ApiBody({ type: BulkReplaceSegmentDto, isArray: true })
  @ApiMultiStatus()
  @ApiErrors(400, 413, 415)
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: BulkReplaceSegmentDto[]) {
    return this.bulk.upsert(ctx, body);
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  @InputChecks(bulkBodyCheck)
  @ApiOperation({ summary: 'Delete up to 200 segments', operationId: 'deleteSegmentsInBulk' })
  @ApiBody({ type: String, isArray: true, description: 'Segment ids.' })
  @ApiMultiStatus()
  @ApiErrors(400, 413, 415)
  bulkDelete(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Query() query: DeleteSegmentQueryDto, @Body() body: string[]) {
    return this.bulk.delete(ctx, body, query.forceDelete ?? false);
  }

  @Post('match')
  @HttpCode(HttpStatus.OK)
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Which products fall under the given segments', operationId: 'matchSegments' })
  @ApiOkResponse({ description: 'The matching segment items.', type: MatchedItemResponseDto, isArray: true })
  @ApiErrors(400, 413, 415, 503)
  match(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: MatchSegmentsDto) {
    return this.matcher.match(ctx, body);
  }

  @Get(':segmentId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  @ApiOperation({ summary: 'Read a segment', operationId: 'getSegment' })
  @ApiAcceptLanguage()
  @ApiOkResponse({ description: 'The segment.', type: SegmentResponseDto })
  @ApiErrors(400, 404)
  get(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Query() query: SegmentReadQueryDto) {
    return this.segments.get(ctx, params.segmentId, query);
  }

  @Put(':segmentId')
  @RequireScopes(MANAGE)
  @InputChecks(segmentWriteCheck)
  @ApiOperation({ summary: 'Create or replace a segment', operationId: 'replaceSegment' })
  @ApiContentLanguage()
  @ApiCreatedResponse({ type: SegmentIdResponseDto, headers: LOCATION_HEADER, description: 'Created.' })
  @ApiNoContentResponse({ description: 'Replaced.' })
  @ApiErrors(400, 409, 413, 415)
  replace(@Ctx() ctx: RequestContext, @Param() params: SegmentWriteParamsDto, @Body() body: ReplaceSegmentDto) {
    return this.segments.replace(ctx, params.segmentId, body);
  }

  @Patch(':segmentId')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Change a segment with a JSON Patch', operationId: 'patchSegment' })
  @ApiContentLanguage()
  @ApiBody({
    type: PatchSegmentOperationDto,
    isArray: true,
    description: 'RFC 6902 JSON Patch (application/json-patch+json or application/json; META-6).',
  })
  @ApiNoContentResponse({ description: 'Updated.' })
  @ApiErrors(400, 404, 409, 413, 415)
  patch(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Body() body: PatchSegmentOperationDto[]) {
    return this.segments.patch(ctx, params.segmentId, body);
  }

  @Delete(':segmentId')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Delete a segment', operationId: 'deleteSegment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400)
  delete(@Ctx() ctx: RequestContext, @Param() params: SegmentParamsDto, @Query() query: DeleteSegmentQueryDto) {
    return this.segments.delete(ctx, params.segmentId, query.forceDelete ?? false);
  }
}
