import { Inject, Injectable } from '@nestjs/common';
import { ChangeEvent, ChangeEvents, EventOrigin } from '@suite/persistence';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { customerDeletedChange, customerUpsertedChange } from '../segment-customers/customer-assignment.mapper';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import type { CustomerKey } from '../segment-customers/customer-assignment.types';
import { SegmentsRepository } from '../segments/segments.repository';
import { ExclusionsRepository } from './exclusions.repository';
import { CompiledRule, compileRule, ProfileFacts } from './profile-rule';

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

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly exclusions: ExclusionsRepository,
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
   */
  async reconcile(ctx: EventOrigin, customerId: string, legalEntityId: string | null, profile: ProfileFacts | null): Promise<void> {
    const tenant = ctx.tenant;
    const [rules, current, excluded] = await Promise.all([
      profile ? this.segments.withRules(tenant) : Promise.resolve([]),
      this.assignments.typesOf(tenant, customerId, legalEntityId),
      profile ? this.exclusions.segmentsExcluding(tenant, customerId, legalEntityId) : Promise.resolve(new Set<string>()),
    ]);
    // Manual excludes beat the rule (README "Rule-based segments", hybrid).
    const wanted = new Set(rules.filter((s) => !excluded.has(s.id) && this.rule(s.rule).matches(profile!)).map((s) => s.id));
    const changes: ChangeEvent[] = [];
    const now = new Date();
    let count = current.size;
    for (const segmentId of wanted) {
      if (current.has(segmentId) || count >= this.settings.maxSegmentsPerCustomer) continue;
      const created = await this.assignments.addAutomatic(tenant, { segmentId, customerId, legalEntityId }, now);
      if (created) {
        count++;
        changes.push(customerUpsertedChange(created, true));
      }
    }
    for (const [segmentId, type] of current) {
      if (type !== 'AUTOMATIC' || wanted.has(segmentId)) continue;
      const removed = await this.assignments.removeAutomatic(tenant, { segmentId, customerId, legalEntityId });
      if (removed) changes.push(customerDeletedChange(removed, now));
    }
    if (changes.length) await this.events.emitBatch(ctx, inTenant(tenant, ...changes));
  }

  /** One segment's rule over one customer (the re-evaluation job): the assignment created or removed as needed. */
  async reconcileOne(
    ctx: EventOrigin,
    key: CustomerKey,
    holds: boolean,
    currentType: 'MANUAL' | 'AUTOMATIC' | undefined,
    count: number,
  ): Promise<ChangeEvent | null> {
    const now = new Date();
    if (holds && currentType === undefined && count < this.settings.maxSegmentsPerCustomer) {
      const created = await this.assignments.addAutomatic(ctx.tenant, key, now);
      return created ? customerUpsertedChange(created, true) : null;
    }
    if (!holds && currentType === 'AUTOMATIC') {
      const removed = await this.assignments.removeAutomatic(ctx.tenant, key);
      return removed ? customerDeletedChange(removed, now) : null;
    }
    return null;
  }
}
