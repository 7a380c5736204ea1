import { Inject, Injectable } from '@nestjs/common';
import {
  ApiError,
  BulkItemResult,
  LOGGER,
  Outcome,
  assertBulkArray,
  isValidCustomId,
  parseFields,
  selectLanguages,
  validateAll,
} from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import type { Logger } from 'pino';
import { CategoryClient, CategorySnapshot } from '../clients/category.client';
import { activeSegmentFilter } from '../common/activity';
import { assignmentWrite } from '../common/dto/assignment-body.dto';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { bulkElement, runSegmentBulk } from '../common/bulk';
import { listPage } from '../common/list-page';
import { Listing, andFilters, project, readListing } from '../common/listing';
import { readerOf } from '../common/reader';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { SegmentsRepository } from '../segments/segments.repository';
import { SegmentVisibility, segmentNotFound } from '../visibility/segment-visibility.service';
import {
  ItemAssignmentListQueryDto,
  ItemAssignmentReadQueryDto,
  ItemAssignmentSearchQueryDto,
  ItemAssignmentsAcrossQueryDto,
} from './dto/item-assignment-query.dto';
import { BulkReplaceItemAssignmentDto, ReplaceItemAssignmentDto } from './dto/replace-item-assignment.dto';
import { itemDeletedChange, itemUpsertedChange, toItemAssignmentView } from './item-assignment.mapper';
import { ItemAssignmentWrite, ItemKey, ItemType } from './item-assignment.types';
import { ItemAssignmentsRepository } from './item-assignments.repository';
import { ITEM_LIST } from './item.fields';

/** Parallel best-effort enrichment lookups for one bulk request. */
const ENRICH_CONCURRENCY = 8;

