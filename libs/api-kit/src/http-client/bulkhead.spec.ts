import { Bulkhead, BulkheadFullError } from './bulkhead';

describe('Bulkhead', () => {
  it('grants up to maxConcurrent slots at once', async () => {
    const b = new Bulkhead({ maxConcurrent: 2, maxWaitMs: 20 });
    await b.acquire();
    await b.acquire();
    expect(b.inUse).toBe(2);
    await expect(b.acquire()).rejects.toBeInstanceOf(BulkheadFullError);
    expect(b.queued).toBe(0);
  });

  it('hands a released slot to the longest waiter first', async () => {
    const b = new Bulkhead({ maxConcurrent: 1, maxWaitMs: 1000 });
    const release = await b.acquire();
    const order: string[] = [];
    const w1 = b.acquire().then((r) => (order.push('first'), r));
    const w2 = b.acquire().then((r) => (order.push('second'), r));
    release();
    (await w1)();
    (await w2)();
    expect(order).toEqual(['first', 'second']);
    expect(b.inUse).toBe(0);
  });

  it('release is idempotent: releasing twice frees one slot only', async () => {
    const b = new Bulkhead({ maxConcurrent: 1, maxWaitMs: 10 });
    const r = await b.acquire();
    r();
    r();
    expect(b.inUse).toBe(0);
    await b.acquire();
    await expect(b.acquire()).rejects.toBeInstanceOf(BulkheadFullError);
  });

  it('waits at most the shorter of maxWaitMs and the caller limit', async () => {
    const b = new Bulkhead({ maxConcurrent: 1, maxWaitMs: 500 });
    await b.acquire();
    const started = Date.now();
    await expect(b.acquire(30)).rejects.toBeInstanceOf(BulkheadFullError);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('a timed-out waiter does not take a slot later', async () => {
    const b = new Bulkhead({ maxConcurrent: 1, maxWaitMs: 10 });
    const r = await b.acquire();
    await expect(b.acquire()).rejects.toBeInstanceOf(BulkheadFullError);
    r();
    expect(b.inUse).toBe(0);
  });

  it('rejects invalid limits', () => {
    expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(RangeError);
    expect(() => new Bulkhead({ maxWaitMs: -1 })).toThrow(RangeError);
  });
});
