import { Body, Controller, Delete, Get, Param, Post, Put, Query, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CategoryParamsDto } from '../categories/dto/category-params.dto';
import { CategoryResponseDto } from '../categories/dto/category.response.dto';
import { CATEGORY_FIELDS } from '../categories/category.fields';
import { CATEGORY_SCOPES } from '../category.scopes';
import { ApiAcceptLanguage, ApiContentLanguage, ApiPagedResponse, LOCATION_HEADER } from '../common/api-docs';
import { CategoryExceptionFilter } from '../common/category-exception.filter';
import { ASSIGNMENT_MESSAGE } from '../common/category.errors';
import { IdResponseDto } from '../common/dto/metadata.response.dto';
import { contentLanguageRule, listRules, localizedMapsRule } from '../common/request-rules';
import { RequestRule, RequestValidationInterceptor, ValidateRequest } from '../common/request-validation';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { ASSIGNMENT_FIELDS } from './assignment.fields';
import { AssignmentsService, REF_NAME } from './assignments.service';
import { AssignmentParamsDto, CategoryReferenceParamsDto, ReferenceParamsDto, UpsertReferenceParamsDto } from './dto/assignment-params.dto';
import { AssignmentListQueryDto, AssignmentTypeQueryDto, ReferenceCategoriesQueryDto } from './dto/assignment-query.dto';
import { AssignmentBulkResultDto, AssignmentResponseDto } from './dto/assignment.response.dto';
import { CreateAssignmentDto, UpsertAssignmentDto } from './dto/create-assignment.dto';
import { UpsertReferenceDto } from './dto/upsert-reference.dto';

const { manage } = CATEGORY_SCOPES;

/** §9: a `segmentsIds` that names no id is a 400 with the contract's field-less wording. */
const segmentsIdsRule: RequestRule = ({ query }) => {
  const raw = query.segmentsIds;
  if (typeof raw !== 'string' || raw.split(',').some((s) => s.trim() !== '')) return [];
  return [{ type: 'invalid_value', message: 'segmentsIds must contain at least one segment id' }];
};

/** The request rules of a single assignment write: LOC-4 for `ref.localizedName`. */
const ASSIGNMENT_WRITE_RULES: RequestRule[] = [contentLanguageRule, localizedMapsRule([REF_NAME])];

/**
 * Ops 11–20 (category §7). The bulk bodies are arrays: their elements are judged one by one like a
 * single body (validateDto) by the service, after the array rules of BULK-1.
 */
