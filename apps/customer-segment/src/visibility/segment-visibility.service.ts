import { Injectable } from '@nestjs/common';
import { ApiError, isValidCustomId } from '@suite/api-kit';
import { activeSegmentFilter, isEffectivelyActive } from '../common/activity';
import { andFilters } from '../common/listing';
import { Reader } from '../common/reader';
import { SegmentsRepository } from '../segments/segments.repository';
import { Segment } from '../segments/segment.types';
import { MembershipKey, memberSegmentIds, relevantAssignments } from './membership';
import { MembershipKeysRepository } from './membership-keys.repository';

/** A segment a reader may read, and in OWN mode the reader's relevant assignments in it. */
export interface ReadableSegment {
  segment: Segment;
  /** OWN mode only: the legal entities (null = B2C) of the caller's relevant assignments here. */
  ownLegalEntities?: Array<string | null>;
}

/**
 * Who sees which segment (segment §1.2.3, §2.4, AUTH-13). FULL readers see every segment; OWN
 * readers see the effectively active segments they are members of, and anything else reads as
 * `404` so that existence is never disclosed.
 */
@Injectable()
export class SegmentVisibility {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly keys: MembershipKeysRepository,
  ) {}

  /**
   * The relevant assignment set of a customer (segment §2.4); empty without a customer. Read for
   * every question: concurrent questions of a tenant share one query sent after all of them were
   * asked ({@link MembershipKeysRepository}), never an earlier answer.
   */
  async relevantKeys(tenant: string, customerId: string | undefined, legalEntityId: string | undefined): Promise<MembershipKey[]> {
    if (customerId === undefined) return [];
    return relevantAssignments(await this.keys.keysOfCustomer(tenant, customerId), legalEntityId);
  }

  /** Segment ids the customer is a member of, whatever their activity (FULL `customerId` filter, §3.2). */
  async memberIds(tenant: string, customerId: string, legalEntityId: string | undefined): Promise<string[]> {
    return memberSegmentIds(await this.relevantKeys(tenant, customerId, legalEntityId));
  }

  /** Ids of the segments an OWN reader sees now, optionally only those of one site (§3.22, §3.23). */
  async visibleIds(tenant: string, reader: Reader, options: { siteCode?: string; now?: Date } = {}): Promise<string[]> {
    const ids = memberSegmentIds(await this.relevantKeys(tenant, reader.customerId, reader.legalEntityId));
    if (ids.length === 0) return [];
    const filter = andFilters(
      { _id: { $in: ids } },
      activeSegmentFilter(options.now ?? new Date()),
      options.siteCode === undefined ? undefined : { siteCode: options.siteCode },
    );
    return this.segments.findIds(tenant, filter);
  }

  /**
   * The segment behind `/segments/{segmentId}/...` for a read: FULL needs it to exist, OWN needs it
   * visible; otherwise `404` (segment §3, shared rule).
   */
  async readable(tenant: string, reader: Reader, segmentId: string): Promise<ReadableSegment> {
    if (reader.mode === 'FULL') {
      const segment = await this.segments.findById(tenant, segmentId);
      if (!segment) throw segmentNotFound(segmentId);
      return { segment };
    }
    const keys = (await this.relevantKeys(tenant, reader.customerId, reader.legalEntityId)).filter((k) => k.segmentId === segmentId);
    if (keys.length === 0) throw segmentNotFound(segmentId);
    const segment = await this.segments.findById(tenant, segmentId);
    if (!segment || !isEffectivelyActive(segment, new Date())) throw segmentNotFound(segmentId);
    return { segment, ownLegalEntities: keys.map((k) => k.legalEntityId) };
  }

  /**
   * Existence of a segment for writes and FULL-only reads (unknown segment → `404`, §11.12); an id
   * that no segment can have is not looked up.
   */
  async requireExisting(tenant: string, segmentId: string): Promise<void> {
    if (!isValidCustomId(segmentId) || !(await this.segments.exists(tenant, segmentId))) throw segmentNotFound(segmentId);
  }
}

export function segmentNotFound(segmentId: string): ApiError {
  return ApiError.notFound(segmentId.length <= 150 ? segmentId : undefined, `Segment with id '${segmentId.slice(0, 150)}' not found.`);
}
