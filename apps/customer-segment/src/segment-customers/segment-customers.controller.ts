import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LOCATION_HEADER, Operation, page, searchBodyRule, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { FieldsQueryDto } from '../common/dto/list-query.dto';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { listChecks } from '../common/listing';
import { ASSIGNMENTS_BULK } from '../common/openapi';
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

const CUSTOMER_LIST_RULES = [listChecks(CUSTOMER_LIST, { acceptLanguage: false })];
const ASSIGNMENT = { description: 'The customer assignment.', type: CustomerAssignmentResponseDto };

/** The replaces of one assignment: the body is optional; `201` without a body when new. */
const REPLACE = {
  body: { type: ReplaceCustomerAssignmentDto, required: false },
  created: { headers: LOCATION_HEADER, description: 'Created (no body).' },
  noContent: 'Replaced.',
  errors: [400, 404, 409, 413, 415],
  validate: { optionalBody: true },
};

/** Customer assignments, operations 12–21 (segment §3.12–§3.21). `bulk` wins over `{customerId}`. */
@ApiTags('Customer assignments')
@Controller('customer-segment/:tenant/segments/:segmentId/customers')
export class SegmentCustomersController {
  constructor(private readonly customers: SegmentCustomersService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs()
  @Operation({
    id: 'listCustomerAssignments',
    summary: 'List the customer assignments of a segment',
    headers: [TOTAL_COUNT],
    ok: page(CustomerAssignmentResponseDto, 'FULL readers: every assignment; OWN readers: their own in a visible segment.'),
    errors: [400, 404],
    validate: { rules: CUSTOMER_LIST_RULES },
  })
  list(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Query() query: CustomerAssignmentListQueryDto) {
    return this.customers.list(ctx, params.segmentId, query);
  }

  @Post('search')
  @RequireScopes(READ)
  @Operation({
    id: 'searchCustomerAssignments',
    summary: 'Search the customer assignments of a segment',
    headers: [TOTAL_COUNT],
    body: { type: SearchBodyDto, required: false },
    ok: page(CustomerAssignmentResponseDto),
    errors: [400, 404, 413, 415],
    validate: { optionalBody: true, rules: [...CUSTOMER_LIST_RULES, searchBodyRule] },
  })
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
  @Operation.bulk(
    'upsertCustomerAssignmentsInBulk',
    'Create or replace up to 200 customer assignments',
    BulkReplaceCustomerAssignmentDto,
    ASSIGNMENTS_BULK,
  )
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Body() body: BulkReplaceCustomerAssignmentDto[]) {
    return this.customers.bulkUpsert(ctx, params.segmentId, body);
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  @Operation.bulk('deleteCustomerAssignmentsInBulk', 'Delete up to 200 customer assignments', CustomerAssignmentKeyDto, ASSIGNMENTS_BULK)
  bulkDelete(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Body() body: CustomerAssignmentKeyDto[]) {
    return this.customers.bulkDelete(ctx, params.segmentId, body);
  }

  @Get(':customerId')
  @RequireScopes(READ)
  @Operation({ id: 'getCustomerAssignment', summary: 'Read a B2C customer assignment', ok: ASSIGNMENT, errors: [400, 404] })
  getB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentParamsDto, @Query() query: FieldsQueryDto) {
    return this.customers.get(ctx, customerKeyOf(params), query.fields);
  }

  @Put(':customerId')
  @RequireScopes(MANAGE)
  @Operation({ ...REPLACE, id: 'replaceCustomerAssignment', summary: 'Create or replace a B2C customer assignment' })
  replaceB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentWriteParamsDto, @Body() body: ReplaceCustomerAssignmentDto) {
    return this.customers.replace(ctx, customerKeyOf(params), body);
  }

  @Delete(':customerId')
  @RequireScopes(MANAGE)
  @Operation({ id: 'deleteCustomerAssignment', summary: 'Delete a B2C customer assignment', noContent: { description: 'Deleted.' } })
  deleteB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentParamsDto) {
    return this.customers.delete(ctx, customerKeyOf(params));
  }

  @Get(':customerId/:legalEntityId')
  @RequireScopes(READ)
  @Operation({ id: 'getB2bCustomerAssignment', summary: 'Read a B2B customer assignment', ok: ASSIGNMENT, errors: [400, 404] })
  getB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentParamsDto, @Query() query: FieldsQueryDto) {
    return this.customers.get(ctx, customerKeyOf(params), query.fields);
  }

  @Put(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @Operation({ ...REPLACE, id: 'replaceB2bCustomerAssignment', summary: 'Create or replace a B2B customer assignment' })
  replaceB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentWriteParamsDto, @Body() body: ReplaceCustomerAssignmentDto) {
    return this.customers.replace(ctx, customerKeyOf(params), body);
  }

  @Delete(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @Operation.deleted('deleteB2bCustomerAssignment', 'Delete a B2B customer assignment')
  deleteB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentParamsDto) {
    return this.customers.delete(ctx, customerKeyOf(params));
  }
}
