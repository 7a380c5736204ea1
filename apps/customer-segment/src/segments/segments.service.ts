import { Inject, Injectable } from '@nestjs/common';
import {
  ApiError,
  ContentLanguage,
  EVENT_TYPES,
  Outcome,
  assertAddressableId,
  isValidCustomId,
  mediaTypeOf,
  newHexId,
  parseContentLanguage,
  parseFields,
  selectLanguages,
  validateAll,
  versionMiss,
  withVersionRetry,
} from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { activeSegmentFilter } from '../common/activity';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { listPage } from '../common/list-page';
import { andFilters, project, readListing } from '../common/listing';
import { readerOf } from '../common/reader';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { SegmentVisibility } from '../visibility/segment-visibility.service';
import { CreateSegmentDto } from './dto/create-segment.dto';
import { PatchSegmentOperationDto } from './dto/patch-segment.dto';
import { ReplaceSegmentDto } from './dto/replace-segment.dto';
import { SegmentListQueryDto, SegmentReadQueryDto, SegmentSearchQueryDto } from './dto/segment-query.dto';
import { SegmentIdResponseDto } from './dto/segment.response.dto';
import { RuleEvaluation } from '../rules/rule-evaluation.service';
import { SegmentCascade } from './segment-cascade.service';
import { SEGMENT_LIST } from './segment.fields';
import { segmentCreatedData, segmentUpdatedData, toSegmentView } from './segment.mapper';
import { applySegmentPatch, parseSegmentPatch } from './segment-patch';
import { SegmentInput, needsStoredTranslations, readSegmentWrite, stateFrom } from './segment-state';
import { SegmentsRepository } from './segments.repository';
import { Segment, SegmentState } from './segment.types';

