import { buildEvent, CloudEventEnvelope } from './event-envelope';
import { emitAllSafely, emitManySafely, emitSafely, EventSink } from './event-sink';
import { EVENT_SOURCES, EVENT_TYPES } from './event-types';
import { defaultMetricsRegistry, EVENTS_OUTBOX_FAILURES_TOTAL, MetricsRegistry } from './metrics';

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
    const registry = new MetricsRegistry();
    const e = event('C1');
    await expect(emitSafely(sink, e, log, registry)).resolves.toBe(true);
    expect(sink.accepted).toEqual([e]);
    expect(log.lines).toHaveLength(0);
    expect(registry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value ?? 0).toBe(0);
  });

  it('never rejects when the sink fails: logs the full envelope at error level and counts the failure', async () => {
    const log = logger();
    const registry = new MetricsRegistry();
    const e = event('C2');
    await expect(emitSafely(new RecordingSink(() => true), e, log, registry)).resolves.toBe(false);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].obj.event).toEqual(e);
    expect(log.lines[0].obj).toMatchObject({ tenant: 'acme', requestId: 'req-1', error: { message: 'E11000 outbox write failed' } });
    expect(registry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value).toBe(1);
    await emitSafely(new RecordingSink(() => true), e, log, registry);
    expect(registry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value).toBe(2);
  });

  it('survives a sink that throws synchronously and a logger that throws', async () => {
    const registry = new MetricsRegistry();
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
    await expect(emitSafely(sink, event('C3'), badLogger, registry)).resolves.toBe(false);
    expect(registry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value).toBe(1);
  });

  it('counts into the process-wide registry by default', async () => {
    const before = defaultMetricsRegistry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value ?? 0;
    await emitSafely(new RecordingSink(() => true), event('C4'), logger());
    expect(defaultMetricsRegistry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value).toBe(before + 1);
    expect(defaultMetricsRegistry.render()).toContain(`${EVENTS_OUTBOX_FAILURES_TOTAL} ${before + 1}\n`);
  });
});

describe('emitAllSafely (EVT-6)', () => {
  it('emits in the given order and carries on past a failed event', async () => {
    const sink = new RecordingSink((e) => e.subject === 'child-2');
    const registry = new MetricsRegistry();
    const log = logger();
    const n = await emitAllSafely(sink, [event('child-1'), event('child-2'), event('parent')], log, registry);
    expect(n).toBe(2);
    expect(sink.accepted.map((e) => e.subject)).toEqual(['child-1', 'parent']);
    expect(log.lines.map((l) => (l.obj.event as CloudEventEnvelope).subject)).toEqual(['child-2']);
    expect(registry.get(EVENTS_OUTBOX_FAILURES_TOTAL)?.value).toBe(1);
  });

  it('waits for each emit before the next, so the outbox sees them in order', async () => {
    const order: string[] = [];
    const sink: EventSink = {
      emit: (e) => new Promise((resolve) => setTimeout(() => (order.push(e.subject), resolve()), e.subject === 'a' ? 30 : 1)),
    };
    await emitAllSafely(sink, [event('a'), event('b')], logger(), new MetricsRegistry());
    expect(order).toEqual(['a', 'b']);
  });
});

describe('MetricsRegistry', () => {
  it('returns one counter per name and renders Prometheus text', () => {
    const r = new MetricsRegistry();
    const c = r.counter('b_total', 'B things');
    c.inc();
    c.inc(2);
    expect(r.counter('b_total', 'ignored')).toBe(c);
    r.counter('a_total', 'A\nthings').inc();
    expect(r.render()).toBe(
      '# HELP a_total A\\nthings\n# TYPE a_total counter\na_total 1\n# HELP b_total B things\n# TYPE b_total counter\nb_total 3\n',
    );
  });

  it('refuses bad names and decrements', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(TypeError);
    expect(() => r.counter('ok_total', 'x').inc(-1)).toThrow(RangeError);
    expect(() => r.counter('ok_total', 'x').inc(Number.NaN)).toThrow(RangeError);
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
    const registry = new MetricsRegistry();
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
    expect(await emitManySafely(sink, events, logger, registry)).toBe(2);
    expect(seen).toEqual(['C1', 'C2', 'C3']);
    expect(logger.lines.map((l) => (l.event as { subject: string }).subject)).toEqual(['C2']);
    expect(registry.render()).toContain(`${EVENTS_OUTBOX_FAILURES_TOTAL} 1`);
  });

  it('counts every event as failed when the batch rejects, and falls back to one by one without a batch form', async () => {
    logger.lines = [];
    const registry = new MetricsRegistry();
    const broken: EventSink = {
      emit: async () => undefined,
      emitMany: async () => {
        throw new Error('db down');
      },
    };
    expect(await emitManySafely(broken, events, logger, registry)).toBe(0);
    expect(logger.lines).toHaveLength(3);
    const single: string[] = [];
    expect(await emitManySafely({ emit: async (e) => void single.push(e.subject) }, events, logger, new MetricsRegistry())).toBe(3);
    expect(single).toEqual(['C1', 'C2', 'C3']);
  });
});
