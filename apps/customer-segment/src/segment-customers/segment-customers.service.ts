import { Inject, Injectable } from '@nestjs/common';
import { ApiError, BulkItemResult, LOGGER, Outcome, assertBulkArray, isPlainObject, isValidCustomId, parseFields } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import type { Logger } from 'pino';
import { assignmentWrite } from '../common/dto/assignment-body.dto';
import { SearchBodyDto } from '../common/dto/search-body.dto';
import { bulkElement, runSegmentBulk } from '../common/bulk';
import { listPage } from '../common/list-page';
import { andFilters, project, readListing } from '../common/listing';
import { readerOf } from '../common/reader';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { SegmentVisibility, segmentNotFound } from '../visibility/segment-visibility.service';
import { CUSTOMER_LIST } from './customer.fields';
import { customerDeletedChange, customerUpsertedChange, toCustomerAssignmentView } from './customer-assignment.mapper';
import { CustomerAssignment, CustomerAssignmentWrite, CustomerKey } from './customer-assignment.types';
import { CustomerAssignmentsRepository, PlannedWrite, customerCountKey } from './customer-assignments.repository';
import { RESERVED_CUSTOMER_IDS } from './dto/customer-assignment-params.dto';
import { CustomerAssignmentListQueryDto, CustomerAssignmentSearchQueryDto } from './dto/customer-assignment-query.dto';
import {
  BulkReplaceCustomerAssignmentDto,
  CustomerAssignmentKeyDto,
  ReplaceCustomerAssignmentDto,
} from './dto/replace-customer-assignment.dto';

/**
 * Tracks how many segments each (customer, legal entity) belongs to during one request, from one
 * aggregation up front (segment §1.12). Concurrent requests can each add one membership per key
 * past the limit at most: the overshoot the contract allows.
 */
