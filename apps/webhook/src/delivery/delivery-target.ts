import type { WebhookConfig } from '../configs/webhook-config.types';

/** Where and how a delivery goes now: its target's current URL, secret and headers. */
export interface DeliveryTarget {
  url: string;
  secretKey?: string;
  /** The root headers with the entry's merged over them (the entry's value wins for a name). */
  headers: Record<string, string>;
}

/** A target to send to, or why the delivery is dropped (README "Delivery": cancelled, never retried). */
export type TargetResolution = { target: DeliveryTarget } | { cancel: string };

/**
 * The current target of a delivery to entry `entryId` (null: the config's root URL), read from the
 * tenant's stored config at each attempt: a config or entry that is gone or inactive cancels the
 * delivery (Emporix: an inactive target drops its events without delivery or retries).
 */
export function resolveTarget(config: WebhookConfig | null, entryId: string | null): TargetResolution {
  if (!config) return { cancel: 'the tenant has no http webhook config any more' };
  if (!config.active) return { cancel: 'the webhook config is inactive' };
  const root = config.configuration;
  const rootHeaders = headerValues(root.headers);
  if (entryId === null) {
    if (!root.destinationUrl) return { cancel: 'the config has no destinationUrl any more' };
    return { target: { url: root.destinationUrl, secretKey: root.secretKey || undefined, headers: rootHeaders } };
  }
  const entry = (root.eventsConfiguration ?? []).find((e) => e.id === entryId);
  if (!entry) return { cancel: `the eventsConfiguration entry ${entryId} does not exist any more` };
  if (!entry.active) return { cancel: `the eventsConfiguration entry ${entryId} is inactive` };
  const url = entry.destinationUrl || root.destinationUrl;
  if (!url) return { cancel: `neither the entry ${entryId} nor the config has a destinationUrl` };
  const secretKey = entry.secretKey || root.secretKey || undefined;
  return { target: { url, secretKey, headers: mergeHeaders(rootHeaders, headerValues(entry.headers)) } };
}

function headerValues(headers: Record<string, { value: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, h] of Object.entries(headers ?? {})) if (h && typeof h.value === 'string') out[name] = h.value;
  return out;
}

/** Header names are case-insensitive: an entry's `x-api-key` replaces the root's `X-Api-Key`. */
function mergeHeaders(base: Record<string, string>, over: Record<string, string>): Record<string, string> {
  const merged = { ...base };
  for (const [name, value] of Object.entries(over)) {
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
    merged[name] = value;
  }
  return merged;
}
