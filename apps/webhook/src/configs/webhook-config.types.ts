/**
 * A tenant's webhook configuration as stored (README "Configs"). Only the `http` code and the
 * `HTTP` provider exist in this suite; the Svix ones are refused at the edge.
 */
export type HttpHeaders = Record<string, { value: string }>;

/** One `eventsConfiguration` entry: a target for one event type. */
export interface EventsConfigurationEntry {
  /** Server-generated UUID, stable for the entry's life. */
  id: string;
  name?: string;
  /** As written; matched against event types case-insensitively. */
  eventType: string;
  /** Overrides the root `destinationUrl` for this entry. */
  destinationUrl?: string;
  /** Overrides the root `secretKey`; never returned by reads (`secretKeyExists`). */
  secretKey?: string;
  /** Merged over the root headers (the entry's value wins for the same name). */
  headers?: HttpHeaders;
  filter?: string;
  /** `null`/absent: the subscription's `excludedFields` apply; `[]`: no exclusions for this entry. */
  excludedFields?: string[] | null;
  active: boolean;
}

export interface HttpConfiguration {
  destinationUrl?: string;
  secretKey?: string;
  headers?: HttpHeaders;
  eventsConfiguration: EventsConfigurationEntry[];
}

export interface WebhookConfig {
  code: 'http';
  provider: 'HTTP';
  active: boolean;
  configuration: HttpConfiguration;
  metadata: { version: number; createdAt: Date; modifiedAt: Date };
}

/**
 * How the rest of the service reads a tenant's config (routing at ingestion, delivery at each
 * attempt): always the stored state, never a cache. Provided and exported by ConfigsModule.
 */
export abstract class WebhookConfigReader {
  /** The tenant's `http` config, or null when it has none. */
  abstract httpConfig(tenant: string): Promise<WebhookConfig | null>;
}