class MembershipCounter {
  constructor(
    private readonly counts: Map<string, number>,
    readonly max: number,
  ) {}
  canAdd(key: CustomerKey): boolean {
    return (this.counts.get(customerCountKey(key.customerId, key.legalEntityId)) ?? 0) < this.max;
  }
  added(key: CustomerKey): void {
    const k = customerCountKey(key.customerId, key.legalEntityId);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
}

function assignmentId(key: CustomerKey): string {
  return key.legalEntityId === null
    ? `${key.segmentId}/customers/${key.customerId}`
    : `${key.segmentId}/customers/${key.customerId}/${key.legalEntityId}`;
}

/** Customer assignments of a segment (segment §3.12–§3.21). */
@Injectable()
export class SegmentCustomersService {
  constructor(
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly visibility: SegmentVisibility,
    private readonly events: ChangeEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** §3.12/§3.13: FULL lists every assignment, OWN only the caller's relevant ones (segment visible). */
  async list(
    ctx: RequestContext,
    segmentId: string,
    query: CustomerAssignmentListQueryDto | CustomerAssignmentSearchQueryDto,
    search?: SearchBodyDto,
  ) {
    const tenant = ctx.tenant;
    const reader = readerOf(ctx.auth, {});
    // Assignments have no localized fields: Accept-Language plays no part here.
    const listing = readListing({ query, search: search && { body: search } }, CUSTOMER_LIST, this.settings.languages.languagesOf(tenant));
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    const readable = await this.visibility.readable(tenant, reader, segmentId);
    const own = readable.ownLegalEntities
      ? { customerId: reader.customerId, legalEntityId: { $in: readable.ownLegalEntities } }
      : undefined;
    const request = { listing, filter: andFilters({ segmentId }, own, listing.filter), maxTimeMS: this.settings.queryMaxTimeMS };
    return listPage(ctx, this.assignments, request, toCustomerAssignmentView);
  }

  /** §3.14/§3.17: one assignment (B2C when `legalEntityId` is null); FULL readers only. */
  async get(ctx: RequestContext, key: CustomerKey, fields: string | undefined) {
    const tenant = ctx.tenant;
    const selection = parseFields(fields, CUSTOMER_LIST.projection, { tenantLanguages: this.settings.languages.languagesOf(tenant) });
    if (!isValidCustomId(key.segmentId)) throw segmentNotFound(key.segmentId);
    const [exists, assignment] = await Promise.all([
      this.visibility.requireExisting(tenant, key.segmentId).then(() => true),
      isValidCustomId(key.customerId) && (key.legalEntityId === null || isValidCustomId(key.legalEntityId))
        ? this.assignments.findOne(tenant, key)
        : Promise.resolve(null),
    ]);
    if (!exists || !assignment) throw ApiError.notFound(assignmentId(key), 'Customer assignment not found.');
    return project([toCustomerAssignmentView(assignment)], selection)[0];
  }

  /** §3.15/§3.18: upsert one assignment; 201 when created, 204 when replaced. Ids and body passed the pipe. */
  async replace(ctx: RequestContext, key: CustomerKey, body: ReplaceCustomerAssignmentDto): Promise<Outcome<never>> {
    const tenant = ctx.tenant;
    await this.visibility.requireExisting(tenant, key.segmentId);
    const counter = await this.counter(tenant, [key.customerId]);
    const outcome = await this.upsertOne(ctx, key, assignmentWrite(body), counter);
    const legalEntity = key.legalEntityId === null ? '' : `/${key.legalEntityId}`;
    const path = `/customer-segment/${tenant}/segments/${key.segmentId}/customers/${key.customerId}${legalEntity}`;
    return Outcome.upserted(outcome.created, path);
  }

  /**
   * One upsert in as few round trips as possible: without a version, one `findAndModify` upsert
   * (or a plain update when the per-customer limit forbids a creation); with a version, one
   * guarded update and, only when it misses, a read to tell 404 from 409 (META-5.4).
   */
  private async upsertOne(
    ctx: RequestContext,
    key: CustomerKey,
    write: CustomerAssignmentWrite,
    counter: MembershipCounter,
  ): Promise<{ created: boolean }> {
    const tenant = ctx.tenant;
    const now = new Date();
    let result: { created: boolean; value: CustomerAssignment };
    if (write.expectedVersion === undefined) {
      if (counter.canAdd(key)) {
        result = await this.assignments.upsert(tenant, key, write, now);
      } else {
        const updated = await this.assignments.updateExisting(tenant, key, write, now);
        if (!updated) throw limitReached(counter.max);
        result = { created: false, value: updated };
      }
    } else {
      const updated = await this.assignments.updateExisting(tenant, key, write, now, write.expectedVersion);
      if (updated) result = { created: false, value: updated };
      else {
        const stored = await this.assignments.findOne(tenant, key);
        if (stored) throw ApiError.versionConflict(assignmentId(key), write.expectedVersion, stored.metadata.version);
        if (!counter.canAdd(key)) throw limitReached(counter.max);
        try {
          // META-5.3: a version sent with an upsert that creates is ignored; the assignment starts at 1.
          result = { created: true, value: await this.assignments.insert(tenant, key, write, now) };
        } catch (e) {
          if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
          const raced = await this.assignments.findOne(tenant, key);
          throw ApiError.versionConflict(assignmentId(key), write.expectedVersion, raced?.metadata.version);
        }
      }
    }
    if (result.created) counter.added(key);
    await this.events.emit(ctx, ...inTenant(tenant, customerUpsertedChange(result.value, result.created)));
    return { created: result.created };
  }

  /**
   * §3.16/§3.19: idempotent. B2C: an unknown segment is 204 too; B2B: an unknown segment is 404
   * (§3.17–3.19 "as for the bulk delete").
   */
  async delete(ctx: RequestContext, key: CustomerKey): Promise<Outcome<never>> {
    const { segmentId, customerId, legalEntityId } = key;
    if (legalEntityId !== null) {
      await this.visibility.requireExisting(ctx.tenant, segmentId);
    }
    if (!isValidCustomId(segmentId) || !isValidCustomId(customerId) || (legalEntityId !== null && !isValidCustomId(legalEntityId)))
      return Outcome.noContent();
    await this.deleteOne(ctx, key);
    return Outcome.noContent();
  }

  private async deleteOne(ctx: RequestContext, key: CustomerKey): Promise<void> {
    const deleted = await this.assignments.delete(ctx.tenant, key);
    if (deleted) await this.events.emit(ctx, ...inTenant(ctx.tenant, customerDeletedChange(deleted, new Date())));
  }

  /**
   * §3.20: 207 with one result per element (no `id`), in request order; unknown segment 404.
   *
   * The hot path of the service, so it is planned and written in a handful of round trips instead
   * of one or two per element: one read of the elements' existing assignments, one aggregation for
   * the per-customer limit, one ordered `bulkWrite` of guarded single-document writes, one outbox
   * write for the events. The plan applies the elements in order against what was read (later
   * duplicates see earlier elements, BULK-4). If a concurrent writer moved something the plan
   * relied on, the bulkWrite stops at that write and the remaining elements are processed one by
   * one with fresh reads, exactly like single requests.
   */
  async bulkUpsert(ctx: RequestContext, segmentId: string, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    const tenant = ctx.tenant;
    const items = assertBulkArray(body);
    if (!isValidCustomId(segmentId)) throw segmentNotFound(segmentId);
    // The existence check runs beside the two planning reads (one round trip of latency instead of
    // two); nothing is written before all three are in, so an unknown segment is still a 404.
    const segmentExists = this.visibility.requireExisting(tenant, segmentId);
    // Awaited below; marked handled so a throw in between cannot turn it into an unhandled rejection.
    segmentExists.catch(() => undefined);
    const parsed = items.map((item) => {
      try {
        return { ok: true as const, ...parseCustomerElement(item, segmentId) };
      } catch (e) {
        return { ok: false as const, error: e };
      }
    });
    const customerIds = parsed.flatMap((p) => (p.ok ? [p.key.customerId] : []));
    const [, stored, counts] = await Promise.all([
      segmentExists,
      this.assignments.existingInSegment(tenant, segmentId, customerIds),
      this.assignments.countsByCustomer(tenant, customerIds),
    ]);
    const counter = new MembershipCounter(counts, this.settings.maxSegmentsPerCustomer);
    const now = new Date();

    // Plan: decide every element in order against the state as it will be after the earlier ones.
    const outcomes: Array<{ code: number } | { error: unknown } | undefined> = new Array(parsed.length);
    const writes: PlannedWrite[] = [];
    const plannedFor: number[] = [];
    const changes: Array<CustomerAssignment & { created: boolean }> = [];
    parsed.forEach((p, i) => {
      if (!p.ok) {
        outcomes[i] = { error: p.error };
        return;
      }
      const k = customerCountKey(p.key.customerId, p.key.legalEntityId);
      const current = stored.get(k);
      const expected = p.write.expectedVersion;
      if (current) {
        if (expected !== undefined && expected !== current.version) {
          outcomes[i] = { error: ApiError.versionConflict(assignmentId(p.key), expected, current.version) };
          return;
        }
        writes.push({ kind: 'update', key: p.key, write: p.write, guard: current.version });
        stored.set(k, { ...current, version: current.version + 1 });
        changes.push({
          ...afterWrite(p.key, p.write, current.version + 1, current.createdAt, now, 'MANUAL'),
          created: false,
        });
      } else {
        if (!counter.canAdd(p.key)) {
          outcomes[i] = { error: limitReached(counter.max) };
          return;
        }
        counter.added(p.key);
        writes.push({ kind: 'insert', key: p.key, write: p.write });
        stored.set(k, { version: 1, createdAt: now, assignmentType: 'MANUAL' });
        changes.push({ ...afterWrite(p.key, p.write, 1, now, now, 'MANUAL'), created: true });
      }
      plannedFor.push(i);
    });

    const applied = await this.assignments.applyPlanned(tenant, writes, now);
    for (let w = 0; w < applied; w++) outcomes[plannedFor[w]] = { code: writes[w].kind === 'insert' ? 201 : 204 };
    await this.events.emitBatch(ctx, inTenant(tenant, ...changes.slice(0, applied).map((c) => customerUpsertedChange(c, c.created))));

    // A concurrent writer invalidated the plan at `applied`: the rest runs element by element.
    const resumeAt = applied < writes.length ? plannedFor[applied] : parsed.length;
    const fresh = resumeAt < parsed.length ? await this.counter(tenant, customerIds) : counter;
    for (let i = resumeAt; i < parsed.length; i++) {
      const p = parsed[i];
      if (!p.ok) continue;
      try {
        const outcome = await this.upsertOne(ctx, p.key, p.write, fresh);
        outcomes[i] = { code: outcome.created ? 201 : 204 };
      } catch (e) {
        outcomes[i] = { error: e };
      }
    }
    const results = await runSegmentBulk(outcomes, async (o) => {
      if (!o) throw ApiError.internal(new Error('bulk element without outcome'));
      if ('error' in o) throw o.error;
      return o;
    });
    return Outcome.multiStatus(results);
  }

  /** §3.21: deleted or absent is 204; an element that is not `{customerId[, legalEntityId]}` is 400. */
  async bulkDelete(ctx: RequestContext, segmentId: string, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    const items = assertBulkArray(body);
    await this.visibility.requireExisting(ctx.tenant, segmentId);
    const results = await runSegmentBulk(
      items,
      async (item) => {
        const value = bulkElement(CustomerAssignmentKeyDto, item, 'each element must be an object');
        const key: CustomerKey = { segmentId, customerId: value.customerId, legalEntityId: value.legalEntityId ?? null };
        if (isValidCustomId(key.customerId) && (key.legalEntityId === null || isValidCustomId(key.legalEntityId)))
          await this.deleteOne(ctx, key);
        return { code: 204 };
      },
      { logger: this.logger },
    );
    return Outcome.multiStatus(results);
  }

  private async counter(tenant: string, customerIds: string[]): Promise<MembershipCounter> {
    return new MembershipCounter(await this.assignments.countsByCustomer(tenant, customerIds), this.settings.maxSegmentsPerCustomer);
  }
}

/**
 * The common bulk element `{customerId}` / `{customerId, legalEntityId}` with valid ids and nothing
 * else: it passes every check of {@link parseCustomerElement} and writes no mixins, so it skips the
 * per-element class-transformer/class-validator run (most of the CPU of a 200-element request).
 * Anything else returns undefined and gets the full validation with its exact error details.
 */
function plainCustomerElement(item: unknown, segmentId: string): { key: CustomerKey; write: CustomerAssignmentWrite } | undefined {
  if (!isPlainObject(item)) return undefined;
  let count = 0;
  for (const k in item) {
    if (k !== 'customerId' && k !== 'legalEntityId') return undefined;
    count++;
  }
  const { customerId, legalEntityId } = item;
  if (typeof customerId !== 'string' || !isValidCustomId(customerId)) return undefined;
  if (legalEntityId === undefined) {
    if (count !== 1 || RESERVED_CUSTOMER_IDS.includes(customerId)) return undefined;
    return { key: { segmentId, customerId, legalEntityId: null }, write: {} };
  }
  if (typeof legalEntityId !== 'string' || !isValidCustomId(legalEntityId)) return undefined;
  return { key: { segmentId, customerId, legalEntityId }, write: {} };
}

/** A bulk element, judged exactly like a single body: its DTO through `validateDto` (BULK-3). */
/** One bulk element (or import line) of a segment's customers, judged as `PUT /customers/bulk` judges it. */
export function parseCustomerElement(item: unknown, segmentId: string): { key: CustomerKey; write: CustomerAssignmentWrite } {
  const plain = plainCustomerElement(item, segmentId);
  if (plain) return plain;
  const value = bulkElement(BulkReplaceCustomerAssignmentDto, item);
  return { key: { segmentId, customerId: value.customerId, legalEntityId: value.legalEntityId ?? null }, write: assignmentWrite(value) };
}

/** The stored state after a planned write (for its event; segment §6). */
function afterWrite(
  key: CustomerKey,
  write: CustomerAssignmentWrite,
  version: number,
  createdAt: Date,
  now: Date,
  assignmentType: CustomerAssignment['assignmentType'],
): CustomerAssignment {
  const a: CustomerAssignment = { ...key, assignmentType, metadata: { version, createdAt, modifiedAt: now } };
  if (write.mixins !== undefined) a.mixins = write.mixins;
  if (write.metadataMixins !== undefined) a.metadata.mixins = write.metadataMixins;
  return a;
}

function limitReached(max: number): ApiError {
  return ApiError.businessRule(`The customer already belongs to the maximum of ${max} segments (SEGMENT_MAX_PER_CUSTOMER).`, [
    { type: 'limit_exceeded', message: `segments per customer: ${max}` },
  ]);
}
