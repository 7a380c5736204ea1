import { Injectable } from '@nestjs/common';
import { ApiError, MongoFilter } from '@suite/api-kit';
import { TenantModelRegistry, findPage, isDuplicateKeyError, mapMongoErrors, trustedFilter } from '@suite/persistence';
import { Model } from 'mongoose';
import { SEGMENT_ENTITY, SegmentDocument } from './segment.schema';
import { Segment, SegmentState } from './segment.types';

export interface PageRequest {
  filter: MongoFilter;
  sort: Array<[string, 1 | -1]>;
  skip: number;
  limit: number;
  withTotal: boolean;
  maxTimeMS: number;
}

function toSegment(doc: SegmentDocument): Segment {
  const { _id, ...rest } = doc;
  return { id: _id, ...(rest as Omit<Segment, 'id'>) };
}

/**
 * Segments of one tenant (`<tenant>_segments`). Tenant first in every method (TEN-5); reads never
 * create the collection (TEN-6), writes go through `forWrite`. Returns plain data.
 */
@Injectable()
export class SegmentsRepository {
  constructor(private readonly registry: TenantModelRegistry) {}

  private read(tenant: string): Model<SegmentDocument> {
    return this.registry.model(tenant, SEGMENT_ENTITY);
  }

  private write(tenant: string): Promise<Model<SegmentDocument>> {
    return this.registry.forWrite(tenant, SEGMENT_ENTITY);
  }

  /**
   * One point read by `_id` (the hot path of GET /segments/{id}). Straight to the driver: `id` is
   * always a string (a path segment), so there is nothing for mongoose to cast or sanitize, and a
   * lean read returns the same raw document without building a Query per request.
   */
  async findById(tenant: string, id: string): Promise<Segment | null> {
    const doc = await mapMongoErrors(() => this.read(tenant).collection.findOne({ _id: id } as never));
    return doc ? toSegment(doc as unknown as SegmentDocument) : null;
  }

  /** Whether the segment exists (guard of every `/segments/{id}/...` write); `id` is a string. */
  async exists(tenant: string, id: string): Promise<boolean> {
    const doc = await mapMongoErrors(() => this.read(tenant).collection.findOne({ _id: id } as never, { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Ids of the segments matching `filter` (repository-built filters only). */
  async findIds(tenant: string, filter: MongoFilter): Promise<string[]> {
    const docs = await mapMongoErrors(() => this.read(tenant).find(trustedFilter(filter), { _id: 1 }).lean<Array<{ _id: string }>>().exec());
    return docs.map((d) => d._id);
  }

  async findMany(tenant: string, filter: MongoFilter): Promise<Segment[]> {
    const docs = await mapMongoErrors(() => this.read(tenant).find(trustedFilter(filter)).lean<SegmentDocument[]>().exec());
    return docs.map(toSegment);
  }

  async page(tenant: string, request: PageRequest): Promise<{ items: Segment[]; total?: number }> {
    const { items, total } = await findPage<SegmentDocument>(this.read(tenant), {
      filter: request.filter,
      sort: request.sort,
      skip: request.skip,
      limit: request.limit,
      withTotal: request.withTotal,
      maxTimeMS: request.maxTimeMS,
    });
    return { items: items.map(toSegment), total };
  }

  /** Number of segments of the tenant (segment §1.12); the `count` command, never a scan. */
  count(tenant: string): Promise<number> {
    return mapMongoErrors(() => this.read(tenant).estimatedDocumentCount().exec());
  }

  /** Inserts a new segment (version 1); an existing id is `409 duplicate_resource` (ID-5). */
  async insert(tenant: string, id: string, state: SegmentState, now: Date): Promise<Segment> {
    const doc = toDocument(id, state, { version: 1, createdAt: now, modifiedAt: now });
    const model = await this.write(tenant);
    try {
      await model.collection.insertOne(doc as never);
    } catch (e) {
      if (isDuplicateKeyError(e)) throw ApiError.duplicate(id, `Segment with id '${id}' already exists.`);
      throw e;
    }
    return toSegment(doc);
  }

  /**
   * Replaces the writable state of an existing segment in one guarded single-document update
   * (META-5.4): the filter holds `_id` and, when given, the expected version; the version goes up
   * by one. Returns the document as it was before, or null when nothing matched (gone, or the
   * version moved; the caller decides with {@link versionOf}).
   */
  async replace(tenant: string, id: string, expectedVersion: number | undefined, state: SegmentState, now: Date): Promise<Segment | null> {
    const filter: Record<string, unknown> = { _id: id };
    if (expectedVersion !== undefined) filter['metadata.version'] = expectedVersion;
    const set: Record<string, unknown> = { name: state.name, status: state.status, siteCode: state.siteCode, 'metadata.modifiedAt': now };
    const unset: Record<string, 1> = {};
    const optional: Array<[string, unknown]> = [
      ['description', state.description],
      ['validity', state.validity],
      ['mixins', state.mixins],
      ['metadata.mixins', state.metadataMixins],
    ];
    for (const [path, value] of optional) {
      if (value === undefined) unset[path] = 1;
      else set[path] = value;
    }
    const update: Record<string, unknown> = { $set: set, $inc: { 'metadata.version': 1 } };
    if (Object.keys(unset).length) update.$unset = unset;
    const model = await this.write(tenant);
    const before = await mapMongoErrors(() =>
      model.collection.findOneAndUpdate(filter as never, update, { returnDocument: 'before', includeResultMetadata: false }),
    );
    return before ? toSegment(before as unknown as SegmentDocument) : null;
  }

  /** The stored version, or null when the segment does not exist (decides 404 versus 409). */
  async versionOf(tenant: string, id: string): Promise<number | null> {
    const doc = await mapMongoErrors(() => this.read(tenant).findById(id, { 'metadata.version': 1 }).lean<{ metadata?: { version: number } }>().exec());
    return doc ? (doc.metadata?.version ?? 0) : null;
  }

  /** Deletes one segment; returns what was deleted (for the event) or null. */
  async delete(tenant: string, id: string): Promise<Segment | null> {
    const doc = await mapMongoErrors(() => this.read(tenant).collection.findOneAndDelete({ _id: id } as never, { includeResultMetadata: false }));
    return doc ? toSegment(doc as unknown as SegmentDocument) : null;
  }
}

function toDocument(id: string, state: SegmentState, metadata: SegmentDocument['metadata']): SegmentDocument {
  const doc: SegmentDocument = { _id: id, name: state.name, status: state.status, siteCode: state.siteCode, metadata: { ...metadata } };
  if (state.description !== undefined) doc.description = state.description;
  if (state.validity !== undefined) doc.validity = state.validity;
  if (state.mixins !== undefined) doc.mixins = state.mixins;
  if (state.metadataMixins !== undefined) doc.metadata.mixins = state.metadataMixins;
  return doc;
}
