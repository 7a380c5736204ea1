import { createHmac } from 'node:crypto';
import type { DeliveryTarget } from './delivery-target';
import type { Delivery } from './delivery.types';
import { isReservedHeader } from '../configs/config-rules';

/** The headers of the protocol (README "Delivery", EVT-7). */
export const DELIVERY_HEADERS = {
  signature: 'emporix-event-signature',
  publishTime: 'emporix-event-publish-time',
  eventId: 'ce-id',
  eventType: 'ce-type',
  specVersion: 'ce-specversion',
  eventTime: 'ce-time',
  deliveryId: 'x-delivery-id',
  attempt: 'x-delivery-attempt',
} as const;

export const USER_AGENT = 'commerce-suite-webhook/1.0';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const UNSAFE_VALUE = /[\r\n\0]/;

/**
 * `emporix-event-signature`: the HMAC-SHA256 of the raw body bytes (UTF-8, exactly as sent), keyed
 * with the secret's UTF-8 bytes, base64-encoded.
 */
export function signBody(secretKey: string, body: string): string {
  return createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64');
}

/**
 * The headers of one attempt: the configured ones (reserved names and unsafe values left out),
 * then the protocol's, which always win. The signature only when the target has a secret.
 */
export function deliveryHeaders(delivery: Delivery, target: DeliveryTarget, at: Date, attemptNumber: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    if (!TOKEN.test(name) || isReservedHeader(name) || UNSAFE_VALUE.test(value)) continue;
    headers[name.toLowerCase() === 'user-agent' ? 'user-agent' : name] = value;
  }
  headers['user-agent'] ??= USER_AGENT;
  headers['content-type'] = 'application/json';
  headers[DELIVERY_HEADERS.publishTime] = at.toISOString();
  headers[DELIVERY_HEADERS.eventId] = delivery.eventId;
  headers[DELIVERY_HEADERS.eventType] = delivery.eventType;
  headers[DELIVERY_HEADERS.specVersion] = '1.0';
  if (delivery.eventTime) headers[DELIVERY_HEADERS.eventTime] = delivery.eventTime;
  headers[DELIVERY_HEADERS.deliveryId] = delivery.id;
  headers[DELIVERY_HEADERS.attempt] = String(attemptNumber);
  if (target.secretKey) headers[DELIVERY_HEADERS.signature] = signBody(target.secretKey, delivery.body);
  return headers;
}
