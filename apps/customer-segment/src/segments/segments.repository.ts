import { Injectable } from '@nestjs/common';
import { ApiError } from '@suite/api-kit';
import { IdKeyedRepository, RepositoryFilter, TenantModelRegistry, isDuplicateKeyError } from '@suite/persistence';
import { PageRequest } from '../common/list-page';
import { SEGMENT_ENTITY, SegmentDocument } from './segment.schema';
import { Segment, SegmentState } from './segment.types';

/**
 * Segments of one tenant (`<tenant>_segments`). Tenant first in every method (TEN-5); reads never
 * create the collection (TEN-6), writes go through `modelForWrite`. Returns plain data.
 */
@Injectable()
export class SegmentsRepository extends IdKeyedRepository<SegmentDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, SEGMENT_ENTITY);
  }

  /**
   * One point read by `_id` (the hot path of GET /segments/{id}). Straight to the driver: `id` is
   * always a string (a path segment), so there is nothing for mongoose to cast or sanitize, and no
   * Query is built per request.
   */
  findById(tenant: string, id: string): Promise<Segment | null> {
    return this.findOneDoc(tenant, { _id: id });
  }

  /** Whether the segment exists (guard of every `/segments/{id}/...` write); `id` is a string. */
  async exists(tenant: string, id: string): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne(this.driverFilter({ _id: id }), { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Ids of the segments matching `filter` (repository-built filters only). */
  async findIds(tenant: string, filter: RepositoryFilter): Promise<string[]> {
    const docs = await this.run(() => this.model(tenant).find(this.filter(filter), { _id: 1 }).lean<Array<{ _id: string }>>().exec());
    return docs.map((d) => d._id);
  }

  findMany(tenant: string, filter: RepositoryFilter): Promise<Segment[]> {
    return this.findDocs(tenant, filter);
  }

  page(tenant: string, request: PageRequest): Promise<{ items: Segment[]; total?: number }> {
    return this.findPageOf(tenant, request);
  }

  /** The segments that carry a membership rule: id and rule (README "Rule-based segments"). */
  async withRules(tenant: string): Promise<Array<{ id: string; rule: string }>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ rule: { $type: 'string' } }), { projection: { _id: 1, rule: 1 } })
        .toArray(),
    );
    return docs.map((d) => ({ id: d._id, rule: d.rule as string }));
  }

  /** Number of segments of the tenant (segment §1.12); the `count` command, never a scan. */
  count(tenant: string): Promise<number> {
    return this.run(() => this.model(tenant).estimatedDocumentCount().exec());
  }

  /** Inserts a new segment (version 1); an existing id is `409 duplicate_resource` (ID-5). */
  async insert(tenant: string, id: string, state: SegmentState, now: Date): Promise<Segment> {
    const doc = toDocument(id, state, { version: 1, createdAt: now, modifiedAt: now });
    await this.modelForWrite(tenant);
    try {
      // A copy: the driver would otherwise write into the document it is given.
      await this.collection(tenant).insertOne({ ...doc });
    } catch (e) {
      if (isDuplicateKeyError(e)) throw ApiError.duplicate(id, `Segment with id '${id}' already exists.`);
      throw e;
    }
    return this.toDomain(doc);
  }

  /**
   * Replaces the writable state of an existing segment in one guarded single-document update
   * (META-5.4): the filter holds `_id` and, when given, the expected version; the version goes up
   * by one. Returns the document as it was before, or null when nothing matched (gone, or the
   * version moved; the caller decides with {@link versionOf}).
   */
  async replace(tenant: string, id: string, expectedVersion: number | undefined, state: SegmentState, now: Date): Promise<Segment | null> {
    const filter: RepositoryFilter = { _id: id };
    if (expectedVersion !== undefined) filter['metadata.version'] = expectedVersion;
    const $set: Record<string, unknown> = { name: state.name, status: state.status, siteCode: state.siteCode, 'metadata.modifiedAt': now };
    const $unset: Record<string, 1> = {};
    const optional: Array<[string, unknown]> = [
      ['description', state.description],
      ['validity', state.validity],
      ['mixins', state.mixins],
      ['rule', state.rule],
      ['metadata.mixins', state.metadataMixins],
    ];
    for (const [path, value] of optional) {
      if (value === undefined) $unset[path] = 1;
      else $set[path] = value;
    }
    const update = Object.keys($unset).length
      ? { $set, $unset, $inc: { 'metadata.version': 1 } }
      : { $set, $inc: { 'metadata.version': 1 } };
    await this.modelForWrite(tenant);
    const before = await this.run(() =>
      this.collection(tenant).findOneAndUpdate(this.driverFilter(filter), update, {
        returnDocument: 'before',
        includeResultMetadata: false,
      }),
    );
    return before ? this.toDomain(before) : null;
  }

  /** The stored version, or null when the segment does not exist (decides 404 versus 409). */
  async versionOf(tenant: string, id: string): Promise<number | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOne(this.driverFilter({ _id: id }), { projection: { 'metadata.version': 1 } }),
    );
    return doc ? (doc.metadata?.version ?? 0) : null;
  }

  /** Deletes one segment; returns what was deleted (for the event) or null. */
  async delete(tenant: string, id: string): Promise<Segment | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndDelete(this.driverFilter({ _id: id }), { includeResultMetadata: false }),
    );
    return doc ? this.toDomain(doc) : null;
  }
}

function toDocument(id: string, state: SegmentState, metadata: SegmentDocument['metadata']): SegmentDocument {
  const doc: SegmentDocument = { _id: id, name: state.name, status: state.status, siteCode: state.siteCode, metadata: { ...metadata } };
  if (state.description !== undefined) doc.description = state.description;
  if (state.validity !== undefined) doc.validity = state.validity;
  if (state.mixins !== undefined) doc.mixins = state.mixins;
  if (state.rule !== undefined) doc.rule = state.rule;
  if (state.metadataMixins !== undefined) doc.metadata.mixins = state.metadataMixins;
  return doc;
}
