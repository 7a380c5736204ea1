import { Inject, Injectable } from '@nestjs/common';
import { ChangeEvent, ChangeEvents, Combiner, EventOrigin } from '@suite/persistence';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { customerDeletedChange, customerUpsertedChange } from '../segment-customers/customer-assignment.mapper';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { ExclusionsRepository } from './exclusions.repository';
import { CompiledRule, compileRule, ProfileFacts } from './profile-rule';
import { RuleEpochsRepository } from './rule-epochs.repository';

/** Tenants whose rules are remembered (with the epoch they were read at). */
const TENANTS_KEPT = 1000;

interface TenantRules {
  epoch: number;
  rules: Array<{ id: string; rule: string }>;
}

/** Compiled rules by their text: a tenant's rules change seldom and compile in microseconds, so a small bounded memo suffices. */
const COMPILED_KEPT = 5000;

/**
 * Rule-based membership, kept materialised (README "Rule-based segments"): a customer whose profile
 * satisfies a segment's rule has an AUTOMATIC assignment to it, so every existing read (a customer's
 * segments, items and trees, the coupon service's R12 check, the category service's `segmentsIds`)
 * sees rule members exactly as manual ones. A manual assignment is never touched by a rule.
 */
@Injectable()
export class RuleMembership {
  private readonly compiled = new Map<string, CompiledRule>();

  private readonly byTenant = new Map<string, TenantRules>();

  /**
   * The tenant's rules epoch, read once for the profile writes of a tenant asked in one turn
   * (`Combiner`: the command is sent after each request asked, never older than the request).
   */
  private readonly epochReads = new Combiner<void, number>(
    async (tenant, items) => {
      const epoch = await this.epochs.current(tenant);
      return items.map(() => epoch);
    },
    100,
    'perTurn',
  );

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly exclusions: ExclusionsRepository,
    private readonly epochs: RuleEpochsRepository,
    private readonly events: ChangeEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  /** The rule of a stored segment, compiled (it was valid when written). */
  rule(source: string): CompiledRule {
    let rule = this.compiled.get(source);
    if (!rule) {
      rule = compileRule(source);
      if (this.compiled.size >= COMPILED_KEPT) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(source, rule);
    }
    return rule;
  }

  /**
   * Brings one customer's rule-based membership in line with `profile` (null: the profile is gone,
   * so is every rule membership): AUTOMATIC assignments created where a rule now holds, deleted
   * where none holds any more, each with the assignment event a manual change emits. The
   * per-customer limit (segment §1.12) counts rule memberships: a rule never adds beyond it.
   * False when the tenant never had a rule (nothing was evaluated).
   */
  async reconcile(ctx: EventOrigin, customerId: string, legalEntityId: string | null, profile: ProfileFacts | null): Promise<boolean> {
    // A rule changed while this evaluation ran (its job may have passed this customer already):
    // evaluated again against the rules as they are now.
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = profile ? await this.rulesOf(ctx.tenant) : { epoch: 0, rules: [] };
      // A tenant that never had a rule has no rule membership to keep in line.
      if (profile && current.epoch === 0) return false;
      const { emitted } = await this.apply(ctx, customerId, legalEntityId, profile, current.rules);
      // The events go to the outbox while the epoch is read again (both after the membership writes).
      const [, epoch] = await Promise.all([emitted, profile ? this.epochReads.submit(ctx.tenant, undefined) : current.epoch]);
      if (epoch === current.epoch) return true;
    }
    return true;
  }

  /** The tenant's rules as of its epoch now: remembered while the epoch stays, read again when it moved. */
  private async rulesOf(tenant: string): Promise<TenantRules> {
    const epoch = await this.epochReads.submit(tenant, undefined);
    const known = this.byTenant.get(tenant);
    if (known?.epoch === epoch) return known;
    // Read after the epoch: at least as new as it (a change that lands in between is seen by the check after the apply).
    const fresh = { epoch, rules: await this.segments.withRules(tenant) };
    this.byTenant.delete(tenant);
    if (this.byTenant.size >= TENANTS_KEPT) this.byTenant.delete(this.byTenant.keys().next().value!);
    this.byTenant.set(tenant, fresh);
    return fresh;
  }

  /** Writes the membership changes; answers the outbox write of their events, under way (never rejected: EVT-4). */
  private async apply(
    ctx: EventOrigin,
    customerId: string,
    legalEntityId: string | null,
    profile: ProfileFacts | null,
    rules: Array<{ id: string; rule: string }>,
  ): Promise<{ emitted: Promise<void> }> {
    const tenant = ctx.tenant;
    const holding = profile ? rules.filter((s) => this.rule(s.rule).matches(profile)) : [];
    // Manual excludes beat the rule (README "Rule-based segments", hybrid): looked up only when a rule holds, with the assignments.
    const [current, excluded] = await Promise.all([
      this.assignments.typesOf(tenant, customerId, legalEntityId),
      holding.length ? this.exclusions.segmentsExcluding(tenant, customerId, legalEntityId) : new Set<string>(),
    ]);
    const wanted = new Set(holding.filter((s) => !excluded.has(s.id)).map((s) => s.id));
    const now = new Date();
    const ends = [...current].filter(([segmentId, type]) => type === 'AUTOMATIC' && !wanted.has(segmentId)).map(([segmentId]) => segmentId);
    // Each ended one by its own guarded delete: a membership made manual meanwhile stays, and its event is exact.
    const removed = await Promise.all(
      ends.map((segmentId) => this.assignments.removeAutomatic(tenant, { segmentId, customerId, legalEntityId })),
    );
    // New memberships in one command, as many as the per-customer limit leaves room for once the
    // ended ones are gone (a customer at the limit moving from one rule's segment to another's).
    const room = Math.max(0, this.settings.maxSegmentsPerCustomer - (current.size - removed.filter(Boolean).length));
    const adds = [...wanted].filter((segmentId) => !current.has(segmentId)).slice(0, room);
    const created = await this.assignments.addAutomaticMany(
      tenant,
      adds.map((segmentId) => ({ segmentId, customerId, legalEntityId })),
      now,
    );
    const changes: ChangeEvent[] = created.map((a) => customerUpsertedChange(a, true));
    for (const r of removed) if (r) changes.push(customerDeletedChange(r, now));
    return { emitted: changes.length ? this.events.emitBatch(ctx, inTenant(tenant, ...changes)) : Promise.resolve() };
  }
}
