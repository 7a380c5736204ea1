/** Segment §2.1: ACTIVE and inside the validity window, both bounds inclusive, at `now`. */
export function isEffectivelyActive(segment: { status: string; validity?: { from?: Date; to?: Date } }, now: Date): boolean {
  if (segment.status !== 'ACTIVE') return false;
  const from = segment.validity?.from;
  const to = segment.validity?.to;
  if (from && new Date(from).getTime() > now.getTime()) return false;
  if (to && now.getTime() > new Date(to).getTime()) return false;
  return true;
}

/** The same rule as a MongoDB filter on segment documents (status is never flipped automatically). */
export function activeSegmentFilter(now: Date): Record<string, unknown> {
  return {
    status: 'ACTIVE',
    $and: [
      { $or: [{ 'validity.from': null }, { 'validity.from': { $lte: now } }] },
      { $or: [{ 'validity.to': null }, { 'validity.to': { $gte: now } }] },
    ],
  };
}
