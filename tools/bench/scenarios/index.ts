import type { BenchContext } from '../run';
import { campaignScenario } from './campaign';
import { categoryScenario } from './category';
import { couponScenario } from './coupon';
import { profilesScenario } from './profiles';
import { segmentScenario } from './segment';
import { startupScenario, StartupOptions } from './startup';
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
  profiles: profilesScenario,
};

/**
 * Scenarios that start what they measure themselves: run first, before the suite the others share
 * is launched (and without it when only they are asked for).
 */
export const STANDALONE_SCENARIOS: Record<string, (options: StartupOptions) => Promise<void>> = {
  startup: startupScenario,
};