/**
 * Segments: create, read, list, upsert, patch and delete (segment §3.1–§3.7). The single-element
 * cores (`createOne`, `upsertOne`) are shared with the bulk operations so a bulk element behaves
 * exactly like a single request.
 */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly visibility: SegmentVisibility,
    private readonly cascade: SegmentCascade,
    private readonly events: ChangeEvents,
    private readonly rules: RuleEvaluation,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  /** LOC-2: the tenant's languages, first the default. */
  languages(ctx: RequestContext): readonly string[] {
    return this.settings.languages.languagesOf(ctx.tenant);
  }

  // ---- reads ------------------------------------------------------------------------------

  /** §3.2/§3.3: FULL sees every segment (optionally of one customer), OWN its visible ones. */
  async list(ctx: RequestContext, query: SegmentListQueryDto | SegmentSearchQueryDto, search?: SearchBodyDto) {
    const reader = readerOf(ctx.auth, { customerId: query.customerId, legalEntityId: query.legalEntityId });
    const listing = readListing(
      { query, acceptLanguage: ctx.acceptLanguage, search: search && { body: search } },
      SEGMENT_LIST,
      this.languages(ctx),
    );
    const empty = Outcome.page({ items: [], total: ctx.wantsTotal ? 0 : undefined });
    let scope: Record<string, unknown> | undefined;
    if (reader.mode === 'OWN') {
      const ids = await this.visibility.visibleIds(ctx.tenant, reader);
      if (ids.length === 0) return empty;
      scope = { _id: { $in: ids } };
    } else if (reader.customerId !== undefined) {
      // Membership only, no activity filter: callers such as the coupon service decide activity (§3.2, §7).
      const ids = await this.visibility.memberIds(ctx.tenant, reader.customerId, reader.legalEntityId);
      if (ids.length === 0) return empty;
      scope = { _id: { $in: ids } };
    }
    const request = { listing, filter: andFilters(scope, listing.filter), maxTimeMS: this.settings.queryMaxTimeMS };
    return listPage(ctx, this.segments, request, toSegmentView);
  }

  /** §3.4: one segment; OWN readers only see their visible segments (else 404). */
  async get(ctx: RequestContext, id: string, query: SegmentReadQueryDto) {
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId });
    const languages = this.languages(ctx);
    const [selection, fields] = validateAll(
      () => selectLanguages(ctx.acceptLanguage, languages),
      () => parseFields(query.fields, SEGMENT_LIST.projection, { tenantLanguages: languages }),
    );
    assertAddressableId(id);
    let segment: Segment | null;
    if (reader.mode === 'FULL') segment = await this.segments.findById(ctx.tenant, id);
    else segment = (await this.visibility.readable(ctx.tenant, reader, id)).segment;
    if (!segment) throw ApiError.notFound(id, `Segment with id '${id}' not found.`);
    return project([toSegmentView(segment, selection)], fields)[0];
  }

  // ---- writes -----------------------------------------------------------------------------

  /** §3.1. */
  async create(ctx: RequestContext, body: CreateSegmentDto): Promise<Outcome<SegmentIdResponseDto>> {
    const input = readSegmentWrite(ctx, this.languages(ctx), body);
    const segment = await this.createOne(ctx, input);
    return Outcome.created(this.location(ctx, segment.id), { id: segment.id });
  }

  /** Creates a validated segment: tenant limit (§1.12), insert (409 on a taken id), event. */
  async createOne(ctx: RequestContext, input: SegmentInput): Promise<Segment> {
    const id = input.id ?? newHexId();
    await this.assertTenantLimit(ctx.tenant);
    const segment = await this.segments.insert(ctx.tenant, id, stateFrom(input), new Date());
    const change = {
      type: EVENT_TYPES.customerSegment.segmentCreated,
      subject: id,
      version: 1,
      time: segment.metadata.modifiedAt,
      data: segmentCreatedData(segment),
    };
    await this.events.emit(ctx, ...inTenant(ctx.tenant, change));
    if (segment.rule !== undefined) await this.rules.ruleChanged(ctx, id, segment.rule, 1);
    return segment;
  }

  /** §3.5: upsert; 201 when created, 204 when replaced. */
  async replace(ctx: RequestContext, id: string, body: ReplaceSegmentDto): Promise<Outcome<SegmentIdResponseDto>> {
    const input = readSegmentWrite(ctx, this.languages(ctx), body, id);
    const { created } = await this.upsertOne(ctx, id, input);
    return Outcome.upserted(created, this.location(ctx, id), { id });
  }

  /**
   * Replaces the segment in one guarded update (META-5.4) or creates it. String-valued localized
   * fields need the stored maps (LOC-5): then the write is guarded by the version read, and
   * retried when the client sent no version.
   */
  async upsertOne(ctx: RequestContext, id: string, input: SegmentInput, racesLeft = 3): Promise<{ created: boolean }> {
    const tenant = ctx.tenant;
    if (!needsStoredTranslations(input)) {
      const state = stateFrom(input);
      const now = new Date();
      const before = await this.segments.replace(tenant, id, input.expectedVersion, state, now);
      if (before) {
        await this.emitUpdated(ctx, before, state, now);
        return { created: false };
      }
      return this.createOrConflict(ctx, id, input, racesLeft);
    }
    let outcome: { created: boolean } | undefined;
    await withVersionRetry(
      input.expectedVersion,
      async () => {
        const stored = await this.segments.findById(tenant, id);
        if (!stored) {
          outcome = await this.createOrConflict(ctx, id, input, racesLeft);
          return true;
        }
        if (input.expectedVersion !== undefined && stored.metadata.version !== input.expectedVersion)
          versionMiss(id, input.expectedVersion, stored.metadata);
        const state = stateFrom(input, stored);
        const now = new Date();
        const before = await this.segments.replace(tenant, id, stored.metadata.version, state, now);
        if (!before) return false;
        await this.emitUpdated(ctx, before, state, now);
        outcome = { created: false };
        return true;
      },
      async () => this.conflict(tenant, id, input.expectedVersion),
    );
    return outcome!;
  }

  /** The guarded update matched nothing: create when absent, else the version moved (409). */
  private async createOrConflict(ctx: RequestContext, id: string, input: SegmentInput, racesLeft: number): Promise<{ created: boolean }> {
    const stored = await this.segments.versionOf(ctx.tenant, id);
    if (stored !== null) {
      if (input.expectedVersion !== undefined || racesLeft <= 0) versionMiss(id, input.expectedVersion ?? stored, { version: stored });
      // Created concurrently between our update and this read: replace it now (last write wins).
      return this.upsertOne(ctx, id, input, racesLeft - 1);
    }
    try {
      // META-5.3: a version sent with a PUT that creates is ignored; the segment starts at 1.
      await this.createOne(ctx, { ...input, id });
    } catch (e) {
      if (e instanceof ApiError && e.errorCode === 'duplicate_resource' && racesLeft > 0 && input.expectedVersion === undefined) {
        return this.upsertOne(ctx, id, input, racesLeft - 1);
      }
      if (e instanceof ApiError && e.errorCode === 'duplicate_resource' && input.expectedVersion !== undefined) {
        return this.conflict(ctx.tenant, id, input.expectedVersion);
      }
      throw e;
    }
    return { created: true };
  }

  private async conflict(tenant: string, id: string, expected: number | undefined): Promise<never> {
    const stored = await this.segments.versionOf(tenant, id);
    return versionMiss(id, expected ?? -1, stored === null ? null : { version: stored });
  }

  private async emitUpdated(ctx: RequestContext, before: Segment, state: SegmentState, now: Date): Promise<void> {
    const after = afterReplace(before, state, now);
    const change = {
      type: EVENT_TYPES.customerSegment.segmentUpdated,
      subject: after.id,
      version: after.metadata.version,
      time: after.metadata.modifiedAt,
      data: segmentUpdatedData(after, before.status),
    };
    await this.events.emit(ctx, ...inTenant(ctx.tenant, change));
    // README "Rule-based segments": a set, changed or removed rule re-evaluates every profile; so
    // does a write that finds the stored rule without its job (an instance stopped between the two).
    const rule = state.rule ?? null;
    if ((before.rule ?? null) !== rule || (await this.rules.missedFor(ctx.tenant, after.id, rule))) {
      await this.rules.ruleChanged(ctx, after.id, rule, after.metadata.version);
    }
  }

  /** §3.6: JSON Patch, atomic, written with one update guarded by the version read. */
  async patch(ctx: RequestContext, id: string, body: PatchSegmentOperationDto[] | undefined): Promise<Outcome<never>> {
    const languages = this.languages(ctx);
    // META-6: a JSON Patch is never a merge patch; refused as a media type (ERR-10 step 5), before validation.
    if (body !== undefined && mediaTypeOf(ctx.contentType) === 'application/merge-patch+json') {
      throw new ApiError('unsupported_media_type', 'PATCH takes a JSON Patch document: application/json-patch+json or application/json.', {
        details: [{ field: 'Content-Type', type: 'invalid_value', message: 'application/merge-patch+json is not accepted here' }],
      });
    }
    const [contentLanguage, ops] = validateAll(
      () => this.contentLanguage(ctx),
      () => parseSegmentPatch(body, languages),
    );
    assertAddressableId(id);
    // META-5.4: with a version `test` the first miss is a 409; without one, up to 3 retries.
    const tested = ops.find((o) => o.op === 'test')?.value as number | undefined;
    let lastRead = 0;
    await withVersionRetry(
      tested,
      async () => {
        const stored = await this.segments.findById(ctx.tenant, id);
        if (!stored) throw ApiError.notFound(id, `Segment with id '${id}' not found.`);
        lastRead = stored.metadata.version;
        if (tested !== undefined && tested !== stored.metadata.version) versionMiss(id, tested, stored.metadata);
        const state = applySegmentPatch(stored, ops, languages, contentLanguage);
        const now = new Date();
        const before = await this.segments.replace(ctx.tenant, id, stored.metadata.version, state, now);
        if (!before) return false;
        await this.emitUpdated(ctx, before, state, now);
        return true;
      },
      async () => this.conflict(ctx.tenant, id, tested ?? lastRead),
    );
    return Outcome.noContent();
  }

  /** §3.7: idempotent delete; assignments block it unless `forceDelete=true` (cascade, §5). */
  async delete(ctx: RequestContext, id: string, force: boolean): Promise<Outcome<never>> {
    if (isValidCustomId(id)) await this.cascade.deleteSegment(ctx, id, force);
    return Outcome.noContent();
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** LOC-4: the request's `Content-Language` against the tenant's languages. */
  contentLanguage(ctx: RequestContext): ContentLanguage {
    return parseContentLanguage(ctx.contentLanguage, this.languages(ctx));
  }

  location(ctx: RequestContext, id: string): string {
    return `/customer-segment/${ctx.tenant}/segments/${encodeURIComponent(id)}`;
  }

  /**
   * §1.12: refuse a creation beyond the tenant limit. Counted before the insert, so concurrent
   * creations overshoot by at most the number of concurrent requests; reads never wait for it.
   */
  private async assertTenantLimit(tenant: string): Promise<void> {
    const max = this.settings.maxSegmentsPerTenant;
    if ((await this.segments.count(tenant)) >= max) {
      throw ApiError.businessRule(`The tenant already has the maximum of ${max} segments (SEGMENT_MAX_PER_TENANT).`, [
        { type: 'limit_exceeded', message: `segments per tenant: ${max}` },
      ]);
    }
  }

  /** Active segments matching ids and site (match §9); exposed for the match service. */
  activeOfSite(tenant: string, ids: string[], siteCode: string): Promise<string[]> {
    return this.segments.findIds(tenant, andFilters({ _id: { $in: ids } }, { siteCode }, activeSegmentFilter(new Date())));
  }
}

/** The segment as stored after a replace of `before` with `state` (version +1). */
export function afterReplace(before: Segment, state: SegmentState, now: Date): Segment {
  const after: Segment = {
    id: before.id,
    name: state.name,
    status: state.status,
    siteCode: state.siteCode,
    metadata: { version: before.metadata.version + 1, createdAt: before.metadata.createdAt, modifiedAt: now },
  };
  if (state.description) after.description = state.description;
  if (state.validity) after.validity = state.validity;
  if (state.mixins !== undefined) after.mixins = state.mixins;
  if (state.rule !== undefined) after.rule = state.rule;
  if (state.metadataMixins) after.metadata.mixins = state.metadataMixins;
  return after;
}
