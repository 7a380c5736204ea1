import type { BenchContext } from '../run';
import { campaignScenario } from './campaign';
import { categoryScenario } from './category';
import { couponScenario } from './coupon';
import { segmentScenario } from './segment';
import { webhookScenario } from './webhook';

export type Scenario = (ctx: BenchContext) => Promise<void>;

/**
 * Scenarios by name, run in this order by default. `category` builds the 16,000-category tree
 * that `storefront` reads, so run them together.
 */
export const SCENARIOS: Record<string, Scenario> = {
  segment: segmentScenario,
  coupon: couponScenario,
  category: (ctx) => categoryScenario(ctx, false),
  storefront: (ctx) => categoryScenario(ctx, true),
  campaign: campaignScenario,
  webhook: webhookScenario,
};
