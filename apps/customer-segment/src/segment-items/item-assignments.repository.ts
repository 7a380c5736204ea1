import { Injectable } from '@nestjs/common';
import { RepositoryFilter, TenantModelRegistry } from '@suite/persistence';
import { SegmentAssignmentsRepository } from '../common/segment-assignments.repository';
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

/** Item assignments of one tenant (the write discipline of SegmentAssignmentsRepository). */
@Injectable()
export class ItemAssignmentsRepository extends SegmentAssignmentsRepository<
  ItemAssignmentDocument,
  ItemAssignment,
  ItemKey,
  ItemAssignmentWrite
> {
  constructor(registry: TenantModelRegistry) {
    super(registry, ITEM_ASSIGNMENT_ENTITY, 'The item assignment already exists.');
  }

  protected toDomain(doc: ItemAssignmentDocument): ItemAssignment {
    return toAssignment(doc);
  }

  protected keyFilter(key: ItemKey): Record<string, unknown> {
    return { segmentId: key.segmentId, type: key.type, 'item.id': key.itemId };
  }

  /** PUT also replaces the enrichment snapshot in full (segment §2.2). */
  protected override upsertFields(write: ItemAssignmentWrite): Array<readonly [path: string, value: unknown]> {
    return [
      ['item.code', write.enrichment?.code],
      ['item.name', write.enrichment?.name],
    ];
  }

  /** A new assignment stores the enrichment snapshot the write carries (segment §2.2). */
  protected baseDocument(key: ItemKey, write: ItemAssignmentWrite, now: Date): ItemAssignmentDocument {
    const item: ItemAssignmentDocument['item'] = { id: key.itemId };
    if (write.enrichment?.code !== undefined) item.code = write.enrichment.code;
    if (write.enrichment?.name !== undefined) item.name = write.enrichment.name;
    return { segmentId: key.segmentId, type: key.type, item, metadata: { version: 1, createdAt: now, modifiedAt: now } };
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
}
