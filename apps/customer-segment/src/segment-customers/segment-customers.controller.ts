import { Body, Controller, Delete, Get, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { FieldsQueryDto } from '../common/dto/list-query.dto';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { InputChecks, InputReportInterceptor, OptionalBody } from '../common/input-report.interceptor';
import { listChecks } from '../common/listing';
import { ApiMultiStatus, ApiPage, LOCATION_HEADER } from '../common/openapi';
import { ReadAs } from '../common/reader';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { CUSTOMER_LIST } from './customer.fields';
import {
  B2bCustomerAssignmentParamsDto,
  B2bCustomerAssignmentWriteParamsDto,
  CustomerAssignmentParamsDto,
  CustomerAssignmentWriteParamsDto,
  SegmentCustomersParamsDto,
  customerKeyOf,
} from './dto/customer-assignment-params.dto';
import { CustomerAssignmentListQueryDto, CustomerAssignmentSearchQueryDto } from './dto/customer-assignment-query.dto';
import { CustomerAssignmentResponseDto } from './dto/customer-assignment.response.dto';
import {
  BulkReplaceCustomerAssignmentDto,
  CustomerAssignmentKeyDto,
  ReplaceCustomerAssignmentDto,
} from './dto/replace-customer-assignment.dto';
import { SegmentCustomersService } from './segment-customers.service';

/** Customer assignments, operations 12–21 (segment §3.12–§3.21). `bulk` wins over `{customerId}`. */
@ApiTags('Customer assignments')
@Controller('customer-segment/:tenant/segments/:segmentId/customers')
@UseInterceptors(InputReportInterceptor)
export class SegmentCustomersController {
  constructor(private readonly customers: SegmentCustomersService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs()
  @InputChecks(listChecks(CUSTOMER_LIST, { acceptLanguage: false }))
  @ApiOperation({ summary: 'List the customer assignments of a segment', operationId: 'listCustomerAssignments' })
  @ApiPage(CustomerAssignmentResponseDto, 'FULL readers: every assignment; OWN readers: their own in a visible segment.')
  @ApiErrors(400, 404)
  list(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Query() query: CustomerAssignmentListQueryDto) {
    return this.customers.list(ctx, params.segmentId, query);
  }

  @Post('search')
  @RequireScopes(READ)
  @OptionalBody()
  @InputChecks(listChecks(CUSTOMER_LIST, { acceptLanguage: false }))
  @ApiOperation({ summary: 'Search the customer assignments of a segment', operationId: 'searchCustomerAssignments' })
  @ApiBody({ type: SearchBodyDto, required: false })
  @ApiPage(CustomerAssignmentResponseDto)
  @ApiErrors(400, 404, 413, 415)
  search(
    @Ctx() ctx: RequestContext,
    @Param() params: SegmentCustomersParamsDto,
    @Query() query: CustomerAssignmentSearchQueryDto,
    @Body() body: SearchBodyDto,
  ) {
    return this.customers.list(ctx, params.segmentId, query, body);
  }

  @Put('bulk')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Create or replace up to 200 customer assignments', operationId: 'upsertCustomerAssignmentsInBulk' })
  @ApiBody({ type: BulkReplaceCustomerAssignmentDto, isArray: true })
  @ApiMultiStatus()
  @ApiErrors(400, 404, 413, 415)
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Body() body: BulkReplaceCustomerAssignmentDto[]) {
    return this.customers.bulkUpsert(ctx, params.segmentId, body);
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Delete up to 200 customer assignments', operationId: 'deleteCustomerAssignmentsInBulk' })
  @ApiBody({ type: CustomerAssignmentKeyDto, isArray: true })
  @ApiMultiStatus()
  @ApiErrors(400, 404, 413, 415)
  bulkDelete(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Body() body: CustomerAssignmentKeyDto[]) {
    return this.customers.bulkDelete(ctx, params.segmentId, body);
  }

  @Get(':customerId')
  @RequireScopes(READ)
  @ApiOperation({ summary: 'Read a B2C customer assignment', operationId: 'getCustomerAssignment' })
  @ApiOkResponse({ description: 'The customer assignment.', type: CustomerAssignmentResponseDto })
  @ApiErrors(400, 404)
  getB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentParamsDto, @Query() query: FieldsQueryDto) {
    return this.customers.get(ctx, customerKeyOf(params), query.fields);
  }

  @Put(':customerId')
  @RequireScopes(MANAGE)
  @OptionalBody()
  @ApiOperation({ summary: 'Create or replace a B2C customer assignment', operationId: 'replaceCustomerAssignment' })
  @ApiBody({ type: ReplaceCustomerAssignmentDto, required: false })
  @ApiCreatedResponse({ headers: LOCATION_HEADER, description: 'Created (no body).' })
  @ApiNoContentResponse({ description: 'Replaced.' })
  @ApiErrors(400, 404, 409, 413, 415)
  replaceB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentWriteParamsDto, @Body() body: ReplaceCustomerAssignmentDto) {
    return this.customers.replace(ctx, customerKeyOf(params), body);
  }

  @Delete(':customerId')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Delete a B2C customer assignment', operationId: 'deleteCustomerAssignment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  deleteB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentParamsDto) {
    return this.customers.delete(ctx, customerKeyOf(params));
  }

  @Get(':customerId/:legalEntityId')
  @RequireScopes(READ)
  @ApiOperation({ summary: 'Read a B2B customer assignment', operationId: 'getB2bCustomerAssignment' })
  @ApiOkResponse({ description: 'The customer assignment.', type: CustomerAssignmentResponseDto })
  @ApiErrors(400, 404)
  getB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentParamsDto, @Query() query: FieldsQueryDto) {
    return this.customers.get(ctx, customerKeyOf(params), query.fields);
  }

  @Put(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @OptionalBody()
  @ApiOperation({ summary: 'Create or replace a B2B customer assignment', operationId: 'replaceB2bCustomerAssignment' })
  @ApiBody({ type: ReplaceCustomerAssignmentDto, required: false })
  @ApiCreatedResponse({ headers: LOCATION_HEADER, description: 'Created (no body).' })
  @ApiNoContentResponse({ description: 'Replaced.' })
  @ApiErrors(400, 404, 409, 413, 415)
  replaceB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentWriteParamsDto, @Body() body: ReplaceCustomerAssignmentDto) {
    return this.customers.replace(ctx, customerKeyOf(params), body);
  }

  @Delete(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @ApiOperation({ summary: 'Delete a B2B customer assignment', operationId: 'deleteB2bCustomerAssignment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  deleteB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentParamsDto) {
    return this.customers.delete(ctx, customerKeyOf(params));
  }
}
