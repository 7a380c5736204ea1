import type { CloudEventEnvelope } from './event-envelope';
import { outboxFailures } from '@suite/observability';

/**
 * Where services hand their events after a successful write (EVT-4). The persistence lib's
 * outbox implements it as one single-document insert into the shared `outbox` collection.
 * `emit` resolves once the event is durable in the outbox, and rejects if it is not.
 */
export interface EventSink {
  emit(event: CloudEventEnvelope<object>): Promise<void>;
  /**
   * Optional batch form (one write for a bulk request's events, EVT-6): resolves with the indices
   * of the events that did NOT reach the sink; rejects when nothing is known to have reached it.
   */
  emitMany?(events: readonly CloudEventEnvelope<object>[]): Promise<number[]>;
}

/** The one logging call {@link emitSafely} needs; any pino-like logger fits. */
export interface EventFailureLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/** Where {@link emitSafely} counts a failure: `events_outbox_failures_total` of @suite/observability unless a test passes its own. */
export interface FailureCounter {
  inc(): void;
}

/**
 * Emits one event after its write succeeded, following the EVT-4 failure rule: a failing emit
 * never fails the request, because the entity change is already durable. On failure the complete
 * envelope is logged at error level (so it can be replayed by hand) and
 * `events_outbox_failures_total` is incremented. Resolves `true` when the sink accepted the
 * event, `false` otherwise; never rejects.
 */
export async function emitSafely(
  sink: EventSink,
  event: CloudEventEnvelope<object>,
  logger: EventFailureLogger,
  failures: FailureCounter = outboxFailures,
): Promise<boolean> {
  try {
    await sink.emit(event);
    return true;
  } catch (e) {
    failures.inc();
    try {
      logger.error(
        { event, tenant: event.tenant, reqId: event.requestid, error: describe(e) },
        'event outbox insert failed; the event must be replayed by hand',
      );
    } catch {
      // A broken logger must not turn a durable write into a failed request either.
    }
    return false;
  }
}

/**
 * Emits events one after the other, in the given order, each under {@link emitSafely}: bulk
 * requests pass one event per successful item, cascading deletes pass the children's deletion
 * events before the parent's (EVT-6). A failed event does not stop the later ones. Resolves with
 * the number of events the sink accepted.
 */
export async function emitAllSafely(
  sink: EventSink,
  events: readonly CloudEventEnvelope<object>[],
  logger: EventFailureLogger,
  failures: FailureCounter = outboxFailures,
): Promise<number> {
  let accepted = 0;
  for (const event of events) if (await emitSafely(sink, event, logger, failures)) accepted += 1;
  return accepted;
}

/**
 * Emits a bulk request's events (EVT-6) through the sink's batch form when it has one, else one by
 * one; every event that did not reach the sink is handled as `emitSafely` handles a failure (EVT-4:
 * logged with its envelope, counted, never failing the request). Resolves with the number of
 * events the sink accepted; never rejects.
 */
export async function emitManySafely(
  sink: EventSink,
  events: readonly CloudEventEnvelope<object>[],
  logger: EventFailureLogger,
  failures: FailureCounter = outboxFailures,
): Promise<number> {
  if (events.length === 0) return 0;
  if (!sink.emitMany) return emitAllSafely(sink, events, logger, failures);
  let failed: number[];
  let cause: unknown = new Error('the batched outbox insert did not take this event');
  try {
    failed = await sink.emitMany(events);
  } catch (e) {
    failed = events.map((_, i) => i);
    cause = e;
  }
  const refuse: EventSink = { emit: () => Promise.reject(cause) };
  for (const i of failed) await emitSafely(refuse, events[i], logger, failures);
  return events.length - failed.length;
}

function describe(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}
