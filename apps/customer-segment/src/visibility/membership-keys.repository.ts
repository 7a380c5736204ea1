import { Injectable } from '@nestjs/common';
import { Combiner, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { CUSTOMER_ASSIGNMENT_ENTITY, CustomerAssignmentDocument } from '../segment-customers/customer-assignment.schema';
import type { MembershipKey } from './membership';

/** One customer's assignment keys as read for membership. */
interface KeyRow extends MembershipKey {
  customerId: string;
}

/** Customers asked for in one query at most. */
const MAX_CUSTOMERS_PER_READ = 100;

/**
 * The keys of customers' assignments for membership (segment §2.4), read for concurrent questions
 * of one tenant in one `$in` query on the `customerId` index. A question asked while no read of
 * its tenant runs is sent at once, alone; questions asked while one runs go together in the next
 * read, sent when it ends ({@link Combiner}). So every answer comes from a read sent after the question was asked:
 * membership is exactly as fresh as with a read of its own, nothing is cached (S2S-11), and a busy
 * service sends one query per tenant and round trip instead of one per request.
 */
@Injectable()
export class MembershipKeysRepository extends TenantRepository<CustomerAssignmentDocument, KeyRow> {
  private readonly reads = new Combiner<string, MembershipKey[]>(
    (tenant, customers) => this.readMany(tenant, customers),
    MAX_CUSTOMERS_PER_READ,
  );

  constructor(registry: TenantModelRegistry) {
    super(registry, CUSTOMER_ASSIGNMENT_ENTITY);
  }

  protected toDomain(doc: CustomerAssignmentDocument): KeyRow {
    return { customerId: doc.customerId, segmentId: doc.segmentId, legalEntityId: doc.legalEntityId ?? null };
  }

  /** Every assignment of one customer in the tenant, keys only. */
  keysOfCustomer(tenant: string, customerId: string): Promise<MembershipKey[]> {
    return this.reads.submit(tenant, customerId);
  }

  /** The keys of one batch of questions in one query; each question gets its own objects, in stored order. */
  private async readMany(tenant: string, batch: string[]): Promise<MembershipKey[][]> {
    const customers = [...new Set(batch)];
    const docs = await this.run(() =>
      this.collection(tenant)
        .find(this.driverFilter({ customerId: customers.length === 1 ? customers[0] : { $in: customers } }), {
          projection: { _id: 0, customerId: 1, segmentId: 1, legalEntityId: 1 },
        })
        .toArray(),
    );
    const byCustomer = new Map<string, KeyRow[]>();
    for (const row of docs.map((d) => this.toDomain(d as CustomerAssignmentDocument))) {
      const list = byCustomer.get(row.customerId);
      if (list) list.push(row);
      else byCustomer.set(row.customerId, [row]);
    }
    return batch.map((customerId) =>
      (byCustomer.get(customerId) ?? []).map((r) => ({ segmentId: r.segmentId, legalEntityId: r.legalEntityId })),
    );
  }
}
