import { LocalizedMap, StoredMetadata } from '@suite/api-kit';

export type SegmentStatus = 'ACTIVE' | 'INACTIVE';
export const SEGMENT_STATUSES: readonly SegmentStatus[] = ['ACTIVE', 'INACTIVE'];

/** Segment §1.7/§1.11: ids that are literal path segments beside `{segmentId}`. */
export const RESERVED_SEGMENT_IDS = ['bulk', 'search', 'match', 'items'] as const;

/** A segment as the repository returns it (segment §2.1, §2.5); no Mongo internals. */
export interface Segment {
  id: string;
  name: LocalizedMap;
  description?: LocalizedMap;
  validity?: { from?: Date; to?: Date };
  status: SegmentStatus;
  siteCode: string;
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

/** The writable state of a segment after validation and LOC-5 merging (everything but metadata). */
export interface SegmentState {
  name: LocalizedMap;
  description?: LocalizedMap;
  validity?: { from?: Date; to?: Date };
  status: SegmentStatus;
  siteCode: string;
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
}