@ApiTags('Assignments')
@Controller('category/:tenant')
@UseFilters(CategoryExceptionFilter)
@UseInterceptors(RequestValidationInterceptor)
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get('categories/:categoryId/assignments')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: [...listRules(ASSIGNMENT_FIELDS), segmentsIdsRule] })
  @ApiOperation({
    summary: 'List the assignments of a category',
    description: 'Optionally of its subtree and only for categories entitled to given customer segments (§7.1, §9).',
    operationId: 'listAssignments',
  })
  @ApiAcceptLanguage()
  @ApiPagedResponse({ type: AssignmentResponseDto, description: 'The page of assignments.' })
  @ApiErrors(400, 404, 503)
  list(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: AssignmentListQueryDto) {
    return this.assignments.list(ctx, params.categoryId, query);
  }

  @Post('categories/:categoryId/assignments')
  @RequireScopes(manage)
  @ValidateRequest({ rules: ASSIGNMENT_WRITE_RULES, message: ASSIGNMENT_MESSAGE, notObjectMessage: 'must be an object with ref' })
  @ApiOperation({ summary: 'Assign a product to a category', operationId: 'createAssignment' })
  @ApiContentLanguage()
  @ApiCreatedResponse({ type: IdResponseDto, headers: LOCATION_HEADER, description: 'Created; `Location` names the assignment.' })
  @ApiErrors(400, 404, 409, 413, 415)
  create(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: CreateAssignmentDto) {
    return this.assignments.create(ctx, params.categoryId, body);
  }

  @Delete('categories/:categoryId/assignments')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Delete every assignment of a category', description: 'Not those of its descendants; 204 also when there were none.', operationId: 'deleteAssignments' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400, 404)
  deleteAll(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() _query: AssignmentTypeQueryDto) {
    return this.assignments.deleteAll(ctx, params.categoryId);
  }

  @Post('categories/:categoryId/assignments/bulk')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Assign up to 200 products', description: 'Whole-request validation, then one result per item (§7.3).', operationId: 'createAssignmentsInBulk' })
  @ApiContentLanguage()
  @ApiBody({ type: CreateAssignmentDto, isArray: true })
  @ApiResponse({ status: 207, type: AssignmentBulkResultDto, isArray: true, description: 'One result per item, in input order.' })
  @ApiErrors(400, 404, 413, 415)
  bulkCreate(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: CreateAssignmentDto[]) {
    return this.assignments.bulkCreate(ctx, params.categoryId, body);
  }

  /** A literal segment: wins over `references/:referenceId` (ID-3). */
  @Put('categories/:categoryId/assignments/references/bulk')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Upsert up to 200 product assignments', description: 'Existing or repeated references answer 200 with their id (§7.4).', operationId: 'upsertAssignmentsInBulk' })
  @ApiContentLanguage()
  @ApiBody({ type: UpsertAssignmentDto, isArray: true })
  @ApiResponse({ status: 207, type: AssignmentBulkResultDto, isArray: true, description: 'One result per item, in input order.' })
  @ApiErrors(400, 404, 413, 415)
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: UpsertAssignmentDto[]) {
    return this.assignments.bulkUpsert(ctx, params.categoryId, body);
  }

  @Put('categories/:categoryId/assignments/references/:referenceId')
  @RequireScopes(manage)
  @ValidateRequest({
    rules: ASSIGNMENT_WRITE_RULES,
    message: ASSIGNMENT_MESSAGE,
    // §7.5: no body is needed (`null` neither); a `ref` that is not an object is ignored.
    normalizeBody: (body) => body ?? {},
  })
  @ApiOperation({ summary: 'Upsert the assignment of one product', description: 'Creates it, or raises its version (§7.5).', operationId: 'upsertAssignmentByReference' })
  @ApiContentLanguage()
  @ApiBody({ type: UpsertReferenceDto, required: false })
  @ApiCreatedResponse({ type: IdResponseDto, headers: LOCATION_HEADER, description: 'Created.' })
  @ApiNoContentResponse({ description: 'The assignment existed.' })
  @ApiErrors(400, 404, 413, 415)
  upsertByRef(@Ctx() ctx: RequestContext, @Param() params: UpsertReferenceParamsDto, @Body() body: UpsertReferenceDto) {
    return this.assignments.upsertByRef(ctx, params.categoryId, params.referenceId, body);
  }

  @Delete('categories/:categoryId/assignments/references/:referenceId')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Delete the assignment of one product', operationId: 'deleteAssignmentByReference' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  deleteByRef(@Ctx() ctx: RequestContext, @Param() params: CategoryReferenceParamsDto) {
    return this.assignments.deleteByRef(ctx, params.categoryId, params.referenceId);
  }

  @Delete('categories/:categoryId/assignments/:assignmentId')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Delete one assignment', description: 'Only if it belongs to the category.', operationId: 'deleteAssignment' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  deleteById(@Ctx() ctx: RequestContext, @Param() params: AssignmentParamsDto) {
    return this.assignments.deleteById(ctx, params.categoryId, params.assignmentId);
  }

  @Get('assignments/references/:referenceId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @ValidateRequest({ rules: listRules(CATEGORY_FIELDS) })
  @ApiOperation({ summary: 'List the categories of a product', description: '404 only when the product has no assignment at all (§7.9).', operationId: 'listReferenceCategories' })
  @ApiAcceptLanguage()
  @ApiPagedResponse({ type: CategoryResponseDto, description: 'The categories the product is assigned to.' })
  @ApiErrors(400, 404, 503)
  categoriesOfRef(@Ctx() ctx: RequestContext, @Param() params: ReferenceParamsDto, @Query() query: ReferenceCategoriesQueryDto) {
    return this.assignments.categoriesOfRef(ctx, params.referenceId, query);
  }

  @Delete('assignments/references/:referenceId')
  @RequireScopes(manage)
  @ApiOperation({ summary: 'Remove a product from every category', operationId: 'deleteReference' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404)
  deleteRef(@Ctx() ctx: RequestContext, @Param() params: ReferenceParamsDto) {
    return this.assignments.deleteRef(ctx, params.referenceId);
  }
}

