/** A result that fails one item of a batch: its promise rejects with `error`, the others' do not. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

/**
 * One operation per item, each settling only its own item: for a batch that falls back to a
 * command per item, so one item's failure is never another's.
 */
export function eachAlone<T, R>(items: readonly T[], operation: (item: T) => Promise<R>): Promise<Array<R | ItemFailure>> {
  return Promise.all(items.map((item) => operation(item).catch((e: unknown) => new ItemFailure(e))));
}

/** One submitted item and the settling of its promise. */
interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Combines concurrent database operations of one key into one command (apps/coupon/README.md "Figures",
 * customer-segment's membership keys). An item submitted while no operation of its key runs starts one at once, alone; items submitted
 * while one runs wait for it and then go together, in submission order, in the next one. So:
 *
 * - every item's command is sent after the item was submitted: a combined read is never older than
 *   the request that asked for it, so nothing is served from a cache;
 * - an idle service adds no delay, and a busy one sends one command per key per round trip
 *   instead of one per request: the batch grows with the load.
 *
 * `run` gets the items of one batch and answers one result per item, in the same order (an
 * {@link ItemFailure} fails that item alone); when it throws, every item of the batch gets the error.
 */
export class Combiner<T, R> {
  private readonly queues = new Map<string, Array<Waiting<T, R>>>();
  /** Keys whose batch is in flight (`afterInFlight`), or whose turn's batch is scheduled (`perTurn`). */
  private readonly running = new Set<string>();

  /**
   * `pacing`: `afterInFlight` (the default) is described above and saves the most commands; with
   * `perTurn`, the items of a key submitted during one turn of the event loop go together in one
   * command, sent at the end of that turn, whatever is in flight: no item ever waits for another
   * command, so it suits a lookup whose round trip is long under load (a database queue that
   * other work fills), where waiting for the command in flight would add that round trip.
   */
  constructor(
    private readonly run: (key: string, items: T[]) => Promise<Array<R | ItemFailure>>,
    private readonly maxBatch = 100,
    private readonly pacing: 'afterInFlight' | 'perTurn' = 'afterInFlight',
  ) {
    if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new RangeError('maxBatch must be a positive integer');
  }

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (this.running.has(key)) return;
      if (this.pacing === 'afterInFlight') this.next(key);
      else {
        this.running.add(key);
        setImmediate(() => this.flushTurn(key));
      }
    });
  }

  /** `perTurn`: every item the turn gathered for `key`, in batches of at most `maxBatch`, sent at once. */
  private flushTurn(key: string): void {
    const queue = this.queues.get(key) ?? [];
    this.queues.delete(key);
    this.running.delete(key);
    for (let i = 0; i < queue.length; i += this.maxBatch) void this.execute(key, queue.slice(i, i + this.maxBatch));
  }

  /** Starts the next batch of `key` when items wait, else marks the key idle. */
  private next(key: string): void {
    const queue = this.queues.get(key);
    if (!queue?.length) {
      this.queues.delete(key);
      this.running.delete(key);
      return;
    }
    const batch = queue.splice(0, this.maxBatch);
    this.running.add(key);
    void this.execute(key, batch).then(() => this.next(key));
  }

  private async execute(key: string, batch: Array<Waiting<T, R>>): Promise<void> {
    let results: Array<R | ItemFailure>;
    try {
      results = await this.run(
        key,
        batch.map((w) => w.item),
      );
      if (results.length !== batch.length)
        throw new Error(`combined operation answered ${results.length} results for ${batch.length} items`);
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result instanceof ItemFailure) w.reject(result.error);
      else w.resolve(result);
    });
  }
}
