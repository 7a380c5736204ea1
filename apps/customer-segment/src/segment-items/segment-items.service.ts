import { Inject, Injectable } from '@nestjs/common';
import { ApiError, ErrorDetail, LOGGER, assertBulkArray, assertCustomId, isValidCustomId } from '@suite/api-kit';
import type { Logger } from 'pino';
import { CategoryClient, CategorySnapshot } from '../clients/category.client';
import { activeSegmentFilter } from '../common/activity';
import { AssignmentBodyDto, AssignmentInput, parseAssignmentBody } from '../common/assignment-body';
import { runSegmentBulk } from '../common/bulk';
import { HttpResult, created, list, noContent, ok } from '../common/http-result';
import { andFilters, parseBooleanParam, parseListRequest, parseSingleFields, project } from '../common/list-request';
import { parseAcceptLanguage } from '../common/localization';
import { readerOf } from '../common/reader';
import { RequestCtx } from '../common/request-context';
import { SegmentEvents } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { validateAll } from '../common/validate-dto';
import { SegmentsRepository } from '../segments/segments.repository';
import { SegmentVisibility, segmentNotFound } from '../visibility/segment-visibility.service';
import { ItemBulkItemDto } from './dto/item-bulk.dto';
import { itemDeletedChange, itemUpsertedChange, toItemAssignmentView } from './item-assignment.mapper';
import { ItemAssignmentWrite, ItemKey, ItemType } from './item-assignment.types';
import { ItemAssignmentsRepository } from './item-assignments.repository';
import { ITEM_LIST, parseItemType } from './item.fields';

/** Reserved item id (segment §1.7): the literal `bulk` path beside `{itemId}`. */
const RESERVED_ITEM_IDS = ['bulk'];
/** Parallel best-effort enrichment lookups for one bulk request. */
const ENRICH_CONCURRENCY = 8;

type QueryParams = Record<string, string | undefined>;

/** Item assignments (segment §3.23–§3.30); category trees live in CategoryTreesService. */
@Injectable()
export class SegmentItemsService {
  constructor(
    private readonly items: ItemAssignmentsRepository,
    private readonly segments: SegmentsRepository,
    private readonly visibility: SegmentVisibility,
    private readonly categories: CategoryClient,
    private readonly events: SegmentEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * §3.23: item assignments across segments. FULL: every segment, optionally only those of a site
   * or only active ones; OWN: the caller's visible segments (onlyActive is always true).
   */
  async listAcross(ctx: RequestCtx, query: QueryParams, totalCount: string | undefined): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const [onlyActive, request] = validateAll(
      () => parseBooleanParam(query.onlyActive, 'onlyActive', false),
      () => parseListRequest({ query, totalCountHeader: totalCount, acceptLanguage: ctx.acceptLanguage }, ITEM_LIST, this.settings.languagesOf(tenant)),
    );
    const siteCode = query.siteCode;
    let scope: Record<string, unknown> | undefined;
    if (reader.mode === 'OWN') {
      const ids = await this.visibility.visibleIds(tenant, reader, { siteCode });
      if (ids.length === 0) return list([], request.withTotal ? 0 : undefined);
      scope = { segmentId: { $in: ids } };
    } else if (onlyActive || siteCode !== undefined) {
      const ids = await this.segments.findIds(tenant, andFilters(onlyActive ? activeSegmentFilter(new Date()) : undefined, siteCode === undefined ? undefined : { siteCode }));
      if (ids.length === 0) return list([], request.withTotal ? 0 : undefined);
      scope = { segmentId: { $in: ids } };
    }
    return this.page(tenant, andFilters(scope, request.filter), request);
  }

