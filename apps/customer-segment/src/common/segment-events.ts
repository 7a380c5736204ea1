import type { ChangeEvent } from '@suite/persistence';

/**
 * Segment §6: the `data` of every event of this service also names the tenant (the envelope's
 * `tenant` extension is not enough for consumers that only read `data`). Changes are announced
 * through `ChangeEvents` of @suite/persistence (EVT-4: after the write, never failing it).
 */
export function inTenant(tenant: string, ...changes: ChangeEvent[]): ChangeEvent[] {
  return changes.map((change) => ({ ...change, data: { ...change.data, tenant } }));
}
