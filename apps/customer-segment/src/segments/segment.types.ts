import { LocalizedMap, StoredMetadata } from '@suite/api-kit';

export type SegmentStatus = 'ACTIVE' | 'INACTIVE';
export const SEGMENT_STATUSES: readonly SegmentStatus[] = ['ACTIVE', 'INACTIVE'];

/** Segment §1.7/§1.11: ids that are literal path segments beside `{segmentId}`. */
export const RESERVED_SEGMENT_IDS = ['bulk', 'search', 'match', 'items'] as const;

/**
 * What a client writes of a segment besides its id and metadata (segment §2.1). `L` is how the
 * localized fields are held: stored maps, or LOC-5 updates before they are merged.
 */
export interface SegmentContent<L = LocalizedMap> {
  name: L;
  description?: L;
  validity?: { from?: Date; to?: Date };
  status: SegmentStatus;
  siteCode: string;
  mixins?: Record<string, unknown>;
  /** Suite extension (README "Rule-based segments"): the `q` rule over profiles, as written. */
  rule?: string;
}

/** A segment as the repository returns it (segment §2.1, §2.5); no Mongo internals. */
export interface Segment extends SegmentContent {
  id: string;
  metadata: StoredMetadata;
}

/** The writable state of a segment after validation and LOC-5 merging (everything but metadata). */
export interface SegmentState extends SegmentContent {
  metadataMixins?: Record<string, string>;
}
