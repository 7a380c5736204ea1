import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ActorType, ApiError, LOGGER, isValidCustomId } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvent, ChangeEvents, EventOrigin } from '@suite/persistence';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { inTenant } from '../common/segment-events';
import { ProfilesRepository } from '../profiles/profiles.repository';
import type { ProfileDocument } from '../profiles/profile.schema';
import { profileDocId } from '../profiles/profile.types';
import { customerCountKey, CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { ExclusionsRepository } from './exclusions.repository';
import { RuleEpochsRepository } from './rule-epochs.repository';
import type { RuleJobDocument } from './rule-job.schema';
import { JobStep, RuleJobsRepository } from './rule-jobs.repository';
import type { CompiledRule } from './profile-rule';
import { RuleMembership } from './rule-membership.service';
import { customerDeletedChange, customerUpsertedChange } from '../segment-customers/customer-assignment.mapper';
import type { CustomerKey } from '../segment-customers/customer-assignment.types';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';

/** Profiles per batch of a job: one read of profiles, one of their assignments and excludes, then the writes. */
const BATCH = 1000;
/** How long a job's holder keeps it without renewing (each batch renews it). */
const LEASE_MS = 15_000;
/**
 * Jobs one instance runs at once. A tenant that changes many rules (or many tenants at once) must
 * not take every core: the others wait, unclaimed, and this instance's sweep (or another
 * instance's) starts them as slots free up.
 */
const MAX_RUNNING = 2;
/** How often each instance looks for jobs nobody runs (an instance stopped mid-job, or jobs waiting for a slot). */
const SWEEP_MS = 2_000;

/** A job's progress as `GET /segments/{segmentId}/rule-evaluation` answers it. */
export interface RuleEvaluationView {
  segmentId: string;
  rule: string | null;
  state: 'RUNNING' | 'DONE';
  processed: number;
  total: number;
  added: number;
  removed: number;
  startedAt: string;
  finishedAt?: string;
}

/**
 * When a segment's rule is set, changed or removed, every customer profile of the tenant is
 * evaluated again against it as a background job (README "Rule-based segments", re-evaluation):
 * batches in `_id` order, the position stored after each, so a job survives its instance (another
 * one takes the expired lease and resumes after the last batch done). Each membership flips with
 * one single-document write, so a read during the job sees, per profile, the old or the new
 * membership, never a mix; a profile written while its batch was decided is evaluated again.
 */
@Injectable()
export class RuleEvaluation implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, Promise<void>>();
  private sweeper?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly jobs: RuleJobsRepository,
    private readonly epochs: RuleEpochsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly exclusions: ExclusionsRepository,
    private readonly membership: RuleMembership,
    private readonly events: ChangeEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs
      .ensureIndexes()
      .catch((err: unknown) => this.logger.warn({ err }, 'the rule jobs index could not be created; npm run migrate creates it'));
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.allSettled(this.running.values());
    await this.jobs.release(this.holder).catch(() => undefined);
  }

  /** Called after a segment write that changed its rule: starts the segment's job (replacing an older one). */
  async ruleChanged(ctx: RequestContext, segmentId: string, rule: string | null, segmentVersion: number): Promise<void> {
    // First the epoch: every profile write from now on evaluates the rule as written.
    await this.epochs.bump(ctx.tenant);
    const origin = { requestId: ctx.requestId, principalType: ctx.auth.principalType, subject: ctx.auth.subject };
    const total = await this.profiles.countCustomers(ctx.tenant);
    await this.jobs.schedule({ tenant: ctx.tenant, segmentId, rule, segmentVersion, total, origin });
    this.start(ctx.tenant, segmentId);
  }

  /**
   * Whether the segment's rule lacks the job that applies it: the instance that wrote it stopped
   * before scheduling one (kill -9 between the two writes). A later write of the segment repairs it.
   */
  async missedFor(tenant: string, segmentId: string, rule: string | null): Promise<boolean> {
    const job = await this.jobs.find(tenant, segmentId);
    return (job?.rule ?? null) !== rule;
  }

  /** The progress of a segment's job; 404 when its rule never changed since rules exist. */
  async progress(tenant: string, segmentId: string): Promise<RuleEvaluationView> {
    const job = isValidCustomId(segmentId) ? await this.jobs.find(tenant, segmentId) : null;
    if (!job) throw ApiError.notFound(segmentId, 'No rule evaluation for this segment.');
    const view: RuleEvaluationView = {
      segmentId: job.segmentId,
      rule: job.rule,
      state: job.state,
      processed: job.processed,
      total: Math.max(job.total, job.processed),
      added: job.added,
      removed: job.removed,
      startedAt: job.startedAt.toISOString(),
    };
    if (job.finishedAt) view.finishedAt = job.finishedAt.toISOString();
    return view;
  }

  /** Runs a job in this instance unless it runs here already (it is claimed first: one holder across instances). */
  private start(tenant: string, segmentId: string): void {
    const key = `${tenant}/${segmentId}`;
    if (this.stopped || this.running.has(key) || this.running.size >= MAX_RUNNING) return;
    const run = this.run(tenant, segmentId)
      .catch((err: unknown) => this.logger.error({ err, tenant, segmentId }, 'rule evaluation stopped; another sweep resumes it'))
      .finally(() => {
        this.running.delete(key);
        // A slot is free: a job waiting for one starts now rather than at the next sweep.
        void this.sweep();
      });
    this.running.set(key, run);
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      // One job per tenant first, tenants not running here before those that are: a tenant that
      // changed a thousand rules does not keep the slots from every other tenant's job.
      const running = new Set([...this.running.keys()].map((key) => key.slice(0, key.indexOf('/'))));
      const waiting = await this.jobs.orphaned(50);
      const firsts = new Map<string, (typeof waiting)[number]>();
      for (const job of waiting) if (!firsts.has(job.tenant)) firsts.set(job.tenant, job);
      const order = [...firsts.values()].sort((a, b) => Number(running.has(a.tenant)) - Number(running.has(b.tenant)));
      for (const job of [...order, ...waiting.filter((j) => firsts.get(j.tenant) !== j)]) this.start(job.tenant, job.segmentId);
    } catch (err) {
      this.logger.warn({ err }, 'looking for rule evaluations to resume failed');
    }
  }

  private async run(tenant: string, segmentId: string): Promise<void> {
    let job = await this.jobs.claim(tenant, segmentId, this.holder, LEASE_MS);
    while (job && !this.stopped) {
      // A deleted segment (its cascade removes the assignments) gets no new ones from its old rule.
      const segment = await this.segments.findById(tenant, segmentId);
      if (!segment || (segment.rule ?? null) !== job.rule) {
        await this.jobs.finish(job, this.holder);
        return;
      }
      const step = await this.step(job);
      if (step === 'done') {
        await this.jobs.finish(job, this.holder, (job.phase ?? 'enter') === 'enter' ? job.processed : undefined);
        return;
      }
      if (!(await this.jobs.advance(job, this.holder, LEASE_MS, step))) return; // replaced by a newer rule, or taken over
      job = { ...job, ...step, added: job.added + step.added, removed: job.removed + step.removed };
    }
  }

  /**
   * One batch of a job. Enter phase: the next profiles in `_id` order; when the rule lets the
   * database pick them (`databaseFindsAll`), only those it finds satisfying the rule, so a profile
   * the rule does not hold for costs the job nothing but the database's look at it; otherwise every
   * profile, and then the batch also ends the memberships of those it no longer holds for. Leave
   * phase (after a picked enter phase, or at once when the rule was removed): the segment's
   * AUTOMATIC members, those the rule no longer holds for (or whose profile is gone) leaving.
   */
  private async step(job: RuleJobDocument): Promise<JobStep | 'done'> {
    const { tenant, segmentId } = job;
    const rule = job.rule === null ? null : this.membership.rule(job.rule);
    if ((job.phase ?? 'enter') === 'enter') {
      if (rule === null) return { ...this.into('leave', job), processed: await this.profiles.countCustomers(tenant) };
      const batch = await this.profiles.customerBatch(tenant, job.position, BATCH, rule.databaseFindsAll ? rule.filter : {});
      if (batch.length === 0) {
        if (!rule.databaseFindsAll) return 'done'; // every profile was read: leavers left on the way
        return { ...this.into('leave', job), processed: await this.profiles.countCustomers(tenant) };
      }
      const { added, removed } = await this.decide(
        job,
        rule,
        batch.map((doc) => ({ customerId: doc.customerId!, legalEntityId: doc.legalEntityId ?? null, doc })),
      );
      const position = batch[batch.length - 1]._id;
      // The profiles the database passed over were decided too: counted in the batch's stretch of `_id`s.
      const passed = rule.databaseFindsAll ? await this.profiles.countCustomersBetween(tenant, job.position, position) : batch.length;
      return { phase: 'enter', position, memberPosition: null, processed: job.processed + passed, added, removed };
    }
    // Not the memberships this job created: it just found the rule holding for them.
    const members = await this.assignments.automaticMembers(tenant, segmentId, job.memberPosition ?? null, BATCH, job.segmentVersion);
    if (members.length === 0) return 'done';
    const docs = await this.profiles.customersByKey(tenant, members);
    const entries = members.map((m) => ({ ...m, doc: docs.get(profileDocId({ kind: 'customer', ...m })) ?? null }));
    const { removed } = await this.decide(job, rule, entries);
    return {
      phase: 'leave',
      position: job.position,
      memberPosition: members[members.length - 1],
      processed: job.processed,
      added: 0,
      removed,
    };
  }

  private into(phase: 'leave', job: RuleJobDocument): JobStep {
    return { phase, position: job.position, memberPosition: null, processed: job.processed, added: 0, removed: 0 };
  }

  /**
   * Brings the segment's membership of some customers in line with the rule: AUTOMATIC assignments
   * created for those it holds for (not excluded, within the per-customer limit), deleted for those
   * it no longer holds for (a customer without a profile included), each with its event.
   */
  private async decide(
    job: RuleJobDocument,
    rule: CompiledRule | null,
    entries: Array<{ customerId: string; legalEntityId: string | null; doc: ProfileDocument | null }>,
  ): Promise<{ added: number; removed: number }> {
    const { tenant, segmentId } = job;
    const origin: EventOrigin = {
      tenant,
      requestId: job.origin.requestId,
      auth: { principalType: job.origin.principalType as ActorType, subject: job.origin.subject },
    };
    const customerIds = entries.map((e) => e.customerId);
    const [types, excluded] = await Promise.all([
      this.assignments.typesInSegment(tenant, segmentId, customerIds),
      // Most segments exclude nobody: then the batch's excludes are not looked up.
      this.exclusions
        .anyIn(tenant, segmentId)
        .then((any) => (any ? this.exclusions.excludedIn(tenant, segmentId, customerIds) : new Set<string>())),
    ]);
    const candidates: CustomerKey[] = [];
    const ends: CustomerKey[] = [];
    for (const e of entries) {
      const key = { segmentId, customerId: e.customerId, legalEntityId: e.legalEntityId };
      const k = customerCountKey(key.customerId, key.legalEntityId);
      const holds =
        rule !== null && e.doc !== null && !excluded.has(k) && rule.matches({ attributes: e.doc.attributes ?? {}, mixins: e.doc.mixins });
      const type = types.get(k);
      if (holds && type === undefined) candidates.push(key);
      else if (!holds && type === 'AUTOMATIC') ends.push(key);
    }
    // The per-customer limit (segment §1.12) counts rule memberships too: asked only of those who would enter.
    const counts = candidates.length
      ? await this.assignments.countsByCustomer(
          tenant,
          candidates.map((c) => c.customerId),
        )
      : new Map<string, number>();
    const adds = candidates.filter(
      (c) => (counts.get(customerCountKey(c.customerId, c.legalEntityId)) ?? 0) < this.settings.maxSegmentsPerCustomer,
    );
    const now = new Date();
    const [created, removed] = await Promise.all([
      this.assignments.addAutomaticMany(tenant, adds, now, job.segmentVersion),
      Promise.all(ends.map((key) => this.assignments.removeAutomatic(tenant, key))),
    ]);
    const changes: ChangeEvent[] = [
      ...created.map((a) => customerUpsertedChange(a, true)),
      ...removed.flatMap((a) => (a ? [customerDeletedChange(a, now)] : [])),
    ];
    const added = created.length;
    if (changes.length) await this.events.emitBatch(origin, inTenant(tenant, ...changes));
    // A profile written while this batch was decided may have been judged on its older facts. Only
    // a change the job made can undo what that write evaluated (the write evaluated the new rule
    // itself: the epoch moved before the job started), so only the changed ones are checked and,
    // when written (or created) meanwhile, evaluated again in full.
    const touched = new Set([
      ...created.map((a) => customerCountKey(a.customerId, a.legalEntityId)),
      ...ends.map((k) => customerCountKey(k.customerId, k.legalEntityId)),
    ]);
    const changed = entries.filter((e) => touched.has(customerCountKey(e.customerId, e.legalEntityId)));
    const ids = (e: { customerId: string; legalEntityId: string | null }) => profileDocId({ kind: 'customer', ...e });
    const versions = changed.length ? await this.profiles.versionsOf(tenant, changed.map(ids)) : new Map<string, number>();
    for (const e of changed) {
      if (versions.get(ids(e)) === e.doc?.metadata.version) continue;
      const fresh = await this.profiles.findDoc(tenant, { kind: 'customer', customerId: e.customerId, legalEntityId: e.legalEntityId });
      await this.membership.reconcile(
        origin,
        e.customerId,
        e.legalEntityId,
        fresh ? { attributes: fresh.attributes ?? {}, mixins: fresh.mixins } : null,
      );
    }
    return { added, removed: changes.length - added };
  }
}
