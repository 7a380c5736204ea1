import { Inject, Injectable } from '@nestjs/common';
import { MONGO_CONNECTION, ensureDeclaredIndexes, isDuplicateKeyError, mapMongoErrors } from '@suite/persistence';
import { RULE_JOB_COLLECTION, RULE_JOB_INDEXES, RuleJobDocument } from './rule-job.schema';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

const jobId = (tenant: string, segmentId: string) => `${tenant}/${segmentId}`;

/** A batch done: where the job stands now (phase, positions, profiles decided) and the memberships it added and removed. */
export type JobStep = Pick<RuleJobDocument, 'phase' | 'position' | 'memberPosition' | 'processed' | 'added' | 'removed'>;

@Injectable()
export class RuleJobsRepository {
  constructor(@Inject(MONGO_CONNECTION) private readonly connection: Connection) {}

  private get jobs(): Collection<RuleJobDocument> {
    return this.connection.collection<RuleJobDocument>(RULE_JOB_COLLECTION) as unknown as Collection<RuleJobDocument>;
  }

  /** Starts (or restarts) the segment's job for the rule written at `segmentVersion`; an older write never replaces a newer job. */
  async schedule(
    job: Omit<RuleJobDocument, '_id' | 'state' | 'position' | 'processed' | 'added' | 'removed' | 'startedAt'>,
  ): Promise<void> {
    const doc: RuleJobDocument = {
      ...job,
      _id: jobId(job.tenant, job.segmentId),
      state: 'RUNNING',
      phase: 'enter',
      position: null,
      memberPosition: null,
      processed: 0,
      added: 0,
      removed: 0,
      startedAt: new Date(),
      holder: null,
    };
    try {
      await mapMongoErrors(() =>
        this.jobs.replaceOne({ _id: doc._id, tenant: doc.tenant, segmentVersion: { $lt: job.segmentVersion } }, doc, { upsert: true }),
      );
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e; // a job for a newer version of the rule exists
    }
  }

  /** Creates the collection's indexes (boot); a conflicting definition is reported by `npm run migrate`. */
  async ensureIndexes(): Promise<void> {
    const db = this.connection.db;
    if (db) await ensureDeclaredIndexes(db, RULE_JOB_COLLECTION, RULE_JOB_INDEXES);
  }

  find(tenant: string, segmentId: string): Promise<RuleJobDocument | null> {
    return mapMongoErrors(() => this.jobs.findOne({ _id: jobId(tenant, segmentId), tenant }));
  }

  /** Takes the job's lease when it runs and nobody holds it (or the holder's lease expired); null otherwise. */
  claim(tenant: string, segmentId: string, holder: string, leaseMs: number): Promise<RuleJobDocument | null> {
    const now = new Date();
    return mapMongoErrors(() =>
      this.jobs.findOneAndUpdate(
        { _id: jobId(tenant, segmentId), tenant, state: 'RUNNING', $or: [{ holder: null }, { holder }, { expiresAt: { $lt: now } }] },
        { $set: { holder, expiresAt: new Date(now.getTime() + leaseMs) } },
        { returnDocument: 'after', includeResultMetadata: false },
      ),
    );
  }

  /**
   * Records a batch done and renews the lease, guarded by the holder and the rule's version: false
   * when the job was replaced by a newer rule or taken over (the caller stops).
   */
  async advance(job: RuleJobDocument, holder: string, leaseMs: number, step: JobStep): Promise<boolean> {
    const { added, removed, ...state } = step;
    const r = await mapMongoErrors(() =>
      this.jobs.updateOne(
        { _id: job._id, tenant: job.tenant, segmentVersion: job.segmentVersion, holder },
        { $set: { ...state, expiresAt: new Date(Date.now() + leaseMs) }, $inc: { added, removed } },
      ),
    );
    return r.matchedCount === 1;
  }

  /** Marks the job done; `processed` (when given) is the final count of profiles decided. */
  async finish(job: RuleJobDocument, holder: string, processed?: number): Promise<void> {
    await mapMongoErrors(() =>
      this.jobs.updateOne(
        { _id: job._id, tenant: job.tenant, segmentVersion: job.segmentVersion, holder },
        { $set: { state: 'DONE', finishedAt: new Date(), holder: null, ...(processed === undefined ? {} : { processed }) } },
      ),
    );
  }

  /** Jobs of any tenant that run without a live holder (an instance stopped mid-job): resumed by whoever finds them. */
  orphaned(limit: number): Promise<Array<Pick<RuleJobDocument, 'tenant' | 'segmentId'>>> {
    return mapMongoErrors(() =>
      this.jobs
        .find(
          { state: 'RUNNING', $or: [{ holder: null }, { expiresAt: { $lt: new Date() } }] },
          { projection: { tenant: 1, segmentId: 1 } },
        )
        .limit(limit)
        .toArray(),
    );
  }

  /** Tenants that have had a rule (each has at least one job, kept when done): those with rule membership to keep. */
  async tenants(): Promise<string[]> {
    return (await mapMongoErrors(() => this.jobs.distinct('tenant'))) as string[];
  }

  /**
   * Forgets a deleted segment's job: a segment created later under the same id starts again at
   * version 1, which an older job (guarded by its higher version) would otherwise keep out.
   */
  async remove(tenant: string, segmentId: string): Promise<void> {
    await mapMongoErrors(() => this.jobs.deleteOne({ _id: jobId(tenant, segmentId), tenant }));
  }

  /** Gives up the lease (shutdown), so another instance resumes at once. */
  async release(holder: string): Promise<void> {
    await mapMongoErrors(() => this.jobs.updateMany({ holder, state: 'RUNNING' }, { $set: { holder: null } }));
  }
}