/** Item assignments (segment §3.23–§3.30); category trees live in CategoryTreesService. */
@Injectable()
export class SegmentItemsService {
  constructor(
    private readonly items: ItemAssignmentsRepository,
    private readonly segments: SegmentsRepository,
    private readonly visibility: SegmentVisibility,
    private readonly categories: CategoryClient,
    private readonly events: ChangeEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * §3.23: item assignments across segments. FULL: every segment, optionally only those of a site
   * or only active ones; OWN: the caller's visible segments (onlyActive is always true).
   */
  async listAcross(ctx: RequestContext, query: ItemAssignmentsAcrossQueryDto) {
    const tenant = ctx.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const listing = readListing({ query, acceptLanguage: ctx.acceptLanguage }, ITEM_LIST, this.settings.languages.languagesOf(tenant));
    const siteCode = query.siteCode;
    const empty = Outcome.page({ items: [], total: ctx.wantsTotal ? 0 : undefined });
    let scope: Record<string, unknown> | undefined;
    if (reader.mode === 'OWN') {
      const ids = await this.visibility.visibleIds(tenant, reader, { siteCode });
      if (ids.length === 0) return empty;
      scope = { segmentId: { $in: ids } };
    } else if (query.onlyActive || siteCode !== undefined) {
      const ids = await this.segments.findIds(
        tenant,
        andFilters(query.onlyActive ? activeSegmentFilter(new Date()) : undefined, siteCode === undefined ? undefined : { siteCode }),
      );
      if (ids.length === 0) return empty;
      scope = { segmentId: { $in: ids } };
    }
    return this.page(ctx, andFilters(scope, listing.filter), listing);
  }

  /** §3.24/§3.25: the items of one segment; FULL needs it to exist, OWN needs it visible. */
  async list(
    ctx: RequestContext,
    segmentId: string,
    query: ItemAssignmentListQueryDto | ItemAssignmentSearchQueryDto,
    search?: SearchBodyDto,
  ) {
    const tenant = ctx.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const listing = readListing(
      { query, acceptLanguage: ctx.acceptLanguage, search: search && { body: search } },
      ITEM_LIST,
      this.settings.languages.languagesOf(tenant),
    );
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    await this.visibility.readable(tenant, reader, segmentId);
    return this.page(ctx, andFilters({ segmentId }, listing.filter), listing);
  }

  private page(ctx: RequestContext, filter: Record<string, unknown>, listing: Listing) {
    return listPage(ctx, this.items, { listing, filter, maxTimeMS: this.settings.queryMaxTimeMS }, toItemAssignmentView);
  }

  /** §3.26. */
  async get(ctx: RequestContext, key: ItemKey, query: ItemAssignmentReadQueryDto) {
    const tenant = ctx.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const languages = this.settings.languages.languagesOf(tenant);
    const [selection, fields] = validateAll(
      () => selectLanguages(ctx.acceptLanguage, languages),
      () => parseFields(query.fields, ITEM_LIST.projection, { tenantLanguages: languages }),
    );
    if (!isValidCustomId(key.segmentId)) throw segmentNotFound(key.segmentId);
    await this.visibility.readable(tenant, reader, key.segmentId);
    const assignment = isValidCustomId(key.itemId) ? await this.items.findOne(tenant, key) : null;
    if (!assignment)
      throw ApiError.notFound(`${key.segmentId}/items/${key.type}/${key.itemId.slice(0, 128)}`, 'Item assignment not found.');
    return project([toItemAssignmentView(assignment, selection)], fields)[0];
  }

  /** §3.27: upsert; 201 with Location when created, 204 when replaced. Ids and body passed the pipe. */
  async replace(ctx: RequestContext, key: ItemKey, body: ReplaceItemAssignmentDto): Promise<Outcome<never>> {
    const tenant = ctx.tenant;
    await this.visibility.requireExisting(tenant, key.segmentId);
    const enrichment = key.type === 'CATEGORY' ? await this.categories.snapshot(ctx, key.itemId) : undefined;
    const outcome = await this.upsertOne(ctx, key, { ...assignmentWrite(body), enrichment });
    return Outcome.upserted(outcome.created, `/customer-segment/${tenant}/segments/${key.segmentId}/items/${key.type}/${key.itemId}`);
  }

  /** Same discipline as customer assignments: one command without a version, guarded with one. */
  private async upsertOne(ctx: RequestContext, key: ItemKey, write: ItemAssignmentWrite): Promise<{ created: boolean }> {
    const tenant = ctx.tenant;
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
    await this.events.emit(ctx, ...inTenant(tenant, itemUpsertedChange(outcome.value, outcome.created)));
    return { created: outcome.created };
  }

  /** §3.28: idempotent; only a bad `{type}` is an error (the pipe's). */
  async delete(ctx: RequestContext, key: ItemKey): Promise<Outcome<never>> {
    if (isValidCustomId(key.segmentId) && isValidCustomId(key.itemId)) await this.deleteOne(ctx, key);
    return Outcome.noContent();
  }

  private async deleteOne(ctx: RequestContext, key: ItemKey): Promise<void> {
    const deleted = await this.items.delete(ctx.tenant, key);
    if (deleted) await this.events.emit(ctx, ...inTenant(ctx.tenant, itemDeletedChange(deleted, new Date())));
  }

  /** §3.29: 207 per element, each judged like a single body; category snapshots are fetched in parallel up front (best-effort). */
  async bulkUpsert(ctx: RequestContext, segmentId: string, type: ItemType, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    const tenant = ctx.tenant;
    const elements = assertBulkArray(body);
    await this.visibility.requireExisting(tenant, segmentId);
    const parsed = elements.map((element) => {
      try {
        const dto = bulkElement(BulkReplaceItemAssignmentDto, element);
        return { ok: true as const, key: { segmentId, type, itemId: dto.id }, write: assignmentWrite(dto) };
      } catch (e) {
        return { ok: false as const, error: e };
      }
    });
    const snapshots =
      type === 'CATEGORY'
        ? await this.snapshots(
            ctx,
            parsed.flatMap((p) => (p.ok ? [p.key.itemId] : [])),
          )
        : new Map<string, CategorySnapshot | undefined>();
    const results = await runSegmentBulk(
      parsed,
      async (p) => {
        if (!p.ok) throw p.error;
        const outcome = await this.upsertOne(ctx, p.key, { ...p.write, enrichment: snapshots.get(p.key.itemId) });
        return { code: outcome.created ? 201 : 204 };
      },
      { logger: this.logger },
    );
    return Outcome.multiStatus(results);
  }

  /** §3.30: strings are deleted (204 also when absent); anything else is a 400 element. */
  async bulkDelete(ctx: RequestContext, segmentId: string, type: ItemType, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    const elements = assertBulkArray(body);
    await this.visibility.requireExisting(ctx.tenant, segmentId);
    const results = await runSegmentBulk(
      elements,
      async (element) => {
        if (typeof element !== 'string')
          throw ApiError.validation([{ type: 'invalid_type', message: 'each element must be an item id string' }]);
        if (isValidCustomId(element)) await this.deleteOne(ctx, { segmentId, type, itemId: element });
        return { code: 204 };
      },
      { logger: this.logger },
    );
    return Outcome.multiStatus(results);
  }

  private async snapshots(ctx: RequestContext, ids: string[]): Promise<Map<string, CategorySnapshot | undefined>> {
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
