import { Inject, Injectable } from '@nestjs/common';
import { ApiError, assertBulkArray, ErrorDetail, newUuid } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { CategoriesRepository } from '../categories/categories.repository';
import { CategoryQueriesService } from '../categories/category-queries.service';
import { CATEGORY_ID_PATTERN } from '../categories/category-input';
import { CategoryView } from '../categories/category.mapper';
import type { CategoryRecord } from '../categories/category.types';
import { HierarchyCache } from '../categories/hierarchy.cache';
import { CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT } from '../categories/category.fields';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
import { categoryNotFound } from '../shared/category.errors';
import { assignmentSubject, CATEGORY_EVENT, CategoryChange, CategoryEvents } from '../shared/category-events';
import { allowedWriteLanguages, TenantLanguages } from '../shared/languages';
import { QueryReader } from '../shared/query-params';
import { PageResult, readListContext } from '../shared/read-context';
import type { RequestMeta } from '../shared/request-meta';
import { ASSIGNMENT_DEFAULT_SORT, ASSIGNMENT_FIELDS } from './assignment.fields';
import { assignmentValidation, AssignmentInput, isValidRefId, parseAssignmentItem, parseReferenceBody } from './assignment-input';
import { assignmentEventData, AssignmentView, toAssignmentView } from './assignment.mapper';
import { AssignmentExists, AssignmentsRepository } from './assignments.repository';
import { PRODUCT, type AssignmentRecord } from './assignment.types';

/** The whole-request bulk result item of ops 14 and 15 (§7.3, BULK-6 overrides). */
export interface AssignmentBulkResult {
  index: number;
  assignmentId?: string;
  productId: string;
  code: number;
  status: 'CREATED' | 'OK' | 'CONFLICT' | 'ERROR';
  message?: string;
}

/** §9 decision: at most 50 distinct segment ids. */
const MAX_SEGMENTS = 50;

