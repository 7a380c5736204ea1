import { Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { TenantModelRegistry, cursorBatches, isDuplicateKeyError, translateMongoError, upsertVersioned } from '@suite/persistence';
import { SegmentAssignmentsRepository } from '../common/segment-assignments.repository';
import { CUSTOMER_ASSIGNMENT_ENTITY, CustomerAssignmentDocument } from './customer-assignment.schema';
import { CustomerAssignment, CustomerAssignmentWrite, CustomerKey } from './customer-assignment.types';

/** What a bulk upsert knows of a stored assignment before it writes. */
export interface StoredState {
  version: number;
  createdAt: Date;
  assignmentType: 'MANUAL' | 'AUTOMATIC';
}

/** One write of a bulk upsert plan: create, or update guarded by the version read. */
export type PlannedWrite =
  | { kind: 'insert'; key: CustomerKey; write: CustomerAssignmentWrite }
  | { kind: 'update'; key: CustomerKey; write: CustomerAssignmentWrite; guard: number };

/** A member's key, the position of a walk through a segment's members. */
export interface CustomerKeyPosition {
  customerId: string;
  legalEntityId: string | null;
}

/** A segment's assignments past `after` in index order (segmentId, customerId, legalEntityId). */
function afterFilter(segmentId: string, after: CustomerKeyPosition | null): Record<string, unknown> {
  const filter: Record<string, unknown> = { segmentId };
  if (after) {
    // A later customer, or the same one with a later legal entity (null, the B2C key, sorts before every string).
    filter.$or = [
      { customerId: { $gt: after.customerId } },
      { customerId: after.customerId, legalEntityId: after.legalEntityId === null ? { $type: 'string' } : { $gt: after.legalEntityId } },
    ];
  }
  return filter;
}

function toAssignment(doc: CustomerAssignmentDocument): CustomerAssignment {
  const out: CustomerAssignment = {
    segmentId: doc.segmentId,
    customerId: doc.customerId,
    legalEntityId: doc.legalEntityId ?? null,
    assignmentType: doc.assignmentType as CustomerAssignment['assignmentType'],
    metadata: doc.metadata,
  };
  if (doc.mixins !== undefined && doc.mixins !== null) out.mixins = doc.mixins;
  return out;
}

/** Customer assignments of one tenant (the write discipline of SegmentAssignmentsRepository). */
@Injectable()
export class CustomerAssignmentsRepository extends SegmentAssignmentsRepository<
  CustomerAssignmentDocument,
  CustomerAssignment,
  CustomerKey,
  CustomerAssignmentWrite
> {
  constructor(registry: TenantModelRegistry) {
    super(registry, CUSTOMER_ASSIGNMENT_ENTITY, 'The customer assignment already exists.');
  }

  protected toDomain(doc: CustomerAssignmentDocument): CustomerAssignment {
    return toAssignment(doc);
  }

  protected keyFilter(key: CustomerKey): Record<string, unknown> {
    return { segmentId: key.segmentId, customerId: key.customerId, legalEntityId: key.legalEntityId };
  }

  /**
   * A created assignment is MANUAL (segment §2.3), and so is one a client writes over a rule's
   * AUTOMATIC one: from then on it is a manual include the rule no longer removes (README
   * "Rule-based segments").
   */
  protected override upsertFields(): Array<readonly [string, unknown]> {
    return [['assignmentType', 'MANUAL']];
  }

  protected baseDocument(key: CustomerKey, _write: CustomerAssignmentWrite, now: Date): CustomerAssignmentDocument {
    return { ...key, assignmentType: 'MANUAL', metadata: { version: 1, createdAt: now, modifiedAt: now } };
  }

  /** The assignments of one (customer, legal entity): segment id → assignment type (rule-based membership). */
  async typesOf(
    tenant: string,
    customerId: string,
    legalEntityId: string | null,
  ): Promise<Map<string, CustomerAssignment['assignmentType']>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ customerId, legalEntityId }), { projection: { _id: 0, segmentId: 1, assignmentType: 1 } })
        .toArray(),
    );
    return new Map(docs.map((d) => [d.segmentId, d.assignmentType as CustomerAssignment['assignmentType']]));
  }

  /** The assignments of some customers in one segment: {@link customerCountKey} → assignment type. */
  async typesInSegment(
    tenant: string,
    segmentId: string,
    customerIds: string[],
  ): Promise<Map<string, CustomerAssignment['assignmentType']>> {
    if (customerIds.length === 0) return new Map();
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ segmentId, customerId: { $in: [...new Set(customerIds)] } }), {
          projection: { _id: 0, customerId: 1, legalEntityId: 1, assignmentType: 1 },
        })
        .toArray(),
    );
    return new Map(
      docs.map((d) => [customerCountKey(d.customerId, d.legalEntityId ?? null), d.assignmentType as CustomerAssignment['assignmentType']]),
    );
  }

  /**
   * A rule's membership: creates the AUTOMATIC assignment unless one (of any type) exists. Returns
   * it when created (for its event), null when there was one already.
   */
  async addAutomatic(tenant: string, key: CustomerKey, now: Date): Promise<CustomerAssignment | null> {
    await this.modelForWrite(tenant);
    const doc: CustomerAssignmentDocument = {
      ...key,
      assignmentType: 'AUTOMATIC',
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    };
    try {
      const r = await this.run(() =>
        this.collection(tenant).updateOne(this.driverFilter(this.keyFilter(key)), { $setOnInsert: { ...doc } }, { upsert: true }),
      );
      return r.upsertedCount === 1 ? toAssignment(doc) : null;
    } catch (e) {
      if (isDuplicateKeyError(e)) return null; // created concurrently: it exists
      throw e;
    }
  }

  /**
   * Rule memberships of many keys in one unordered `bulkWrite` of `$setOnInsert` upserts: a key
   * with an assignment of any type keeps it. Returns the assignments created (for their events);
   * a key created concurrently (a duplicate key) counts as existing.
   */
  async addAutomaticMany(tenant: string, keys: CustomerKey[], now: Date, ruleJob?: number): Promise<CustomerAssignment[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1 && ruleJob === undefined) {
      const one = await this.addAutomatic(tenant, keys[0], now);
      return one ? [one] : [];
    }
    await this.modelForWrite(tenant);
    const docs: CustomerAssignmentDocument[] = keys.map((key) => ({
      ...key,
      assignmentType: 'AUTOMATIC',
      ...(ruleJob === undefined ? {} : { ruleJob }),
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    }));
    const ops = docs.map((doc, i) => ({
      updateOne: { filter: this.driverFilter(this.keyFilter(keys[i])), update: { $setOnInsert: { ...doc } }, upsert: true },
    }));
    let upserted: Record<number, unknown>;
    try {
      upserted = (await this.collection(tenant).bulkWrite(ops, { ordered: false })).upsertedIds;
    } catch (e) {
      const result = (e as { result?: { upsertedIds?: Record<number, unknown> }; writeErrors?: unknown }).result;
      const errors = (e as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
      const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
      if (!result?.upsertedIds || list.some((w) => w.code !== 11000)) throw translateMongoError(e) ?? e;
      upserted = result.upsertedIds;
    }
    return Object.keys(upserted).map((i) => toAssignment(docs[Number(i)]));
  }

  /** A rule's membership ends: deletes the assignment only while it is AUTOMATIC (a manual include stays). */
  async removeAutomatic(tenant: string, key: CustomerKey): Promise<CustomerAssignment | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndDelete(this.driverFilter({ ...this.keyFilter(key), assignmentType: 'AUTOMATIC' }), {
        includeResultMetadata: false,
      }),
    );
    return doc ? toAssignment(doc as CustomerAssignmentDocument) : null;
  }

  /**
   * An import's upsert of a manual assignment (README "Bulk in and out"): exactly once per import
   * line, like the profiles' (the assignment remembers the last line written into it). Returns
   * whether it was applied and created, and the assignment after the write.
   */
  async upsertImported(
    tenant: string,
    key: CustomerKey,
    write: CustomerAssignmentWrite,
    now: Date,
    marker: { job: string; line: number },
  ): Promise<{ applied: boolean; created: boolean; value?: CustomerAssignment }> {
    const model = await this.modelForWrite(tenant);
    const update = this.upsertUpdate(write, now);
    update.$set.imported = marker;
    const filter = { ...this.keyFilter(key), $or: [{ 'imported.job': { $ne: marker.job } }, { 'imported.line': { $lt: marker.line } }] };
    try {
      const { created, doc } = await upsertVersioned(model, filter, update);
      return { applied: true, created, value: toAssignment(doc) };
    } catch (e) {
      if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
      const stored = await this.run(() =>
        this.collection(tenant).findOne(this.driverFilter(this.keyFilter(key)), { projection: { imported: 1 } }),
      );
      const imported = (stored as { imported?: { job: string; line: number } } | null)?.imported;
      if (imported?.job === marker.job && imported.line >= marker.line) return { applied: false, created: false };
      throw e;
    }
  }

  /**
   * A segment's members in identity order (`customerId`, then `legalEntityId` with B2C first),
   * after `after` when given: the export's rows, read from a cursor in batches.
   */
  /**
   * A segment's AUTOMATIC members after `after`, in key order (a rule job's look at who may leave),
   * but those the job applying the rule of segment version `notByJob` created itself.
   */
  async automaticMembers(
    tenant: string,
    segmentId: string,
    after: CustomerKeyPosition | null,
    limit: number,
    notByJob: number,
  ): Promise<CustomerKeyPosition[]> {
    // Two single-range reads rather than one `$or` of both: each is one stretch of the index read
    // in order up to the limit (a range after an equality on the index's first field).
    const page = (filter: Record<string, unknown>, n: number) =>
      this.run(() =>
        this.collection(tenant)
          .find(this.driverFilter({ ...filter, segmentId, assignmentType: 'AUTOMATIC', ruleJob: { $ne: notByJob } }), {
            projection: { _id: 0, customerId: 1, legalEntityId: 1 },
            sort: { segmentId: 1, customerId: 1, legalEntityId: 1 },
            limit: n,
          })
          .toArray(),
      );
    const docs = [];
    if (after) {
      // The same customer's later legal entities (null, the B2C key, sorts before every string).
      const le = after.legalEntityId === null ? { $type: 'string' } : { $gt: after.legalEntityId };
      docs.push(...(await page({ customerId: after.customerId, legalEntityId: le }, limit)));
    }
    if (docs.length < limit) docs.push(...(await page(after ? { customerId: { $gt: after.customerId } } : {}, limit - docs.length)));
    return docs.map((d) => ({ customerId: d.customerId, legalEntityId: d.legalEntityId ?? null }));
  }

  membersOf(
    tenant: string,
    segmentId: string,
    after: CustomerKeyPosition | null,
    batchSize: number,
  ): AsyncGenerator<Array<{ customerId: string; legalEntityId: string | null; assignmentType: string; createdAt: Date }>> {
    const cursor = this.collection(tenant).find(this.driverFilter(afterFilter(segmentId, after)), {
      projection: { _id: 0, customerId: 1, legalEntityId: 1, assignmentType: 1, 'metadata.createdAt': 1 },
      sort: { segmentId: 1, customerId: 1, legalEntityId: 1 },
      batchSize,
    });
    return cursorBatches(cursor, batchSize, (d) => ({
      customerId: d.customerId,
      legalEntityId: d.legalEntityId ?? null,
      assignmentType: d.assignmentType,
      createdAt: d.metadata.createdAt,
    }));
  }

  /** Every assignment of one customer in the tenant, keys only (membership, segment §2.4). */
  async keysOfCustomer(tenant: string, customerId: string): Promise<Array<{ segmentId: string; legalEntityId: string | null }>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ customerId }), { projection: { _id: 0, segmentId: 1, legalEntityId: 1 } })
        .toArray(),
    );
    return docs.map((d) => ({ segmentId: d.segmentId, legalEntityId: d.legalEntityId ?? null }));
  }

  /**
   * Segments each (customer, legal entity) belongs to, for the per-customer limit (segment §1.12):
   * one aggregation over the `customerId` index for a whole bulk request.
   */
  async countsByCustomer(tenant: string, customerIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (customerIds.length === 0) return out;
    const rows = await this.run(() =>
      this.collection(tenant)
        .aggregate<{ _id: { c: string; l: string | null }; n: number }>([
          { $match: { customerId: { $in: [...new Set(customerIds)] } } },
          { $group: { _id: { c: '$customerId', l: '$legalEntityId' }, n: { $sum: 1 } } },
        ])
        .toArray(),
    );
    for (const r of rows) out.set(customerCountKey(r._id.c, r._id.l ?? null), r.n);
    return out;
  }

  /**
   * The assignments of some customers in one segment, keyed by {@link customerCountKey}, with what
   * a bulk upsert needs to plan its writes (one query on the identity index).
   */
  async existingInSegment(tenant: string, segmentId: string, customerIds: string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    if (customerIds.length === 0) return out;
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ segmentId, customerId: { $in: [...new Set(customerIds)] } }), {
          projection: { _id: 0, customerId: 1, legalEntityId: 1, assignmentType: 1, 'metadata.version': 1, 'metadata.createdAt': 1 },
        })
        .toArray(),
    );
    for (const d of docs) {
      out.set(customerCountKey(d.customerId, d.legalEntityId ?? null), {
        version: d.metadata.version,
        createdAt: d.metadata.createdAt,
        assignmentType: d.assignmentType as StoredState['assignmentType'],
      });
    }
    return out;
  }

  /**
   * Applies planned single-document writes of a bulk request in one ordered `bulkWrite`: inserts
   * of new assignments, and updates guarded by the version the plan read. A guarded update is an
   * upsert, so a moved version surfaces as a duplicate-key error at its index instead of a silent
   * miss. Returns how many writes were applied, in order, before the first failure.
   */
  async applyPlanned(tenant: string, writes: PlannedWrite[], now: Date): Promise<number> {
    if (writes.length === 0) return 0;
    await this.modelForWrite(tenant);
    const ops = writes.map((w) => {
      if (w.kind === 'insert') return { insertOne: { document: this.newDocument(w.key, w.write, now) } };
      return {
        updateOne: {
          filter: this.driverFilter({ ...this.keyFilter(w.key), 'metadata.version': w.guard }),
          update: this.upsertUpdate(w.write, now),
          upsert: true,
        },
      };
    });
    try {
      await this.collection(tenant).bulkWrite(ops, { ordered: true });
      return writes.length;
    } catch (e) {
      const errors = (e as { writeErrors?: Array<{ index: number }> | { index: number } }).writeErrors;
      const first = Array.isArray(errors) ? errors[0] : errors;
      if (first && typeof first.index === 'number') return first.index;
      throw translateMongoError(e) ?? e;
    }
  }
}

/** Map key of {@link CustomerAssignmentsRepository.countsByCustomer}. */
export function customerCountKey(customerId: string, legalEntityId: string | null): string {
  return legalEntityId === null ? `${customerId}\u0000` : `${customerId}\u0000${legalEntityId}`;
}
