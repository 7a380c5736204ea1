import type { BenchContext } from '../run';

export type Scenario = (ctx: BenchContext) => Promise<void>;

/** Scenarios by name; each service adds its own file. */
export const SCENARIOS: Record<string, Scenario> = {};
