import { Injectable } from '@nestjs/common';
import {
  ApiError,
  assertBulkArray,
  ErrorDetail,
  EVENT_SUBJECTS,
  EVENT_TYPES,
  isPlainObject,
  isValidCustomId,
  newUuid,
  Outcome,
  TenantLanguages,
  validateDto,
} from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvent, ChangeEvents } from '@suite/persistence';
import { CategoriesRepository } from '../categories/categories.repository';
import { CategoryQueriesService } from '../categories/category-queries.service';
import { CATEGORY_DEFAULT_SORT, CATEGORY_FIELDS } from '../categories/category.fields';
import { CATEGORY_ID_PATTERN, CategoryRecord } from '../categories/category.types';
import type { CategoryResponseDto } from '../categories/dto/category.response.dto';
import { AssignmentPathsService } from '../categories/assignment-paths.service';
import { ASSIGNMENT_MESSAGE, categoryNotFound } from '../common/category.errors';
import type { IdResponseDto } from '../common/dto/id.response.dto';
import { readList } from '../common/list-request';
import { LocalizedFieldRule, readLocalizedMap, WriteLanguages, writableLanguages } from '../common/localization';
import { assignmentEventData } from './assignment.mapper';
import { PRODUCT, type AssignmentRecord } from './assignment.types';
import { AssignmentExists, AssignmentsRepository } from './assignments.repository';
import type { ReferenceCategoriesQueryDto } from './dto/assignment-query.dto';
import type { AssignmentBulkResultDto } from './dto/assignment.response.dto';
import { CreateAssignmentDto, UpsertAssignmentDto } from './dto/create-assignment.dto';
import type { UpsertReferenceDto } from './dto/upsert-reference.dto';

const EVENT = EVENT_TYPES.category;

/** `ref.localizedName` of the assignment bodies (§4.6, LOC-4 with maps only). */
export const REF_NAME: LocalizedFieldRule = { field: 'ref.localizedName', label: 'Assignment reference name' };

/** The category an assignment write goes to, and the path its assignments get there. */
interface Target {
  categoryId: string;
  path: string[];
}

/** A validated assignment write (§4.6): the reference and the optional suite extension fields. */
interface AssignmentInput {
  refId: string;
  localizedName?: Record<string, string>;
  published?: boolean;
}

function location(tenant: string, categoryId: string, assignmentId: string): string {
  return `/category/${tenant}/categories/${encodeURIComponent(categoryId)}/assignments/${assignmentId}`;
}

/** A product name map of a validated body, keys in the configured spelling. */
function nameOf(value: unknown, langs: WriteLanguages): Record<string, string> | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(readLocalizedMap(value, REF_NAME, langs, []))) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Product assignments (ops 12–20; op 11 is AssignmentListingService). Writes ignore the category's
 * publication state (§7) and give each assignment its category's path (AssignmentPathsService).
 */
