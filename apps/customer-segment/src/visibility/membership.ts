/** One customer assignment reduced to what membership needs. */
export interface MembershipKey {
  segmentId: string;
  legalEntityId: string | null;
}

/**
 * Segment §2.4, the relevant assignment set of a customer with effective legal entity `L`: when
 * `L` is defined and the customer's assignments name at least two different legal entities, the
 * B2B assignments of other legal entities are dropped; B2C assignments always stay.
 */
export function relevantAssignments(keys: readonly MembershipKey[], legalEntityId: string | undefined): MembershipKey[] {
  if (legalEntityId === undefined) return [...keys];
  const entities = new Set(keys.filter((k) => k.legalEntityId !== null).map((k) => k.legalEntityId));
  if (entities.size < 2) return [...keys];
  return keys.filter((k) => k.legalEntityId === null || k.legalEntityId === legalEntityId);
}

/** Distinct segment ids of a relevant set, in first-seen order. */
export function memberSegmentIds(keys: readonly MembershipKey[]): string[] {
  return [...new Set(keys.map((k) => k.segmentId))];
}
