import { catalogType } from '../subscriptions/event-catalog';

/**
 * The canonical (lower-case) spelling of an event type of the catalog (README "Subscriptions"),
 * named in any letter case; undefined for a type the catalog does not know.
 */
export function canonicalEventType(raw: string): string | undefined {
  return catalogType(raw.trim());
}

/** The entries of a comma-separated `type` list, trimmed, empty ones left out. */
export function typeListEntries(raw: string): string[] {
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
