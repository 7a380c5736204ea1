import { Injectable } from '@nestjs/common';
import {
  RepositoryFilter,
  TenantModelRegistry,
  TenantRepository,
  VersionedUpdate,
  insertNew,
  takeBatch,
  updateVersioned,
  upsertVersioned,
  versionedUpdate,
} from '@suite/persistence';
import { UpsertOutcome } from '../segment-customers/customer-assignment.types';
import { PageRequest } from '../segments/segments.repository';
import { ITEM_ASSIGNMENT_ENTITY, ItemAssignmentDocument } from './item-assignment.schema';
import { ItemAssignment, ItemAssignmentWrite, ItemKey, ItemType } from './item-assignment.types';

function toAssignment(doc: ItemAssignmentDocument): ItemAssignment {
  const item: ItemAssignment['item'] = { id: doc.item.id };
  if (doc.item.code !== undefined && doc.item.code !== null) item.code = doc.item.code;
  if (doc.item.name !== undefined && doc.item.name !== null) item.name = doc.item.name;
  const out: ItemAssignment = { segmentId: doc.segmentId, type: doc.type as ItemType, item, metadata: doc.metadata };
  if (doc.mixins !== undefined && doc.mixins !== null) out.mixins = doc.mixins;
  return out;
}

function keyFilter(key: ItemKey): Record<string, unknown> {
  return { segmentId: key.segmentId, type: key.type, 'item.id': key.itemId };
}

/** PUT replaces mixins and the enrichment snapshot in full, version +1 (META-2). */
function upsertUpdate(write: ItemAssignmentWrite, now: Date): VersionedUpdate {
  return versionedUpdate(
    [
      ['mixins', write.mixins],
      ['metadata.mixins', write.metadataMixins],
      ['item.code', write.enrichment?.code],
      ['item.name', write.enrichment?.name],
    ],
    now,
  );
}

/** Item assignments of one tenant; the same write discipline as the customer assignments. */
@Injectable()
export class ItemAssignmentsRepository extends TenantRepository<ItemAssignmentDocument, ItemAssignment> {
  constructor(registry: TenantModelRegistry) {
    super(registry, ITEM_ASSIGNMENT_ENTITY);
  }

  protected toDomain(doc: ItemAssignmentDocument): ItemAssignment {
    return toAssignment(doc);
  }

  findOne(tenant: string, key: ItemKey): Promise<ItemAssignment | null> {
    return this.findOneDoc(tenant, keyFilter(key));
  }

  page(tenant: string, request: PageRequest): Promise<{ items: ItemAssignment[]; total?: number }> {
    return this.findPageOf(tenant, request);
  }

  /** Item ids of one type assigned in any of `segmentIds` (category trees, match). */
  async itemIds(tenant: string, segmentIds: string[], type: ItemType, onlyItemIds?: string[]): Promise<string[]> {
    if (segmentIds.length === 0) return [];
    const filter: RepositoryFilter = { segmentId: { $in: segmentIds }, type };
    if (onlyItemIds) filter['item.id'] = { $in: onlyItemIds };
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter(filter), { projection: { _id: 0, 'item.id': 1 } })
        .toArray(),
    );
    return [...new Set(docs.map((d) => d.item.id))];
  }

  /** Creates or updates without a version precondition in one command (a concurrent twin becomes an update). */
  async upsert(tenant: string, key: ItemKey, write: ItemAssignmentWrite, now: Date): Promise<UpsertOutcome<ItemAssignment>> {
    const { created, doc } = await upsertVersioned(await this.modelForWrite(tenant), keyFilter(key), upsertUpdate(write, now));
    return { created, value: toAssignment(doc) };
  }

  async updateExisting(
    tenant: string,
    key: ItemKey,
    write: ItemAssignmentWrite,
    now: Date,
    expectedVersion?: number,
  ): Promise<ItemAssignment | null> {
    const doc = await updateVersioned(await this.modelForWrite(tenant), keyFilter(key), upsertUpdate(write, now), expectedVersion);
    return doc ? toAssignment(doc) : null;
  }

  async insert(tenant: string, key: ItemKey, write: ItemAssignmentWrite, now: Date): Promise<ItemAssignment> {
    const doc: ItemAssignmentDocument = {
      segmentId: key.segmentId,
      type: key.type,
      item: { id: key.itemId },
      metadata: { version: 1, createdAt: now, modifiedAt: now },
    };
    if (write.enrichment?.code !== undefined) doc.item.code = write.enrichment.code;
    if (write.enrichment?.name !== undefined) doc.item.name = write.enrichment.name;
    if (write.mixins !== undefined) doc.mixins = write.mixins;
    if (write.metadataMixins !== undefined) doc.metadata.mixins = write.metadataMixins;
    await insertNew(await this.modelForWrite(tenant), doc, 'The item assignment already exists.');
    return toAssignment(doc);
  }

  async delete(tenant: string, key: ItemKey): Promise<ItemAssignment | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndDelete(this.driverFilter(keyFilter(key)), { includeResultMetadata: false }),
    );
    return doc ? toAssignment(doc) : null;
  }

  async anyInSegment(tenant: string, segmentId: string): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne(this.driverFilter({ segmentId }), { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Cascade step (segment §5): deletes up to `limit` assignments of a segment and returns them. */
  async deleteBatchOfSegment(tenant: string, segmentId: string, limit = 1000): Promise<ItemAssignment[]> {
    return (await takeBatch(this.model(tenant), { segmentId }, limit)).map(toAssignment);
  }
}
