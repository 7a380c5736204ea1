const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A monotonically increasing in-process counter (Prometheus semantics, no labels). */
export class Counter {
  private current = 0;

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Adds `by` (default 1); negative or non-finite increments are refused. */
  inc(by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new RangeError('a counter only goes up');
    this.current += by;
  }

  get value(): number {
    return this.current;
  }
}

/**
 * A tiny process-wide metrics registry: enough for the counters the conventions name
 * (`events_outbox_failures_total`, EVT-4) and a Prometheus text rendering, without a metrics
 * dependency. Swap for prom-client if the suite grows real metrics needs.
 */
export class MetricsRegistry {
  private readonly counters = new Map<string, Counter>();

  /** Returns the counter of that name, creating it on first use. */
  counter(name: string, help: string): Counter {
    if (!METRIC_NAME.test(name)) throw new TypeError(`invalid metric name ${name}`);
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter(name, help);
      this.counters.set(name, c);
    }
    return c;
  }

  get(name: string): Counter | undefined {
    return this.counters.get(name);
  }

  /** Prometheus text exposition format (version 0.0.4) of every counter, sorted by name. */
  render(): string {
    return [...this.counters.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(
        (c) => `# HELP ${c.name} ${c.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${c.name} counter\n${c.name} ${c.value}\n`,
      )
      .join('');
  }
}

/** The registry the suite's libraries count into unless given another one. */
export const defaultMetricsRegistry = new MetricsRegistry();

export const EVENTS_OUTBOX_FAILURES_TOTAL = 'events_outbox_failures_total';