/** Product assignments (ops 11–20). Writes ignore the category's publication state (§7). */
@Injectable()
export class AssignmentsService {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly queries: CategoryQueriesService,
    private readonly cache: HierarchyCache,
    private readonly events: CategoryEvents,
    private readonly languages: TenantLanguages,
    @Inject(CustomerSegmentClient) private readonly segments: CustomerSegmentClient,
  ) {}

  /** Op 11, in the normative order of §7.1. */
  async list(auth: AuthContext, meta: RequestMeta, categoryId: string, query: Record<string, unknown>): Promise<PageResult<AssignmentView>> {
    const tenant = auth.tenant;
    const reader = new QueryReader(query);
    const tenantLanguages = this.languages.of(tenant);
    const ctx = readListContext(reader, meta.acceptLanguage, tenantLanguages, ASSIGNMENT_FIELDS);
    this.assignmentType(reader);
    const withSubcategories = reader.bool('withSubcategories');
    const hideUnpublished = reader.bool('hideUnpublishedProducts');
    const refId = reader.raw('ref.id');
    const refName = reader.raw('ref.localizedName');
    const segmentIds = reader.list('segmentsIds');
    if (segmentIds && segmentIds.length === 0) reader.add({ type: 'invalid_value', message: 'segmentsIds must contain at least one segment id' });
    if (segmentIds && segmentIds.length > MAX_SEGMENTS) reader.add({ field: 'segmentsIds', type: 'too_many_items', message: `at most ${MAX_SEGMENTS} segment ids are allowed` });
    reader.done();

    // 1–2: the path category and the candidate categories.
    let candidates: string[];
    if (withSubcategories) {
      const h = CATEGORY_ID_PATTERN.test(categoryId) ? await this.cache.snapshot(tenant) : undefined;
      const record = h?.byId.get(categoryId);
      if (!h || !record || (ctx.publishedOnly && !record.published)) throw categoryNotFound(categoryId);
      candidates = [categoryId, ...h.descendants(categoryId, ctx.publishedOnly).map((d) => d._id)];
    } else {
      const record = await this.pathCategory(tenant, categoryId);
      if (ctx.publishedOnly && !record.published) throw categoryNotFound(categoryId);
      candidates = [categoryId];
    }
    // 3: segment entitlement, direct membership only (§9); any failure is a 503, never unfiltered.
    if (segmentIds) {
      const entitled = await this.segments.categoryIdsOfSegments(tenant, segmentIds, meta);
      candidates = candidates.filter((c) => entitled.has(c));
    }
    if (candidates.length === 0) return { items: [], total: meta.wantsTotal ? 0 : undefined };
    // 4–5: select, then count and page.
    // One flat filter (every key distinct), not an `$and`: the category `$in` (thousands of ids
    // with subcategories) is then answered by the natural-key index bounds alone instead of being
    // re-tested against every candidate document.
    const filter: Record<string, unknown> = { categoryId: candidates.length === 1 ? candidates[0] : { $in: candidates }, 'ref.type': PRODUCT };
    if (refId !== undefined) filter['ref.id'] = refId;
    if (refName !== undefined) {
      const langs = ctx.selection ?? tenantLanguages;
      filter.$or = langs.map((l) => ({ [`ref.localizedName.${l}`]: { $regex: `^${refName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, $options: 'i' } }));
    }
    if (hideUnpublished) filter.published = { $ne: false };
    const sort = ctx.sort ?? ASSIGNMENT_DEFAULT_SORT;
    const page = await this.assignments.page(tenant, filter, sort, ctx.paging.skip, ctx.paging.limit, meta.wantsTotal);
    return { items: page.items.map((a) => toAssignmentView(a, ctx.selection)), total: page.total };
  }

  /** Op 12. */
  async create(auth: AuthContext, meta: RequestMeta, categoryId: string, body: unknown): Promise<string> {
    const details: ErrorDetail[] = [];
    if (body === undefined) throw assignmentValidation([{ type: 'missing_payload', message: 'a request body is required' }]);
    const input = parseAssignmentItem(body, this.writeLanguages(auth.tenant, meta), true, details);
    if (!input) throw assignmentValidation(details);
    await this.pathCategory(auth.tenant, categoryId);
    const record = await this.insertOrConflict(auth.tenant, categoryId, input);
    if (!record) {
      throw new ApiError('duplicate_resource', 'Assignment already exists', {
        details: [{ type: 'duplicate', message: `Assignment for reference '${input.refId}' already exists in category '${categoryId}'` }],
      });
    }
    await this.emitCreated(auth, meta, [record]);
    return record._id;
  }

  /** Op 14: whole-request validation, then one result per item (§7.3). */
  async bulkCreate(auth: AuthContext, meta: RequestMeta, categoryId: string, body: unknown): Promise<AssignmentBulkResult[]> {
    const inputs = this.bulkInputs(auth, meta, body, true);
    await this.pathCategory(auth.tenant, categoryId);
    const results: AssignmentBulkResult[] = [];
    const created: AssignmentRecord[] = [];
    for (let index = 0; index < inputs.length; index++) {
      const input = inputs[index];
      const record = await this.insertOrConflict(auth.tenant, categoryId, input);
      if (record) {
        created.push(record);
        results.push({ index, assignmentId: record._id, productId: input.refId, code: 201, status: 'CREATED' });
      } else {
        results.push({ index, productId: input.refId, code: 409, status: 'CONFLICT', message: 'Assignment already exists' });
      }
    }
    await this.emitCreated(auth, meta, created);
    return results;
  }

  /** Op 15: upserts; existing (or repeated) references answer 200 with the existing id (§7.4). */
  async bulkUpsert(auth: AuthContext, meta: RequestMeta, categoryId: string, body: unknown): Promise<AssignmentBulkResult[]> {
    const inputs = this.bulkInputs(auth, meta, body, false);
    await this.pathCategory(auth.tenant, categoryId);
    const results: AssignmentBulkResult[] = [];
    const created: AssignmentRecord[] = [];
    for (let index = 0; index < inputs.length; index++) {
      const input = inputs[index];
      const outcome = await this.upsert(auth.tenant, categoryId, input);
      if (outcome.created) created.push(outcome.record);
      results.push({ index, assignmentId: outcome.record._id, productId: input.refId, code: outcome.created ? 201 : 200, status: outcome.created ? 'CREATED' : 'OK' });
    }
    await this.emitCreated(auth, meta, created);
    return results;
  }

  /** Op 16: 201 with the new id, or undefined (204) when the assignment existed. */
  async upsertByRef(auth: AuthContext, meta: RequestMeta, categoryId: string, refId: string, body: unknown): Promise<string | undefined> {
    if (!isValidRefId(refId)) throw assignmentValidation([{ field: 'referenceId', type: 'invalid_format', message: 'must be 1 to 128 URL-safe characters' }]);
    const extra = parseReferenceBody(body, this.writeLanguages(auth.tenant, meta));
    await this.pathCategory(auth.tenant, categoryId);
    const outcome = await this.upsert(auth.tenant, categoryId, { refId, ...extra });
    if (!outcome.created) return undefined;
    await this.emitCreated(auth, meta, [outcome.record]);
    return outcome.record._id;
  }

  /** Op 13: every assignment of that type in this category (not its descendants); 204 also when none. */
  async deleteAll(auth: AuthContext, meta: RequestMeta, categoryId: string, query: Record<string, unknown>): Promise<void> {
    const reader = new QueryReader(query);
    this.assignmentType(reader);
    reader.done();
    await this.pathCategory(auth.tenant, categoryId);
    await this.remove(auth, meta, { categoryId, 'ref.type': PRODUCT });
  }

  /** Op 18: only if the assignment belongs to that category. */
  async deleteById(auth: AuthContext, meta: RequestMeta, categoryId: string, assignmentId: string): Promise<void> {
    await this.pathCategory(auth.tenant, categoryId);
    const removed = await this.remove(auth, meta, { _id: assignmentId, categoryId });
    if (removed === 0) throw new ApiError('resource_not_found', 'Error while getting assignment', { resourceId: assignmentId, details: [{ type: 'not_found', message: `Assignment with id '${assignmentId}' not found` }] });
  }

  /** Op 17. */
  async deleteByRef(auth: AuthContext, meta: RequestMeta, categoryId: string, refId: string): Promise<void> {
    await this.pathCategory(auth.tenant, categoryId);
    const removed = isValidRefId(refId) ? await this.remove(auth, meta, { categoryId, 'ref.type': PRODUCT, 'ref.id': refId }) : 0;
    if (removed === 0) throw new ApiError('resource_not_found', 'Error while getting assignment', { resourceId: refId, details: [{ type: 'not_found', message: `Assignment for reference '${refId}' not found in category '${categoryId}'` }] });
  }

  /** Op 20: the reference out of every category; 404 when it had none (§7.10). */
  async deleteRef(auth: AuthContext, meta: RequestMeta, refId: string): Promise<void> {
    const removed = isValidRefId(refId) ? await this.remove(auth, meta, { 'ref.type': PRODUCT, 'ref.id': refId }) : 0;
    if (removed === 0) throw new ApiError('resource_not_found', 'Error while getting category reference', { resourceId: refId, details: [{ type: 'not_found', message: `Reference id ${refId} not found` }] });
  }

  /**
   * Op 19: the categories a reference is assigned to (flat-list visibility), optionally with
   * `supercategoriesIds`. 404 only when the reference has no assignment at all (§7.9).
   */
  async categoriesOfRef(auth: AuthContext, meta: RequestMeta, refId: string, query: Record<string, unknown>): Promise<PageResult<CategoryView>> {
    const tenant = auth.tenant;
    const reader = new QueryReader(query);
    const ctx = readListContext(reader, meta.acceptLanguage, this.languages.of(tenant), CATEGORY_FIELDS, CATEGORY_DEFAULT_SORT);
    const expand = reader.bool('expandSupercategoriesIds');
    reader.done();
    const ids = isValidRefId(refId) ? await this.assignments.categoryIdsOfRef(tenant, refId) : [];
    if (ids.length === 0) {
      throw new ApiError('resource_not_found', 'Error while getting categories for assignment reference', { resourceId: refId, details: [{ type: 'not_found', message: `Reference id ${refId} not found` }] });
    }
    const filter: Record<string, unknown> = { _id: { $in: ids } };
    if (ctx.publishedOnly) filter.published = true;
    const page = await this.categories.page(tenant, filter, ctx.sort!, ctx.paging.skip, ctx.paging.limit, meta.wantsTotal);
    let supers: ((r: CategoryRecord) => { supercategoriesIds?: string[] }) | undefined;
    if (expand) {
      const ancestorIds = [...new Set(page.items.flatMap((r) => r.ancestorIds ?? []))];
      const published = new Map((await this.categories.findByIds(tenant, ancestorIds, { _id: 1, published: 1 })).map((r) => [r._id, r.published === true]));
      // Root first; in published-only mode unpublished ancestors are left out (§7.9).
      supers = (r) => ({ supercategoriesIds: (r.ancestorIds ?? []).filter((a) => published.has(a) && (!ctx.publishedOnly || published.get(a))) });
    }
    return { items: await this.queries.views(tenant, page.items, ctx, supers), total: page.total };
  }

  private async pathCategory(tenant: string, categoryId: string): Promise<CategoryRecord> {
    const record = CATEGORY_ID_PATTERN.test(categoryId) ? await this.categories.findById(tenant, categoryId) : null;
    if (!record) throw categoryNotFound(categoryId);
    return record;
  }

  private assignmentType(reader: QueryReader): void {
    const type = reader.raw('assignmentType');
    if (type !== undefined && type.toUpperCase() !== PRODUCT) reader.add({ field: 'assignmentType', type: 'invalid_value', message: 'must be PRODUCT' });
  }

  private bulkInputs(auth: AuthContext, meta: RequestMeta, body: unknown, typeRequired: boolean): AssignmentInput[] {
    const items = assertBulkArray(body);
    const langs = this.writeLanguages(auth.tenant, meta);
    const details: ErrorDetail[] = [];
    const inputs = items.map((item, i) => parseAssignmentItem(item, langs, typeRequired, details, `[${i}].`));
    if (details.length) throw assignmentValidation(details);
    return inputs as AssignmentInput[];
  }

  private newRecord(categoryId: string, input: AssignmentInput): AssignmentRecord {
    const now = new Date();
    return {
      _id: newUuid(),
      categoryId,
      ref: { id: input.refId, type: PRODUCT, localizedName: input.localizedName ?? {} },
      published: input.published ?? true,
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    };
  }

  /** Inserts, or returns undefined when the natural key is taken (unique index, no read-then-write race). */
  private async insertOrConflict(tenant: string, categoryId: string, input: AssignmentInput): Promise<AssignmentRecord | undefined> {
    const record = this.newRecord(categoryId, input);
    try {
      await this.assignments.insert(tenant, record);
      return record;
    } catch (e) {
      if (e instanceof AssignmentExists) return undefined;
      throw e;
    }
  }

  /** Create, or refresh the existing one (version + 1, modification time, supplied extension fields). */
  private async upsert(tenant: string, categoryId: string, input: AssignmentInput): Promise<{ created: boolean; record: AssignmentRecord }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.assignments.findByRef(tenant, categoryId, input.refId);
      if (existing) {
        const set: Record<string, unknown> = {};
        if (input.localizedName !== undefined) set['ref.localizedName'] = input.localizedName;
        if (input.published !== undefined) set.published = input.published;
        const touched = await this.assignments.touch(tenant, existing._id, new Date(), set);
        if (touched) return { created: false, record: touched };
        continue; // deleted meanwhile: try to create it
      }
      const created = await this.insertOrConflict(tenant, categoryId, input);
      if (created) return { created: true, record: created };
    }
    throw ApiError.internal(new Error('assignment upsert did not settle'));
  }

  private async remove(auth: AuthContext, meta: RequestMeta, filter: Record<string, unknown>): Promise<number> {
    const found = await this.assignments.find(auth.tenant, filter);
    if (found.length === 0) return 0;
    await this.assignments.deleteMany(auth.tenant, { _id: { $in: found.map((a) => a._id) } });
    const now = new Date();
    const changes: CategoryChange[] = found.map((a) => ({
      type: CATEGORY_EVENT.assignmentDeleted,
      subject: assignmentSubject(a.categoryId, a._id),
      version: a.metadata.version,
      time: now,
      data: { id: a._id, categoryId: a.categoryId, ref: { id: a.ref.id, type: a.ref.type }, tenant: auth.tenant },
    }));
    await this.events.emit(auth, meta.requestId, changes);
    return found.length;
  }

  private async emitCreated(auth: AuthContext, meta: RequestMeta, records: AssignmentRecord[]): Promise<void> {
    await this.events.emit(
      auth,
      meta.requestId,
      records.map((r) => ({ type: CATEGORY_EVENT.assignmentCreated, subject: assignmentSubject(r.categoryId, r._id), version: r.metadata.version, time: r.metadata.createdAt, data: assignmentEventData(r, auth.tenant) })),
    );
  }

  private writeLanguages(tenant: string, meta: RequestMeta) {
    const tenantLanguages = this.languages.of(tenant);
    return { tenant: tenantLanguages, allowed: allowedWriteLanguages(meta.contentLanguage, tenantLanguages) };
  }
}

