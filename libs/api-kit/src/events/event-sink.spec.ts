import { buildEvent, CloudEventEnvelope } from './event-envelope';
import { emitAllSafely, emitManySafely, emitSafely, EventSink } from './event-sink';
import { EVENT_SOURCES, EVENT_TYPES } from './event-types';
import { metricsText } from '@suite/observability';

/** A failure counter of the test's own, so the process's `events_outbox_failures_total` is read only where a test says so. */
class Failures {
  value = 0;
  inc() {
    this.value += 1;
  }
}

/** `events_outbox_failures_total` as `GET /metrics` shows it. */
async function processFailures(): Promise<number> {
  const line = (await metricsText()).split('\n').find((l) => l.startsWith('events_outbox_failures_total '));
  return Number(line?.split(' ')[1] ?? 0);
}

function event(subject: string): CloudEventEnvelope<object> {
  return buildEvent({
    source: EVENT_SOURCES.coupon,
    type: EVENT_TYPES.coupon.deleted,
    subject,
    tenant: 'acme',
    entityVersion: 3,
    actor: { type: 'employee', id: 'u-1' },
    requestId: 'req-1',
    time: '2024-06-01T08:30:00.000Z',
    data: { code: subject },
  });
}

class RecordingSink implements EventSink {
  readonly accepted: CloudEventEnvelope<object>[] = [];
  constructor(private readonly failOn: (e: CloudEventEnvelope<object>) => boolean = () => false) {}
  async emit(e: CloudEventEnvelope<object>): Promise<void> {
    if (this.failOn(e)) throw new Error('E11000 outbox write failed');
    this.accepted.push(e);
  }
}

function logger() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  return { lines, error: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
}

describe('emitSafely (EVT-4)', () => {
  it('hands the event to the sink and reports success without logging or counting', async () => {
    const sink = new RecordingSink();
    const log = logger();
    const failures = new Failures();
    const e = event('C1');
    await expect(emitSafely(sink, e, log, failures)).resolves.toBe(true);
    expect(sink.accepted).toEqual([e]);
    expect(log.lines).toHaveLength(0);
    expect(failures.value).toBe(0);
  });

  it('never rejects when the sink fails: logs the full envelope at error level and counts the failure', async () => {
    const log = logger();
    const failures = new Failures();
    const e = event('C2');
    await expect(emitSafely(new RecordingSink(() => true), e, log, failures)).resolves.toBe(false);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].obj.event).toEqual(e);
    expect(log.lines[0].obj).toMatchObject({ tenant: 'acme', reqId: 'req-1', error: { message: 'E11000 outbox write failed' } });
    expect(failures.value).toBe(1);
    await emitSafely(new RecordingSink(() => true), e, log, failures);
    expect(failures.value).toBe(2);
  });

  it('survives a sink that throws synchronously and a logger that throws', async () => {
    const failures = new Failures();
    const sink: EventSink = {
      emit: () => {
        throw new Error('sync');
      },
    };
    const badLogger = {
      error: () => {
        throw new Error('logger down');
      },
    };
    await expect(emitSafely(sink, event('C3'), badLogger, failures)).resolves.toBe(false);
    expect(failures.value).toBe(1);
  });

  it('counts into events_outbox_failures_total of GET /metrics by default', async () => {
    const before = await processFailures();
    await emitSafely(new RecordingSink(() => true), event('C4'), logger());
    expect(await processFailures()).toBe(before + 1);
  });
});

describe('emitAllSafely (EVT-6)', () => {
  it('emits in the given order and carries on past a failed event', async () => {
    const sink = new RecordingSink((e) => e.subject === 'child-2');
    const failures = new Failures();
    const log = logger();
    const n = await emitAllSafely(sink, [event('child-1'), event('child-2'), event('parent')], log, failures);
    expect(n).toBe(2);
    expect(sink.accepted.map((e) => e.subject)).toEqual(['child-1', 'parent']);
    expect(log.lines.map((l) => (l.obj.event as CloudEventEnvelope).subject)).toEqual(['child-2']);
    expect(failures.value).toBe(1);
  });

  it('waits for each emit before the next, so the outbox sees them in order', async () => {
    const order: string[] = [];
    const sink: EventSink = {
      emit: (e) => new Promise((resolve) => setTimeout(() => (order.push(e.subject), resolve()), e.subject === 'a' ? 30 : 1)),
    };
    await emitAllSafely(sink, [event('a'), event('b')], logger(), new Failures());
    expect(order).toEqual(['a', 'b']);
  });
});

describe('emitManySafely', () => {
  const logger = {
    lines: [] as Array<Record<string, unknown>>,
    error(obj: Record<string, unknown>) {
      this.lines.push(obj);
    },
  };
  const events = [1, 2, 3].map((n) =>
    buildEvent({
      source: '/coupon',
      type: 'coupon.created',
      subject: `C${n}`,
      tenant: 'acme',
      entityVersion: 0,
      actor: { type: 'employee', id: 'u' },
      requestId: 'r',
      time: new Date(),
      data: {},
    }),
  );

  it('uses the batch form and handles only the refused events as failures', async () => {
    logger.lines = [];
    const failures = new Failures();
    const seen: string[] = [];
    const sink: EventSink = {
      emit: async () => {
        throw new Error('not used');
      },
      emitMany: async (es) => {
        es.forEach((e) => seen.push(e.subject));
        return [1];
      },
    };
    expect(await emitManySafely(sink, events, logger, failures)).toBe(2);
    expect(seen).toEqual(['C1', 'C2', 'C3']);
    expect(logger.lines.map((l) => (l.event as { subject: string }).subject)).toEqual(['C2']);
    expect(failures.value).toBe(1);
  });

  it('counts every event as failed when the batch rejects, and falls back to one by one without a batch form', async () => {
    logger.lines = [];
    const failures = new Failures();
    const broken: EventSink = {
      emit: async () => undefined,
      emitMany: async () => {
        throw new Error('db down');
      },
    };
    expect(await emitManySafely(broken, events, logger, failures)).toBe(0);
    expect(logger.lines).toHaveLength(3);
    const single: string[] = [];
    expect(await emitManySafely({ emit: async (e) => void single.push(e.subject) }, events, logger, new Failures())).toBe(3);
    expect(single).toEqual(['C1', 'C2', 'C3']);
  });
});
