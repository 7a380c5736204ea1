import type { DeliveryAttemptDto, DeliveryResponseDto, DeliverySummaryDto } from './dto/delivery.response.dto';
import type { Delivery, DeliveryAttempt } from './delivery.types';

const iso = (d: Date | string): string => new Date(d).toISOString();

function toAttemptView(a: DeliveryAttempt): DeliveryAttemptDto {
  const view: DeliveryAttemptDto = { at: iso(a.at), durationMs: a.durationMs, url: a.url, headerNames: [...(a.headerNames ?? [])] };
  if (a.statusCode !== undefined) view.statusCode = a.statusCode;
  if (a.error !== undefined) view.error = a.error;
  if (a.responseExcerpt !== undefined) view.responseExcerpt = a.responseExcerpt;
  return view;
}

/** A delivery as the log lists it; optional properties left out when unset (HTTP-11). */
export function toDeliverySummary(d: Delivery): DeliverySummaryDto {
  const view: DeliverySummaryDto = {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    entryId: d.entryId ?? null,
    url: d.url,
    state: d.state,
    attemptCount: d.attemptCount,
    createdAt: iso(d.createdAt),
  };
  if (d.nextAttemptAt) view.nextAttemptAt = iso(d.nextAttemptAt);
  if (d.completedAt) view.completedAt = iso(d.completedAt);
  if (d.reason !== undefined) view.reason = d.reason;
  const last = d.attempts?.[d.attempts.length - 1];
  if (last) view.lastAttempt = toAttemptView(last);
  if (d.replayOf !== undefined) view.replayOf = d.replayOf;
  if (d.replayedBy !== undefined) view.replayedBy = d.replayedBy;
  return view;
}

/** A delivery with its body and attempts; header values are never stored, so never shown. */
export function toDeliveryView(d: Delivery): DeliveryResponseDto {
  const view: DeliveryResponseDto = {
    ...toDeliverySummary(d),
    eventTime: d.eventTime,
    body: d.body,
    attempts: (d.attempts ?? []).map(toAttemptView),
  };
  if (d.replayedAt) view.replayedAt = iso(d.replayedAt);
  return view;
}
