import { Injectable } from '@nestjs/common';
import { ApiError, Outcome, PagingQueryDto, isValidCustomId, pagingOf } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { inTenant } from '../common/segment-events';
import { ProfilesRepository } from '../profiles/profiles.repository';
import { customerDeletedChange } from '../segment-customers/customer-assignment.mapper';
import type { CustomerKey } from '../segment-customers/customer-assignment.types';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { ExclusionsRepository } from './exclusions.repository';
import { RuleMembership } from './rule-membership.service';

/** An exclusion as listed. */
export interface ExclusionView {
  customerId: string;
  legalEntityId?: string;
  createdAt: string;
}

/**
 * Manual excludes (README "Rule-based segments", hybrid): a customer a segment's rule must not make
 * a member. Excluding ends the rule's membership at once; a manual assignment is an explicit
 * include and stays until it is deleted. Lifting the exclusion evaluates the customer again.
 */
@Injectable()
export class Exclusions {
  constructor(
    private readonly exclusions: ExclusionsRepository,
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly membership: RuleMembership,
    private readonly events: ChangeEvents,
  ) {}

  /** `PUT`: 201 when new, 204 when it existed; an unknown segment is 404. */
  async exclude(ctx: RequestContext, key: CustomerKey): Promise<Outcome<never>> {
    const tenant = ctx.tenant;
    if (!(await this.segments.exists(tenant, key.segmentId))) throw notFound(key.segmentId);
    const created = await this.exclusions.add(tenant, key, new Date());
    const removed = await this.assignments.removeAutomatic(tenant, key);
    if (removed) await this.events.emit(ctx, ...inTenant(tenant, customerDeletedChange(removed, new Date())));
    const legalEntity = key.legalEntityId === null ? '' : `/${key.legalEntityId}`;
    return Outcome.upserted(created, `/customer-segment/${tenant}/segments/${key.segmentId}/exclusions/${key.customerId}${legalEntity}`);
  }

  /** `DELETE`: idempotent; the customer's profile is evaluated again (the rule may hold now). */
  async lift(ctx: RequestContext, key: CustomerKey): Promise<Outcome<never>> {
    if (
      !isValidCustomId(key.segmentId) ||
      !isValidCustomId(key.customerId) ||
      (key.legalEntityId !== null && !isValidCustomId(key.legalEntityId))
    )
      return Outcome.noContent();
    // Evaluated also when nothing was removed: a repeated DELETE finishes one whose evaluation was lost (kill -9).
    await this.exclusions.remove(ctx.tenant, key);
    const profile = await this.profiles.findDoc(ctx.tenant, {
      kind: 'customer',
      customerId: key.customerId,
      legalEntityId: key.legalEntityId,
    });
    if (profile) {
      await this.membership.reconcile(ctx, key.customerId, key.legalEntityId, {
        attributes: profile.attributes ?? {},
        mixins: profile.mixins,
      });
    }
    return Outcome.noContent();
  }

  /** `GET`: one page in id order; an unknown segment is 404. */
  async list(ctx: RequestContext, segmentId: string, query: PagingQueryDto): Promise<ExclusionView[]> {
    const paging = pagingOf(query);
    if (!isValidCustomId(segmentId) || !(await this.segments.exists(ctx.tenant, segmentId))) throw notFound(segmentId);
    const docs = await this.exclusions.page(ctx.tenant, segmentId, paging.skip, paging.limit);
    return docs.map((d) => ({
      customerId: d.customerId,
      ...(d.legalEntityId === null ? {} : { legalEntityId: d.legalEntityId }),
      createdAt: new Date(d.createdAt).toISOString(),
    }));
  }
}

function notFound(segmentId: string): ApiError {
  return ApiError.notFound(segmentId, `Segment with id '${segmentId}' not found.`);
}
