import { LanguageSelection, filterLocalized, renderMetadata } from '@suite/api-kit';
import { SegmentResponseDto } from './dto/segment.response.dto';
import { Segment } from './segment.types';

/** A segment as returned (segment §2.1); optional properties omitted when unset (HTTP-11). */
export type SegmentView = SegmentResponseDto;

/** Renders a segment; `languages` is the LOC-3 selection (`null` = every translation). */
export function toSegmentView(s: Segment, languages: LanguageSelection): SegmentView {
  // Built in the documented key order (id, name, description, validity, status, siteCode, mixins,
  // metadata) so no second pass is needed to reorder it.
  const view = { id: s.id, name: filterLocalized(s.name, languages) } as SegmentView;
  if (s.description) view.description = filterLocalized(s.description, languages);
  if (s.validity && (s.validity.from || s.validity.to)) view.validity = renderValidity(s.validity);
  view.status = s.status;
  view.siteCode = s.siteCode;
  if (s.mixins !== undefined && s.mixins !== null) view.mixins = s.mixins;
  if (s.rule !== undefined && s.rule !== null) view.rule = s.rule;
  view.metadata = renderMetadata(s.metadata);
  return view;
}

export function renderValidity(v: { from?: Date; to?: Date }): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  if (v.from) out.from = new Date(v.from).toISOString();
  if (v.to) out.to = new Date(v.to).toISOString();
  return out;
}

/**
 * `data` of segment-created (segment §6): the full segment with complete maps, independent of
 * request headers (LOC-7), and with its mixins: EVT-3 wants created events to carry the full state
 * "with complete localized maps and mixins", which the §6 field list leaves out.
 */
export function segmentCreatedData(s: Segment): Record<string, unknown> {
  return { ...toSegmentView(s, null) };
}

/** `data` of segment-updated: the full segment including mixins, plus the status before the change. */
export function segmentUpdatedData(s: Segment, previousStatus: string): Record<string, unknown> {
  return { ...toSegmentView(s, null), previousStatus };
}