  /** §3.24/§3.25: the items of one segment; FULL needs it to exist, OWN needs it visible. */
  async list(ctx: RequestCtx, segmentId: string, query: QueryParams, totalCount: string | undefined, searchBody?: { body: unknown }): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const request = parseListRequest(
      { query, body: searchBody?.body, fromBody: searchBody !== undefined, totalCountHeader: totalCount, acceptLanguage: ctx.acceptLanguage },
      ITEM_LIST,
      this.settings.languagesOf(tenant),
    );
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    await this.visibility.readable(tenant, reader, segmentId);
    return this.page(tenant, andFilters({ segmentId }, request.filter), request);
  }

  private async page(tenant: string, filter: Record<string, unknown>, request: ReturnType<typeof parseListRequest>): Promise<HttpResult> {
    const page = await this.items.page(tenant, {
      filter,
      sort: request.sort,
      skip: request.paging.skip,
      limit: request.paging.limit,
      withTotal: request.withTotal,
      maxTimeMS: this.settings.queryMaxTimeMS,
    });
    return list(project(page.items.map((a) => toItemAssignmentView(a, request.languages)), request.fields), page.total);
  }

  /** §3.26. */
  async get(ctx: RequestCtx, segmentId: string, rawType: string, itemId: string, query: QueryParams): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const languages = this.settings.languagesOf(tenant);
    const [type, selection, fields] = validateAll(
      () => parseItemType(rawType),
      () => parseAcceptLanguage(ctx.acceptLanguage, languages),
      () => parseSingleFields(query.fields, ITEM_LIST.projection, languages),
    );
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    await this.visibility.readable(tenant, reader, segmentId);
    const assignment = isValidCustomId(itemId) ? await this.items.findOne(tenant, { segmentId, type, itemId }) : null;
    if (!assignment) throw ApiError.notFound(`${segmentId}/items/${type}/${itemId.slice(0, 128)}`, 'Item assignment not found.');
    return ok(project([toItemAssignmentView(assignment, selection)], fields)[0]);
  }

  /** §3.27: upsert; 201 with Location when created, 204 when replaced. */
  async put(ctx: RequestCtx, segmentId: string, rawType: string, itemId: string, body: unknown): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const problems: ErrorDetail[] = [];
    let type: ItemType | undefined;
    collect(problems, () => (type = parseItemType(rawType)));
    collect(problems, () => assertCustomId(segmentId, 'segmentId'));
    collect(problems, () => assertCustomId(itemId, 'itemId', { reserved: RESERVED_ITEM_IDS }));
    let input: AssignmentInput | undefined;
    collect(problems, () => (input = parseAssignmentBody(body, AssignmentBodyDto, { optional: true }).input));
    if (problems.length) throw ApiError.validation(problems);
    await this.visibility.requireExisting(tenant, segmentId);
    const key: ItemKey = { segmentId, type: type!, itemId };
    const enrichment = type === 'CATEGORY' ? await this.categories.snapshot(ctx, itemId) : undefined;
    const outcome = await this.upsertOne(ctx, key, { ...input!, enrichment });
    return outcome.created ? created(`/customer-segment/${tenant}/segments/${segmentId}/items/${type}/${itemId}`) : noContent();
  }

  /** Same discipline as customer assignments: one command without a version, guarded with one. */
  private async upsertOne(ctx: RequestCtx, key: ItemKey, write: ItemAssignmentWrite): Promise<{ created: boolean }> {
    const tenant = ctx.auth.tenant;
    const now = new Date();
    let outcome;
    if (write.expectedVersion === undefined) {
      outcome = await this.items.upsert(tenant, key, write, now);
    } else {
      const updated = await this.items.updateExisting(tenant, key, write, now, write.expectedVersion);
      if (updated) outcome = { created: false, value: updated };
      else {
        const id = `${key.segmentId}/items/${key.type}/${key.itemId}`;
        const stored = await this.items.findOne(tenant, key);
        if (stored) throw ApiError.versionConflict(id, write.expectedVersion, stored.metadata.version);
        try {
          outcome = { created: true, value: await this.items.insert(tenant, key, write, now) };
        } catch (e) {
          if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
          const raced = await this.items.findOne(tenant, key);
          throw ApiError.versionConflict(id, write.expectedVersion, raced?.metadata.version);
        }
      }
    }
    await this.events.emit(ctx, itemUpsertedChange(outcome.value, outcome.created));
    return { created: outcome.created };
  }

  /** §3.28: idempotent; only a bad `{type}` is an error. */
  async delete(ctx: RequestCtx, segmentId: string, rawType: string, itemId: string): Promise<HttpResult> {
    const type = parseItemType(rawType);
    if (isValidCustomId(segmentId) && isValidCustomId(itemId)) await this.deleteOne(ctx, { segmentId, type, itemId });
    return noContent();
  }

  private async deleteOne(ctx: RequestCtx, key: ItemKey): Promise<void> {
    const deleted = await this.items.delete(ctx.auth.tenant, key);
    if (deleted) await this.events.emit(ctx, itemDeletedChange(deleted, new Date()));
  }

  /** §3.29: 207 per element; category snapshots are fetched in parallel up front (best-effort). */
  async bulkUpsert(ctx: RequestCtx, segmentId: string, rawType: string, body: unknown): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const [type, elements] = validateAll(
      () => parseItemType(rawType),
      () => assertBulkArray(body),
    );
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    await this.visibility.requireExisting(tenant, segmentId);
    const parsed = elements.map((element) => {
      try {
        const { dto, input } = parseAssignmentBody(element, ItemBulkItemDto, {
          extra: (d, problems) => {
            if (typeof d.id === 'string') collect(problems, () => assertCustomId(d.id, 'id', { reserved: RESERVED_ITEM_IDS }));
          },
        });
        return { ok: true as const, key: { segmentId, type, itemId: dto.id }, input };
      } catch (e) {
        return { ok: false as const, error: e };
      }
    });
    const snapshots = type === 'CATEGORY' ? await this.snapshots(ctx, parsed.flatMap((p) => (p.ok ? [p.key.itemId] : []))) : new Map<string, CategorySnapshot | undefined>();
    const results = await runSegmentBulk(
      parsed,
      async (p) => {
        if (!p.ok) throw p.error;
        const outcome = await this.upsertOne(ctx, p.key, { ...p.input, enrichment: snapshots.get(p.key.itemId) });
        return { code: outcome.created ? 201 : 204 };
      },
      { onUnexpected: (e) => this.logger.error({ err: e }, 'bulk element failed unexpectedly') },
    );
    return { status: 207, body: results };
  }

  /** §3.30: strings are deleted (204 also when absent); anything else is a 400 element. */
  async bulkDelete(ctx: RequestCtx, segmentId: string, rawType: string, body: unknown): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const [type, elements] = validateAll(
      () => parseItemType(rawType),
      () => assertBulkArray(body),
    );
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    await this.visibility.requireExisting(tenant, segmentId);
    const results = await runSegmentBulk(
      elements,
      async (element) => {
        if (typeof element !== 'string') throw ApiError.validation([{ type: 'invalid_type', message: 'each element must be an item id string' }]);
        if (isValidCustomId(element)) await this.deleteOne(ctx, { segmentId, type, itemId: element });
        return { code: 204 };
      },
      { onUnexpected: (e) => this.logger.error({ err: e }, 'bulk element failed unexpectedly') },
    );
    return { status: 207, body: results };
  }

  private async snapshots(ctx: RequestCtx, ids: string[]): Promise<Map<string, CategorySnapshot | undefined>> {
    const unique = [...new Set(ids)];
    const out = new Map<string, CategorySnapshot | undefined>();
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const id = unique[next++];
        out.set(id, await this.categories.snapshot(ctx, id));
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENRICH_CONCURRENCY, unique.length) }, worker));
    return out;
  }
}

function collect(problems: ErrorDetail[], check: () => unknown): void {
  try {
    check();
  } catch (e) {
    if (e instanceof ApiError) problems.push(...e.details);
    else throw e;
  }
}
