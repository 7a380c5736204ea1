import { renderMetadata } from '@suite/api-kit';
import type { ConfigResponseDto, EventConfigurationResponseDto, HttpConfigurationResponseDto } from './dto/config.response.dto';
import type { EventsConfigurationEntry, HttpHeaders, WebhookConfig } from './webhook-config.types';

/**
 * A config as every read returns it (README "Configs" → "Reads"): never a secret, only whether
 * one is stored (`secretKeyExists`, at the root and per entry); entries always with `id` and an
 * explicit `active`; `excludedFields` null or absent as stored; optional values left out (HTTP-11).
 */
export function toConfigView(config: WebhookConfig): ConfigResponseDto {
  const c = config.configuration;
  const configuration: HttpConfigurationResponseDto = {} as HttpConfigurationResponseDto;
  if (c.destinationUrl !== undefined) configuration.destinationUrl = c.destinationUrl;
  configuration.secretKeyExists = hasSecret(c.secretKey);
  if (c.headers !== undefined) configuration.headers = copyHeaders(c.headers);
  configuration.eventsConfiguration = (c.eventsConfiguration ?? []).map(toEntryView);
  return {
    code: config.code,
    active: config.active,
    provider: config.provider,
    configuration,
    metadata: renderMetadata(config.metadata),
  };
}

function toEntryView(e: EventsConfigurationEntry): EventConfigurationResponseDto {
  const view = { id: e.id } as EventConfigurationResponseDto;
  if (e.name !== undefined) view.name = e.name;
  view.eventType = e.eventType;
  if (e.destinationUrl !== undefined) view.destinationUrl = e.destinationUrl;
  view.secretKeyExists = hasSecret(e.secretKey);
  if (e.headers !== undefined) view.headers = copyHeaders(e.headers);
  if (e.filter !== undefined) view.filter = e.filter;
  if (e.excludedFields !== undefined) view.excludedFields = e.excludedFields === null ? null : [...e.excludedFields];
  // Entries stored before the flag existed would report true (Emporix: "Omitted means active").
  view.active = e.active !== false;
  return view;
}

function hasSecret(secret: string | undefined): boolean {
  return typeof secret === 'string' && secret.length > 0;
}

function copyHeaders(headers: HttpHeaders): HttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, h]) => [name, { value: h.value }]));
}
