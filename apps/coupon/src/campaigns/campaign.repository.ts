import { Inject, Injectable } from '@nestjs/common';
import { isValidTenant, MONGO_CONNECTION, PageQuery, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import type { Connection } from 'mongoose';
import { CAMPAIGN_ENTITY, CampaignDocument } from './campaign.schema';
import { ACTIVE_STATUSES, Campaign, CampaignDeletion, CampaignStatus } from './campaign.types';

const NO_LEASE = new Date(0);
const COLLECTION_SUFFIX = `_${CAMPAIGN_ENTITY.name}`;

/** How a campaign's generation ended. */
export interface CampaignOutcome {
  status: Extract<CampaignStatus, 'COMPLETED' | 'FAILED' | 'DELETED'>;
  created?: number;
  failure?: Campaign['failure'];
}

/**
 * `<tenant>_coupon_campaigns`. Tenant first in every method (TEN-5); reads never create the
 * collection. Every write of the job runner is guarded by `leaseOwner`, so an instance that lost
 * its lease (it stalled longer than the lease and another instance took over) changes nothing.
 */
@Injectable()
export class CampaignRepository extends TenantRepository<CampaignDocument, Campaign> {
  constructor(
    registry: TenantModelRegistry,
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
  ) {
    super(registry, CAMPAIGN_ENTITY);
  }

  protected toDomain(doc: CampaignDocument): Campaign {
    const { _id, leaseOwner: _owner, leaseUntil: _until, ...rest } = doc;
    return { id: _id, ...rest };
  }

  async insert(tenant: string, campaign: Campaign): Promise<void> {
    await this.modelForWrite(tenant);
    const { id, ...rest } = campaign;
    await this.run(() => this.collection(tenant).insertOne({ _id: id, ...rest, leaseUntil: NO_LEASE }));
  }

  findById(tenant: string, id: string): Promise<Campaign | null> {
    return this.findOneDoc(tenant, { _id: id });
  }

  page(tenant: string, query: PageQuery): Promise<{ items: Campaign[]; total?: number }> {
    return this.findPageOf(tenant, query);
  }

  /**
   * Marks the campaign for deletion, from any status but DELETING and DELETED; the job runner
   * then stops generating and deletes its coupons. Null when it was already being deleted.
   */
  async requestDeletion(tenant: string, id: string, deletion: CampaignDeletion): Promise<Campaign | null> {
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ _id: id, status: { $nin: ['DELETING', 'DELETED'] } }),
          { $set: { status: 'DELETING', deletion, 'metadata.modifiedAt': deletion.requestedAt }, $inc: { 'metadata.version': 1 } },
          { returnDocument: 'after' },
        )
        .lean<CampaignDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /**
   * The tenants that have a campaign collection (TEN-7 keeps no tenant list, so the runner finds
   * them by collection name; a tenant never contains `_`, TEN-3).
   */
  async tenantsWithCampaigns(): Promise<string[]> {
    const db = this.connection.db;
    if (!db) return [];
    const collections = await this.run(() => db.listCollections({}, { nameOnly: true }).toArray());
    return collections
      .map((c) => c.name)
      .filter((name) => name.endsWith(COLLECTION_SUFFIX))
      .map((name) => name.slice(0, -COLLECTION_SUFFIX.length))
      .filter((tenant) => isValidTenant(tenant));
  }

  /** Claims one RUNNING or DELETING campaign whose lease ran out (or was never taken), atomically. */
  async claim(tenant: string, owner: string, now: Date, leaseMs: number): Promise<Campaign | null> {
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ status: { $in: ACTIVE_STATUSES }, leaseUntil: { $lt: now } }),
          { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
          { returnDocument: 'after' },
        )
        .lean<CampaignDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /**
   * The heartbeat: extends the lease while `owner` still holds it and records the progress.
   * Returns the campaign (its status may have become DELETING meanwhile), or null when the lease
   * was lost.
   */
  async renew(tenant: string, id: string, owner: string, now: Date, leaseMs: number, created?: number): Promise<Campaign | null> {
    const set: Record<string, unknown> = { leaseUntil: new Date(now.getTime() + leaseMs) };
    if (created !== undefined) set.created = created;
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(this.filter({ _id: id, leaseOwner: owner }), { $set: set }, { returnDocument: 'after' })
        .lean<CampaignDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /**
   * Ends a phase (generation: RUNNING → COMPLETED/FAILED; deletion: DELETING → DELETED) and
   * releases the lease, in one write guarded by the owner and the phase's status, so exactly one
   * instance records (and announces) each end. Null when the guard missed.
   */
  async finish(
    tenant: string,
    id: string,
    owner: string,
    from: CampaignStatus,
    outcome: CampaignOutcome,
    now: Date,
  ): Promise<Campaign | null> {
    const set: Record<string, unknown> = { status: outcome.status, leaseUntil: NO_LEASE, 'metadata.modifiedAt': now };
    if (outcome.created !== undefined) set.created = outcome.created;
    if (outcome.failure) set.failure = outcome.failure;
    if (outcome.status === 'COMPLETED') set.completedAt = now;
    const model = await this.modelForWrite(tenant);
    const doc = await this.run(() =>
      model
        .findOneAndUpdate(
          this.filter({ _id: id, leaseOwner: owner, status: from }),
          { $set: set, $unset: { leaseOwner: '' }, $inc: { 'metadata.version': 1 } },
          { returnDocument: 'after' },
        )
        .lean<CampaignDocument>()
        .exec(),
    );
    return doc ? this.toDomain(doc) : null;
  }

  /** Gives the lease up (clean shutdown, or a failed step), so another instance can go on at once. */
  async release(tenant: string, id: string, owner: string): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() =>
      model.updateOne(this.filter({ _id: id, leaseOwner: owner }), { $set: { leaseUntil: NO_LEASE }, $unset: { leaseOwner: '' } }).exec(),
    );
  }
}
