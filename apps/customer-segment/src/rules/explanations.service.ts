import { Inject, Injectable } from '@nestjs/common';
import { ApiError, isValidCustomId } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { isEffectivelyActive } from '../common/activity';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { ProfilesRepository } from '../profiles/profiles.repository';
import { ProfileKey } from '../profiles/profile.types';
import { customerCountKey, CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { renderValidity } from '../segments/segment.mapper';
import { SegmentsRepository } from '../segments/segments.repository';
import type { ExplanationQueryDto, ExplanationResponseDto } from './dto/rules.dto';
import type { RuleClauseExplanation, RuleExplanation } from './profile-rule';
import { ExclusionsRepository } from './exclusions.repository';
import { RuleMembership } from './rule-membership.service';

/**
 * `GET /segments/{segmentId}/explanation` (README "Rule-based segments", explanations): whether a
 * customer or guest is a member and why: the assignment and its type, each rule clause with the
 * profile's value, the segment's status and validity window, the per-customer limit.
 */
@Injectable()
export class Explanations {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly membership: RuleMembership,
    private readonly exclusions: ExclusionsRepository,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  async explain(ctx: RequestContext, segmentId: string, query: ExplanationQueryDto): Promise<ExplanationResponseDto> {
    const key = whoOf(query);
    const tenant = ctx.tenant;
    const segment = isValidCustomId(segmentId) ? await this.segments.findById(tenant, segmentId) : null;
    if (!segment) throw ApiError.notFound(segmentId, `Segment with id '${segmentId}' not found.`);
    const [profile, assignment, counts, excluded] = await Promise.all([
      this.profiles.findDoc(tenant, key),
      key.kind === 'customer'
        ? this.assignments.findOne(tenant, { segmentId, customerId: key.customerId, legalEntityId: key.legalEntityId })
        : null,
      key.kind === 'customer' ? this.assignments.countsByCustomer(tenant, [key.customerId]) : new Map<string, number>(),
      key.kind === 'customer'
        ? this.exclusions.isExcluded(tenant, { segmentId, customerId: key.customerId, legalEntityId: key.legalEntityId })
        : false,
    ]);
    const now = new Date();
    const activeNow = isEffectivelyActive(segment, now);
    const facts = { attributes: profile?.attributes ?? {}, mixins: profile?.mixins };
    const rule = segment.rule ? this.membership.rule(segment.rule) : null;
    const explained = rule ? rule.explain(facts) : null;
    const member = assignment !== null;
    const reasons: string[] = [];
    if (assignment?.assignmentType === 'MANUAL') {
      reasons.push(
        explained && !explained.held
          ? 'a manual assignment keeps the customer in, although the rule does not hold'
          : 'a manual assignment makes the customer a member',
      );
    }
    if (explained) {
      const failed = failedClauses(explained);
      if (!profile) reasons.push('no profile is stored, so the rule is judged on no facts');
      if (explained.held) {
        if (excluded && !member) reasons.push('the rule holds, but a manual exclude keeps the customer out');
        else if (assignment?.assignmentType === 'AUTOMATIC') reasons.push('the rule holds: the customer is a member through it');
        else if (key.kind === 'guest')
          reasons.push('the rule holds, but a guest is not a member until it signs in and its profile is merged');
        else if (!member) {
          // The limit is per customer and legal entity (segment §1.12).
          const count = key.kind === 'customer' ? (counts.get(customerCountKey(key.customerId, key.legalEntityId)) ?? 0) : 0;
          reasons.push(
            count >= this.settings.maxSegmentsPerCustomer
              ? `the rule holds, but the customer already belongs to the maximum of ${this.settings.maxSegmentsPerCustomer} segments`
              : 'the rule holds; the membership is created by the next evaluation (the segment’s rule evaluation is still running)',
          );
        }
      } else {
        reasons.push(`the rule does not hold: ${failed.map(describe).join('; ')}`);
      }
    } else if (!member) {
      reasons.push('the segment has no rule and no manual assignment names the customer');
    }
    if (!activeNow) {
      reasons.push(
        segment.status !== 'ACTIVE'
          ? `the segment is ${segment.status}: members see nothing of it`
          : 'the segment is outside its validity window now: members see nothing of it',
      );
    }
    const out: ExplanationResponseDto = {
      segmentId,
      ...(key.kind === 'guest'
        ? { sessionId: key.sessionId }
        : { customerId: key.customerId, ...(key.legalEntityId === null ? {} : { legalEntityId: key.legalEntityId }) }),
      member,
      effective: member && activeNow,
      assignmentType: assignment?.assignmentType ?? null,
      excluded,
      profileFound: profile !== null,
      rule: explained ? { source: segment.rule, held: explained.held, explanation: explained } : null,
      segment: {
        status: segment.status,
        ...(segment.validity && (segment.validity.from || segment.validity.to) ? { validity: renderValidity(segment.validity) } : {}),
        activeNow,
      },
      reasons,
    };
    return out;
  }
}

function whoOf(query: ExplanationQueryDto): ProfileKey {
  if (query.sessionId !== undefined) {
    if (query.customerId !== undefined || query.legalEntityId !== undefined) {
      throw ApiError.validation([
        { field: 'sessionId', type: 'invalid_value', message: 'name a customer or a guest (sessionId), not both' },
      ]);
    }
    return { kind: 'guest', sessionId: query.sessionId };
  }
  if (query.customerId === undefined) {
    throw ApiError.validation([
      { field: 'customerId', type: 'missing_value', message: 'customerId (or sessionId for a guest) is required' },
    ]);
  }
  return { kind: 'customer', customerId: query.customerId, legalEntityId: query.legalEntityId ?? null };
}

/** The clauses that decided a failed rule: under an all-of, the failed ones; under an any-of, every one. */
function failedClauses(e: RuleExplanation): RuleClauseExplanation[] {
  if (e.kind === 'clause') return e.held ? [] : [e];
  return e.clauses.flatMap(failedClauses);
}

function describe(c: RuleClauseExplanation): string {
  const actual = c.present ? JSON.stringify(c.actual) : 'missing';
  return `${c.field} is ${actual}, not ${c.condition}`;
}
