import { filterLocalized, LanguageSelection, renderMetadata } from '@suite/api-kit';
import type { SubscriptionMetadataResponseDto, WebhookSubscriptionResponseDto } from './dto/subscription.response.dto';
import type { CatalogEvent } from './event-catalog';
import type { EventSubscription } from './subscription.types';

/**
 * One catalog event with the tenant's subscription (README "Subscriptions"): `NONE`, empty
 * `metadata` and no exclusions when never subscribed; the localized maps narrowed to the
 * request's languages (LOC-3; `null`: every translation).
 */
export function toSubscriptionView(
  event: CatalogEvent,
  stored: EventSubscription | undefined,
  languages: LanguageSelection,
): WebhookSubscriptionResponseDto {
  return {
    event: {
      type: event.type,
      name: filterLocalized(event.name, languages),
      group: filterLocalized(event.group, languages),
      description: filterLocalized(event.description, languages),
      eventSchema: { ...event.eventSchema },
    },
    metadata: stored ? (renderMetadata(stored.metadata) as SubscriptionMetadataResponseDto) : {},
    subscription: stored?.subscription ?? 'NONE',
    excludedFields: stored ? [...stored.excludedFields] : [],
  };
}
