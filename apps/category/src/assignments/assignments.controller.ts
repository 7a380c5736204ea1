import { Body, Controller, Delete, Get, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ACCEPT_LANGUAGE,
  BulkOperationOptions,
  CONTENT_LANGUAGE,
  LOCATION_HEADER,
  multiStatus,
  Operation,
  page,
  RequestRule,
  TOTAL_COUNT,
} from '@suite/api-kit';
import { Authenticated, Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { CategoryParamsDto } from '../categories/dto/category-params.dto';
import { CategoryResponseDto } from '../categories/dto/category.response.dto';
import { CATEGORY_FIELDS } from '../categories/category.fields';
import { CATEGORY_SCOPES } from '../category.scopes';
import { ASSIGNMENT_MESSAGE } from '../common/category.errors';
import { IdResponseDto } from '../common/dto/id.response.dto';
import { contentLanguageRule, listRules, localizedMapsRule } from '../common/request-rules';
import { ShowUnpublishedGuard } from '../common/show-unpublished.guard';
import { ASSIGNMENT_FIELDS } from './assignment.fields';
import { AssignmentListingService } from './assignment-listing.service';
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

/** The writes of one assignment: a localized body (`Content-Language`), `201` with `Location` when new (HTTP-6). */
const WRITE = { headers: [CONTENT_LANGUAGE], errors: [400, 404, 413, 415] };
const created = (description: string) => ({ type: IdResponseDto, headers: LOCATION_HEADER, description });

/** The bulk operations (§7.3, §7.4): one result per item, in input order. */
const BULK: BulkOperationOptions = {
  headers: [CONTENT_LANGUAGE],
  multiStatus: multiStatus(AssignmentBulkResultDto, 'One result per item, in input order.'),
  errors: [400, 404, 413, 415],
};

/**
 * Ops 11–20 (category §7). The bulk bodies are arrays: their elements are judged one by one like a
 * single body (validateDto) by the service, after the array rules of BULK-1.
 */
@ApiTags('Assignments')
@Controller('category/:tenant')
export class AssignmentsController {
  constructor(
    private readonly assignments: AssignmentsService,
    private readonly listing: AssignmentListingService,
  ) {}

  @Get('categories/:categoryId/assignments')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'listAssignments',
    summary: 'List the assignments of a category',
    description: 'Optionally of its subtree and only for categories entitled to given customer segments (§7.1, §9).',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(AssignmentResponseDto, 'The page of assignments.'),
    errors: [400, 404, 503],
    validate: { rules: [...listRules(ASSIGNMENT_FIELDS), segmentsIdsRule] },
  })
  list(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() query: AssignmentListQueryDto) {
    return this.listing.list(ctx, params.categoryId, query);
  }

  @Post('categories/:categoryId/assignments')
  @RequireScopes(manage)
  @Operation({
    ...WRITE,
    id: 'createAssignment',
    summary: 'Assign a product to a category',
    created: created('Created; `Location` names the assignment.'),
    errors: [400, 404, 409, 413, 415],
    validate: { rules: ASSIGNMENT_WRITE_RULES, message: ASSIGNMENT_MESSAGE, notObjectMessage: 'must be an object with ref' },
  })
  create(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: CreateAssignmentDto) {
    return this.assignments.create(ctx, params.categoryId, body);
  }

  @Delete('categories/:categoryId/assignments')
  @RequireScopes(manage)
  @Operation.deleted('deleteAssignments', 'Delete every assignment of a category', {
    description: 'Not those of its descendants; 204 also when there were none.',
    errors: [400, 404],
  })
  deleteAll(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Query() _query: AssignmentTypeQueryDto) {
    return this.assignments.deleteAll(ctx, params.categoryId);
  }

  @Post('categories/:categoryId/assignments/bulk')
  @RequireScopes(manage)
  @Operation.bulk('createAssignmentsInBulk', 'Assign up to 200 products', CreateAssignmentDto, {
    ...BULK,
    description: 'Whole-request validation, then one result per item (§7.3).',
  })
  bulkCreate(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: CreateAssignmentDto[]) {
    return this.assignments.bulkCreate(ctx, params.categoryId, body);
  }

  /** A literal segment: wins over `references/:referenceId` (ID-3). */
  @Put('categories/:categoryId/assignments/references/bulk')
  @RequireScopes(manage)
  @Operation.bulk('upsertAssignmentsInBulk', 'Upsert up to 200 product assignments', UpsertAssignmentDto, {
    ...BULK,
    description: 'Existing or repeated references answer 200 with their id (§7.4).',
  })
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() params: CategoryParamsDto, @Body() body: UpsertAssignmentDto[]) {
    return this.assignments.bulkUpsert(ctx, params.categoryId, body);
  }

  @Put('categories/:categoryId/assignments/references/:referenceId')
  @RequireScopes(manage)
  @Operation({
    ...WRITE,
    id: 'upsertAssignmentByReference',
    summary: 'Upsert the assignment of one product',
    description: 'Creates it, or raises its version (§7.5).',
    body: { type: UpsertReferenceDto, required: false },
    created: created('Created.'),
    noContent: 'The assignment existed.',
    validate: {
      rules: ASSIGNMENT_WRITE_RULES,
      message: ASSIGNMENT_MESSAGE,
      // §7.5: no body is needed (`null` neither); a `ref` that is not an object is ignored.
      normalizeBody: (body) => body ?? {},
    },
  })
  upsertByRef(@Ctx() ctx: RequestContext, @Param() params: UpsertReferenceParamsDto, @Body() body: UpsertReferenceDto) {
    return this.assignments.upsertByRef(ctx, params.categoryId, params.referenceId, body);
  }

  @Delete('categories/:categoryId/assignments/references/:referenceId')
  @RequireScopes(manage)
  @Operation.deleted('deleteAssignmentByReference', 'Delete the assignment of one product')
  deleteByRef(@Ctx() ctx: RequestContext, @Param() params: CategoryReferenceParamsDto) {
    return this.assignments.deleteByRef(ctx, params.categoryId, params.referenceId);
  }

  @Delete('categories/:categoryId/assignments/:assignmentId')
  @RequireScopes(manage)
  @Operation.deleted('deleteAssignment', 'Delete one assignment', { description: 'Only if it belongs to the category.' })
  deleteById(@Ctx() ctx: RequestContext, @Param() params: AssignmentParamsDto) {
    return this.assignments.deleteById(ctx, params.categoryId, params.assignmentId);
  }

  @Get('assignments/references/:referenceId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  @Operation({
    id: 'listReferenceCategories',
    summary: 'List the categories of a product',
    description: '404 only when the product has no assignment at all (§7.9).',
    headers: [TOTAL_COUNT, ACCEPT_LANGUAGE],
    ok: page(CategoryResponseDto, 'The categories the product is assigned to.'),
    errors: [400, 404, 503],
    validate: { rules: listRules(CATEGORY_FIELDS) },
  })
  categoriesOfRef(@Ctx() ctx: RequestContext, @Param() params: ReferenceParamsDto, @Query() query: ReferenceCategoriesQueryDto) {
    return this.assignments.categoriesOfRef(ctx, params.referenceId, query);
  }

  @Delete('assignments/references/:referenceId')
  @RequireScopes(manage)
  @Operation.deleted('deleteReference', 'Remove a product from every category')
  deleteRef(@Ctx() ctx: RequestContext, @Param() params: ReferenceParamsDto) {
    return this.assignments.deleteRef(ctx, params.referenceId);
  }
}
