import { Injectable } from '@nestjs/common';
import { ApiError, EVENT_TYPES } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { inTenant } from '../common/segment-events';
import { customerDeletedChange } from '../segment-customers/customer-assignment.mapper';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { itemDeletedChange } from '../segment-items/item-assignment.mapper';
import { ItemAssignmentsRepository } from '../segment-items/item-assignments.repository';
import { ExclusionsRepository } from '../rules/exclusions.repository';
import { RuleEpochsRepository } from '../rules/rule-epochs.repository';
import { RuleJobsRepository } from '../rules/rule-jobs.repository';
import { SegmentsRepository } from './segments.repository';

/**
 * Deleting a segment (segment §3.7, §5) without transactions (EVT-4): customer assignments, then
 * item assignments, then the segment document, then once more any assignment a concurrent write
 * added meanwhile. Every child's deletion event is emitted before the segment's (EVT-6). An
 * interrupted delete leaves the segment with fewer assignments; repeating it completes the job.
 */
@Injectable()
export class SegmentCascade {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly customers: CustomerAssignmentsRepository,
    private readonly items: ItemAssignmentsRepository,
    private readonly exclusions: ExclusionsRepository,
    private readonly epochs: RuleEpochsRepository,
    private readonly jobs: RuleJobsRepository,
    private readonly events: ChangeEvents,
  ) {}

  /** Deletes one segment; `400 business_rule_violation` when it has assignments and `force` is false. */
  async deleteSegment(ctx: RequestContext, id: string, force: boolean): Promise<void> {
    const tenant = ctx.tenant;
    const exists = await this.segments.exists(tenant, id);
    if (!force) {
      if (!exists) return;
      const [hasCustomers, hasItems] = await Promise.all([this.customers.anyInSegment(tenant, id), this.items.anyInSegment(tenant, id)]);
      if (hasCustomers || hasItems) {
        throw ApiError.businessRule('The segment has assignments; use forceDelete=true to delete it with its assignments.', [], undefined);
      }
    } else {
      // Also when the segment is already gone: a repeated delete sweeps what an interrupted one left.
      await this.deleteChildren(ctx, id);
    }
    const deleted = exists ? await this.segments.delete(tenant, id) : null;
    // A deleted rule segment leaves the tenant's rules before the last sweep: a profile write that
    // still evaluated it sees the epoch move and ends what it added (RuleMembership.reconcile).
    if (deleted?.rule !== undefined && deleted.rule !== null) await this.epochs.bump(tenant);
    if (force) await this.deleteChildren(ctx, id);
    // Exclusions are no assignments (no events), but a segment created later under this id must not
    // inherit them, nor its rule job (a running one stops at its next batch).
    if (deleted || force) await Promise.all([this.exclusions.removeSegment(tenant, id), this.jobs.remove(tenant, id)]);
    if (deleted) {
      const change = {
        type: EVENT_TYPES.customerSegment.segmentDeleted,
        subject: id,
        version: deleted.metadata.version,
        time: new Date(),
        data: { id },
      };
      await this.events.emit(ctx, ...inTenant(tenant, change));
    }
  }

  private async deleteChildren(ctx: RequestContext, segmentId: string): Promise<void> {
    const tenant = ctx.tenant;
    for (;;) {
      const batch = await this.customers.deleteBatchOfSegment(tenant, segmentId);
      if (batch.length === 0) break;
      const now = new Date();
      await this.events.emit(ctx, ...inTenant(tenant, ...batch.map((a) => customerDeletedChange(a, now))));
    }
    for (;;) {
      const batch = await this.items.deleteBatchOfSegment(tenant, segmentId);
      if (batch.length === 0) break;
      const now = new Date();
      await this.events.emit(ctx, ...inTenant(tenant, ...batch.map((a) => itemDeletedChange(a, now))));
    }
  }
}
