import { Injectable } from '@nestjs/common';
import { TenantModelRegistry, TenantRepository } from '@suite/persistence';
import type { CustomerKey } from '../segment-customers/customer-assignment.types';
import { customerCountKey } from '../segment-customers/customer-assignments.repository';
import { EXCLUSION_ENTITY, ExclusionDocument } from './exclusion.schema';

const idOf = (key: CustomerKey) =>
  key.legalEntityId === null ? `${key.segmentId}/${key.customerId}` : `${key.segmentId}/${key.customerId}/${key.legalEntityId}`;

@Injectable()
export class ExclusionsRepository extends TenantRepository<ExclusionDocument, ExclusionDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, EXCLUSION_ENTITY);
  }

  protected toDomain(doc: ExclusionDocument): ExclusionDocument {
    return doc;
  }

  /** Creates the exclusion; false when it existed. */
  async add(tenant: string, key: CustomerKey, now: Date): Promise<boolean> {
    await this.modelForWrite(tenant);
    const doc: ExclusionDocument = { _id: idOf(key), ...key, createdAt: now };
    const r = await this.run(() =>
      this.collection(tenant).updateOne(this.driverFilter({ _id: doc._id }), { $setOnInsert: doc }, { upsert: true }),
    );
    return r.upsertedCount === 1;
  }

  async remove(tenant: string, key: CustomerKey): Promise<boolean> {
    const r = await this.run(() => this.collection(tenant).deleteOne(this.driverFilter({ _id: idOf(key) })));
    return r.deletedCount === 1;
  }

  /** The segments excluding one (customer, legal entity). */
  async segmentsExcluding(tenant: string, customerId: string, legalEntityId: string | null): Promise<Set<string>> {
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ customerId, legalEntityId }), { projection: { segmentId: 1 } })
        .toArray(),
    );
    return new Set(docs.map((d) => d.segmentId));
  }

  /** Whether the segment excludes anybody. */
  async anyIn(tenant: string, segmentId: string): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne(this.driverFilter({ segmentId }), { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Of some customers, those one segment excludes (keys `customerId\0legalEntityId`). */
  async excludedIn(tenant: string, segmentId: string, customerIds: string[]): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ segmentId, customerId: { $in: [...new Set(customerIds)] } }), {
          projection: { customerId: 1, legalEntityId: 1 },
        })
        .toArray(),
    );
    return new Set(docs.map((d) => customerCountKey(d.customerId, d.legalEntityId ?? null)));
  }

  /** One page of a segment's exclusions in id order. */
  page(tenant: string, segmentId: string, skip: number, limit: number): Promise<ExclusionDocument[]> {
    return this.run(() =>
      this.collection(tenant).find(this.driverFilter({ segmentId })).sort({ _id: 1 }).skip(skip).limit(limit).toArray(),
    ) as Promise<ExclusionDocument[]>;
  }

  async isExcluded(tenant: string, key: CustomerKey): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne(this.driverFilter({ _id: idOf(key) }), { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Cascade: a deleted segment's exclusions go with it. */
  async removeSegment(tenant: string, segmentId: string): Promise<void> {
    await this.run(() => this.collection(tenant).deleteMany(this.driverFilter({ segmentId })));
  }
}
