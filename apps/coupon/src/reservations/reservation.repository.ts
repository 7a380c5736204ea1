import { Injectable } from '@nestjs/common';
import { IdKeyedRepository, PageQuery, TenantModelRegistry } from '@suite/persistence';
import { RESERVATION_ENTITY, ReservationDocument } from './reservation.schema';
import type { Reservation, ReservationState } from './reservation.types';

/** `<tenant>_coupon_reservations`; tenant first (TEN-5). Every state change is one guarded single-document update. */
@Injectable()
export class ReservationRepository extends IdKeyedRepository<ReservationDocument> {
  constructor(registry: TenantModelRegistry) {
    super(registry, RESERVATION_ENTITY);
  }

  async insert(tenant: string, r: Reservation): Promise<void> {
    await this.modelForWrite(tenant);
    const { id, ...rest } = r;
    const doc = { _id: id, ...rest } as ReservationDocument;
    for (const key of Object.keys(doc) as (keyof ReservationDocument)[]) if (doc[key] === undefined) delete doc[key];
    await this.run(() => this.collection(tenant).insertOne(doc));
  }

  async find(tenant: string, code: string, id: string): Promise<Reservation | null> {
    const doc = await this.run(() => this.model(tenant).findOne({ _id: id, code }).lean<ReservationDocument>().exec());
    return doc ? this.toDomain(doc) : null;
  }

  page(tenant: string, query: PageQuery): Promise<{ items: Reservation[]; total?: number }> {
    return this.findPageOf(tenant, query);
  }

  /**
   * Claims a live held reservation for a redemption (HELD and not expired → CONSUMED) in one atomic
   * update, so of concurrent redemptions naming it exactly one goes on. Null when it was not live.
   */
  async claim(tenant: string, code: string, id: string, redemptionId: string, now: Date): Promise<Reservation | null> {
    return this.transition(
      tenant,
      { _id: id, code, state: 'HELD', expiresAt: { $gt: now } },
      { state: 'CONSUMED', redemptionId, closedAt: now },
    );
  }

  /** Gives a claim back when the redemption could not complete (compensation). */
  async unclaim(tenant: string, code: string, id: string, redemptionId: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() =>
      model
        .updateOne(this.filter({ _id: id, code, state: 'CONSUMED', redemptionId }), {
          $set: { state: 'HELD' },
          $unset: { redemptionId: '', closedAt: '' },
        })
        .exec(),
    );
  }

  /** HELD → RELEASED in one atomic update; only the request that made the change gives the holds back. */
  release(tenant: string, code: string, id: string, now: Date): Promise<Reservation | null> {
    return this.transition(tenant, { _id: id, code, state: 'HELD' }, { state: 'RELEASED', closedAt: now });
  }

  /** Permanent coupon delete (§6.6): the coupon's reservation records go with it. */
  async removeAllForCode(tenant: string, code: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() => model.deleteMany({ code }).exec());
  }

  private async transition(
    tenant: string,
    filter: Record<string, unknown>,
    set: Partial<ReservationDocument> & { state: ReservationState },
  ): Promise<Reservation | null> {
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model.findOneAndUpdate(this.filter(filter), { $set: set }, { returnDocument: 'after' }).lean<ReservationDocument>().exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }
}
