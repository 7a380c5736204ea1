import { ApiError, ErrorDetail, isPlainObject, validateDto } from '@suite/api-kit';
import { UpdateSubscriptionItemDto } from './dto/update-subscription.dto';
import type { CatalogEvent } from './event-catalog';
import type { SubscriptionState } from './subscription.repository';
import type { EventSubscription } from './subscription.types';

/** One update item, read (README "Subscriptions" → "Changing subscriptions"). */
export interface SubscriptionChange {
  action?: 'SUBSCRIBE' | 'UNSUBSCRIBE';
  /** The version precondition, when sent. */
  version?: number;
  unsubscribe: string[];
  subscribe: string[];
}

/**
 * An item judged like a single body (BULK-3): its DTO (unknown properties are dropped, ERR-7),
 * field names that are top-level fields of the event's schema (a misspelt name would otherwise
 * exclude nothing, and the data meant to be left out would be delivered), and no name both
 * excluded and re-included. `400` for the item otherwise, with every problem.
 */
export function readChange(raw: Record<string, unknown>, event: CatalogEvent, stored: EventSubscription | null): SubscriptionChange {
  const { value, details } = validateDto(UpdateSubscriptionItemDto, raw);
  const problems: ErrorDetail[] = [...details];
  const unsubscribe = Array.isArray(value.fieldsToUnsubscribe) ? value.fieldsToUnsubscribe : [];
  const subscribe = Array.isArray(value.fieldsToSubscribe) ? value.fieldsToSubscribe : [];
  if (problems.length === 0) {
    const known = Object.keys(event.eventSchema);
    const excluded = new Set(stored?.excludedFields ?? []);
    unsubscribe.forEach((name, i) => {
      if (!known.includes(name)) problems.push(unknownField(`fieldsToUnsubscribe[${i}]`, name, event, known));
    });
    subscribe.forEach((name, i) => {
      if (!known.includes(name) && !excluded.has(name)) problems.push(unknownField(`fieldsToSubscribe[${i}]`, name, event, known));
      else if (unsubscribe.includes(name)) {
        problems.push({ field: `fieldsToSubscribe[${i}]`, type: 'invalid_value', message: `${name} is also in fieldsToUnsubscribe` });
      }
    });
  }
  if (problems.length) throw ApiError.validation(problems);
  return { action: value.action, version: value.metadata?.version, unsubscribe, subscribe };
}

function unknownField(field: string, name: string, event: CatalogEvent, known: string[]): ErrorDetail {
  return { field, type: 'unknown_reference', message: `'${name}' is not a field of ${event.type} (fields: ${known.join(', ')})` };
}

/**
 * The state an item leaves, or undefined when it changes nothing (nothing is written then and the
 * version stays). An event never subscribed needs an `action`.
 */
export function nextState(stored: EventSubscription | null, change: SubscriptionChange): SubscriptionState | undefined {
  const status = change.action === undefined ? stored?.subscription : change.action === 'SUBSCRIBE' ? 'SUBSCRIBED' : 'UNSUBSCRIBED';
  if (status === undefined) {
    throw ApiError.validation([
      { field: 'action', type: 'missing_value', message: 'action is required for an event that has no subscription yet' },
    ]);
  }
  const excluded = (stored?.excludedFields ?? []).filter((f) => !change.subscribe.includes(f));
  for (const f of change.unsubscribe) if (!excluded.includes(f)) excluded.push(f);
  const unchanged =
    stored !== null &&
    stored.subscription === status &&
    stored.excludedFields.length === excluded.length &&
    stored.excludedFields.every((f, i) => f === excluded[i]);
  return unchanged ? undefined : { subscription: status, excludedFields: excluded };
}

/** The whole-request checks (Emporix 400): an array of 1 to 100 objects, each with a string `eventType`. */
export function requestProblems(body: unknown): ErrorDetail[] {
  if (body === undefined) return [{ type: 'missing_payload', message: 'a request body is required' }];
  if (!Array.isArray(body)) return [{ type: 'invalid_type', message: 'the body must be a JSON array of subscription updates' }];
  if (body.length === 0) return [{ type: 'missing_value', message: 'the array must contain at least one item' }];
  if (body.length > MAX_ITEMS) return [{ type: 'too_many_items', message: `at most ${MAX_ITEMS} items are allowed, got ${body.length}` }];
  const out: ErrorDetail[] = [];
  body.forEach((item, i) => {
    if (!isPlainObject(item)) out.push({ field: `[${i}]`, type: 'invalid_type', message: 'an item must be an object' });
    else if (typeof item.eventType !== 'string' || item.eventType === '') {
      out.push({
        field: `[${i}].eventType`,
        type: item.eventType === undefined ? 'missing_value' : 'invalid_type',
        message: 'eventType is required',
      });
    }
  });
  return out;
}

export const MAX_ITEMS = 100;
