/** The per-customer counting key of §9.2: "no legal entity" is its own bucket. */
export interface UsageKey {
  code: string;
  customerNumber: string;
  legalEntityId?: string;
}

/** One per-customer counter (§3.7): the uses of a coupon by a customer in one legal-entity bucket. */
export interface CustomerUsage extends UsageKey {
  count: number;
}