@Injectable()
export class AssignmentsService {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly queries: CategoryQueriesService,
    private readonly paths: AssignmentPathsService,
    private readonly events: ChangeEvents,
    private readonly languages: TenantLanguages,
  ) {}

  /** Op 12. */
  async create(ctx: RequestContext, categoryId: string, body: CreateAssignmentDto): Promise<Outcome<IdResponseDto>> {
    const input: AssignmentInput = {
      refId: body.ref.id,
      localizedName: nameOf(body.ref.localizedName, this.writeLanguages(ctx)),
      published: body.published ?? undefined,
    };
    const target = await this.target(ctx.tenant, categoryId);
    const record = await this.insertOrConflict(ctx.tenant, target, input);
    if (record) await this.paths.settle(ctx.tenant, categoryId, [record._id], target.path);
    if (!record) {
      throw new ApiError('duplicate_resource', 'Assignment already exists', {
        details: [{ type: 'duplicate', message: `Assignment for reference '${input.refId}' already exists in category '${categoryId}'` }],
      });
    }
    await this.emitCreated(ctx, [record]);
    return Outcome.created(location(ctx.tenant, categoryId, record._id), { id: record._id });
  }

  /** Op 14: whole-request validation, then one result per item (§7.3). */
  bulkCreate(ctx: RequestContext, categoryId: string, body: unknown): Promise<Outcome<AssignmentBulkResultDto[]>> {
    return this.writeEach(ctx, categoryId, this.bulkInputs(ctx, body, CreateAssignmentDto), async (input, target) => {
      const record = await this.insertOrConflict(ctx.tenant, target, input);
      if (!record) return { result: { productId: input.refId, code: 409, status: 'CONFLICT', message: 'Assignment already exists' } };
      return {
        created: record,
        written: record,
        result: { assignmentId: record._id, productId: input.refId, code: 201, status: 'CREATED' },
      };
    });
  }

  /** Op 15: upserts; existing (or repeated) references answer 200 with the existing id (§7.4). */
  bulkUpsert(ctx: RequestContext, categoryId: string, body: unknown): Promise<Outcome<AssignmentBulkResultDto[]>> {
    return this.writeEach(ctx, categoryId, this.bulkInputs(ctx, body, UpsertAssignmentDto), async (input, target) => {
      const { created, record } = await this.upsert(ctx.tenant, target, input);
      const status = created ? 'CREATED' : 'OK';
      const result = { assignmentId: record._id, productId: input.refId, code: created ? 201 : 200, status } as const;
      return { created: created ? record : undefined, written: record, result };
    });
  }

  /**
   * The elements of a bulk request (validated as a whole before) through `write` one by one, in
   * order, once the path category is known; one result per element, the paths of the written
   * ones settled, then one creation event per created assignment.
   */
  private async writeEach(
    ctx: RequestContext,
    categoryId: string,
    inputs: AssignmentInput[],
    write: (
      input: AssignmentInput,
      target: Target,
    ) => Promise<{ result: Omit<AssignmentBulkResultDto, 'index'>; created?: AssignmentRecord; written?: AssignmentRecord }>,
  ): Promise<Outcome<AssignmentBulkResultDto[]>> {
    const target = await this.target(ctx.tenant, categoryId);
    const results: AssignmentBulkResultDto[] = [];
    const created: AssignmentRecord[] = [];
    const written: string[] = [];
    for (let index = 0; index < inputs.length; index++) {
      const outcome = await write(inputs[index], target);
      if (outcome.created) created.push(outcome.created);
      if (outcome.written) written.push(outcome.written._id);
      results.push({ index, ...outcome.result });
    }
    await this.paths.settle(ctx.tenant, categoryId, written, target.path);
    await this.emitCreated(ctx, created);
    return Outcome.multiStatus(results);
  }

  /** Op 16: 201 with the new id, or 204 when the assignment existed. */
  async upsertByRef(ctx: RequestContext, categoryId: string, refId: string, body: UpsertReferenceDto): Promise<Outcome<IdResponseDto>> {
    const ref = isPlainObject(body.ref) ? body.ref : undefined;
    const input: AssignmentInput = {
      refId,
      localizedName: nameOf(ref?.localizedName, this.writeLanguages(ctx)),
      published: body.published ?? undefined,
    };
    const target = await this.target(ctx.tenant, categoryId);
    const outcome = await this.upsert(ctx.tenant, target, input);
    await this.paths.settle(ctx.tenant, categoryId, [outcome.record._id], target.path);
    if (outcome.created) await this.emitCreated(ctx, [outcome.record]);
    return Outcome.upserted(outcome.created, location(ctx.tenant, categoryId, outcome.record._id), { id: outcome.record._id });
  }

  /** Op 13: every assignment of that type in this category (not its descendants); 204 also when none. */
  async deleteAll(ctx: RequestContext, categoryId: string): Promise<Outcome<never>> {
    await this.pathCategory(ctx.tenant, categoryId);
    await this.remove(ctx, { categoryId, 'ref.type': PRODUCT });
    return Outcome.noContent();
  }

  /** Op 18: only if the assignment belongs to that category. */
  async deleteById(ctx: RequestContext, categoryId: string, assignmentId: string): Promise<Outcome<never>> {
    await this.pathCategory(ctx.tenant, categoryId);
    const removed = await this.remove(ctx, { _id: assignmentId, categoryId });
    if (removed === 0)
      throw new ApiError('resource_not_found', 'Error while getting assignment', {
        resourceId: assignmentId,
        details: [{ type: 'not_found', message: `Assignment with id '${assignmentId}' not found` }],
      });
    return Outcome.noContent();
  }

  /** Op 17. */
  async deleteByRef(ctx: RequestContext, categoryId: string, refId: string): Promise<Outcome<never>> {
    await this.pathCategory(ctx.tenant, categoryId);
    const removed = isValidRefId(refId) ? await this.remove(ctx, { categoryId, 'ref.type': PRODUCT, 'ref.id': refId }) : 0;
    if (removed === 0)
      throw new ApiError('resource_not_found', 'Error while getting assignment', {
        resourceId: refId,
        details: [{ type: 'not_found', message: `Assignment for reference '${refId}' not found in category '${categoryId}'` }],
      });
    return Outcome.noContent();
  }

  /** Op 20: the reference out of every category; 404 when it had none (§7.10). */
  async deleteRef(ctx: RequestContext, refId: string): Promise<Outcome<never>> {
    const removed = isValidRefId(refId) ? await this.remove(ctx, { 'ref.type': PRODUCT, 'ref.id': refId }) : 0;
    if (removed === 0)
      throw new ApiError('resource_not_found', 'Error while getting category reference', {
        resourceId: refId,
        details: [{ type: 'not_found', message: `Reference id ${refId} not found` }],
      });
    return Outcome.noContent();
  }

  /**
   * Op 19: the categories a reference is assigned to (flat-list visibility), optionally with
   * `supercategoriesIds`. 404 only when the reference has no assignment at all (§7.9).
   */
  async categoriesOfRef(ctx: RequestContext, refId: string, query: ReferenceCategoriesQueryDto): Promise<Outcome<CategoryResponseDto[]>> {
    const tenant = ctx.tenant;
    const list = readList(ctx, this.languages.languagesOf(tenant), query, CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const ids = isValidRefId(refId) ? await this.assignments.categoryIdsOfRef(tenant, refId) : [];
    if (ids.length === 0) {
      throw new ApiError('resource_not_found', 'Error while getting categories for assignment reference', {
        resourceId: refId,
        details: [{ type: 'not_found', message: `Reference id ${refId} not found` }],
      });
    }
    const filter: Record<string, unknown> = { _id: { $in: ids } };
    if (list.publishedOnly) filter.published = true;
    const page = await this.categories.page(tenant, {
      filter,
      sort: list.sort!,
      skip: list.paging.skip,
      limit: list.paging.limit,
      withTotal: ctx.wantsTotal,
    });
    let supers: ((r: CategoryRecord) => { supercategoriesIds?: string[] }) | undefined;
    if (query.expandSupercategoriesIds === true) {
      const ancestorIds = [...new Set(page.items.flatMap((r) => r.ancestorIds ?? []))];
      const published = new Map(
        (await this.categories.findByIds(tenant, ancestorIds, { _id: 1, published: 1 })).map((r) => [r._id, r.published === true]),
      );
      // Root first; in published-only mode unpublished ancestors are left out (§7.9).
      supers = (r) => ({
        supercategoriesIds: (r.ancestorIds ?? []).filter((a) => published.has(a) && (!list.publishedOnly || published.get(a))),
      });
    }
    return Outcome.page({ items: await this.queries.views(tenant, page.items, list, supers), total: page.total });
  }

  private async pathCategory(tenant: string, categoryId: string): Promise<CategoryRecord> {
    const record = CATEGORY_ID_PATTERN.test(categoryId) ? await this.categories.findById(tenant, categoryId) : null;
    if (!record) throw categoryNotFound(categoryId);
    return record;
  }

  /**
   * BULK-1 and §7.3: the array, `Content-Language`, then every element judged like a single body
   * (`validateDto` and the name rules), all problems in one 400 with the element's index.
   */
  private bulkInputs(ctx: RequestContext, body: unknown, dto: typeof CreateAssignmentDto | typeof UpsertAssignmentDto): AssignmentInput[] {
    const items = assertBulkArray(body);
    const langs = this.writeLanguages(ctx);
    const details: ErrorDetail[] = [];
    const inputs = items.map((item, i): AssignmentInput | undefined => {
      if (!isPlainObject(item)) {
        details.push({ field: `[${i}]`, type: 'invalid_type', message: 'must be an object with ref' });
        return undefined;
      }
      const prefix = `[${i}].`;
      const checked = validateDto(dto, item);
      details.push(...checked.details.map((d) => ({ ...d, field: `${prefix}${d.field ?? ''}` })));
      const localizedName = checked.value.ref?.localizedName;
      if (isPlainObject(localizedName)) readLocalizedMap(localizedName, REF_NAME, langs, details, { prefix });
      if (checked.details.length) return undefined;
      return { refId: checked.value.ref.id, localizedName: nameOf(localizedName, langs), published: checked.value.published ?? undefined };
    });
    if (details.length) throw ApiError.validation(details, ASSIGNMENT_MESSAGE);
    return inputs as AssignmentInput[];
  }

  /** LOC-4 for the names of a write. In a bulk request this is the first check after the array; single writes had it checked already. */
  private writeLanguages(ctx: RequestContext): WriteLanguages {
    const tenant = this.languages.languagesOf(ctx.tenant);
    return { tenant, allowed: writableLanguages(ctx.contentLanguage, tenant) };
  }

  /** The path category of a write (404 when unknown) and the path its assignments get. */
  private async target(tenant: string, categoryId: string): Promise<Target> {
    const category = await this.pathCategory(tenant, categoryId);
    return { categoryId, path: this.paths.pathOf(category) };
  }

  private newRecord(target: Target, input: AssignmentInput): AssignmentRecord {
    const now = new Date();
    return {
      _id: newUuid(),
      categoryId: target.categoryId,
      ref: { id: input.refId, type: PRODUCT, localizedName: input.localizedName ?? {} },
      published: input.published ?? true,
      metadata: { version: 1, createdAt: now, modifiedAt: now },
      categoryPath: target.path,
    };
  }

  /** Inserts, or returns undefined when the natural key is taken (unique index, no read-then-write race). */
  private async insertOrConflict(tenant: string, target: Target, input: AssignmentInput): Promise<AssignmentRecord | undefined> {
    const record = this.newRecord(target, input);
    try {
      await this.assignments.insert(tenant, record);
      return record;
    } catch (e) {
      if (e instanceof AssignmentExists) return undefined;
      throw e;
    }
  }

  /** Create, or refresh the existing one (version + 1, modification time, supplied extension fields). */
  private async upsert(tenant: string, target: Target, input: AssignmentInput): Promise<{ created: boolean; record: AssignmentRecord }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.assignments.findByRef(tenant, target.categoryId, input.refId);
      if (existing) {
        // The path too: an assignment written before paths existed gets one here.
        const set: Record<string, unknown> = { categoryPath: target.path };
        if (input.localizedName !== undefined) set['ref.localizedName'] = input.localizedName;
        if (input.published !== undefined) set.published = input.published;
        const touched = await this.assignments.touch(tenant, existing._id, new Date(), set);
        if (touched) return { created: false, record: touched };
        continue; // deleted meanwhile: try to create it
      }
      const created = await this.insertOrConflict(tenant, target, input);
      if (created) return { created: true, record: created };
    }
    throw ApiError.internal(new Error('assignment upsert did not settle'));
  }

  private async remove(ctx: RequestContext, filter: Record<string, unknown>): Promise<number> {
    const found = await this.assignments.find(ctx.tenant, filter);
    if (found.length === 0) return 0;
    await this.assignments.deleteMany(ctx.tenant, { _id: { $in: found.map((a) => a._id) } });
    const now = new Date();
    const changes: ChangeEvent[] = found.map((a) => ({
      type: EVENT.assignmentDeleted,
      subject: EVENT_SUBJECTS.categoryAssignment(a.categoryId, a._id),
      version: a.metadata.version,
      time: now,
      data: { id: a._id, categoryId: a.categoryId, ref: { id: a.ref.id, type: a.ref.type }, tenant: ctx.tenant },
    }));
    await this.events.emit(ctx, ...changes);
    return found.length;
  }

  private async emitCreated(ctx: RequestContext, records: AssignmentRecord[]): Promise<void> {
    await this.events.emit(
      ctx,
      ...records.map((r) => ({
        type: EVENT.assignmentCreated,
        subject: EVENT_SUBJECTS.categoryAssignment(r.categoryId, r._id),
        version: r.metadata.version,
        time: r.metadata.createdAt,
        data: assignmentEventData(r, ctx.tenant),
      })),
    );
  }
}

/** `ref.id` follows ID-3 because it also appears in paths (§4.6): any other id names no assignment. */
function isValidRefId(id: string): boolean {
  return isValidCustomId(id);
}
