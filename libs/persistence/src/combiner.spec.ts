import { Combiner, eachAlone, ItemFailure } from './combiner';

/** A run whose batches are recorded and settled by the test. */
function controlled() {
  const batches: Array<{ key: string; items: number[]; settle: (results: string[] | Error) => void }> = [];
  const combiner = new Combiner<number, string>(
    (key, items) =>
      new Promise<string[]>((resolve, reject) => {
        batches.push({ key, items, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      }),
    3,
  );
  return { batches, combiner };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Combiner', () => {
  it('sends an item alone at once when its key is idle', async () => {
    const { batches, combiner } = controlled();
    const a = combiner.submit('k', 1);
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0].settle(['one']);
    await expect(a).resolves.toBe('one');
  });

  it('sends the items that arrived while a batch ran together, after it, in order and at most maxBatch at a time', async () => {
    const { batches, combiner } = controlled();
    const first = combiner.submit('k', 1);
    const later = [2, 3, 4, 5].map((n) => combiner.submit('k', n));
    // Nothing of the later items is sent while the first batch runs: their read would start before it ends.
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0].settle(['r1']);
    await first;
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1].settle(['r2', 'r3', 'r4']);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4], [5]]);
    batches[2].settle(['r5']);
    await expect(Promise.all(later)).resolves.toEqual(['r2', 'r3', 'r4', 'r5']);
  });

  it('keeps keys apart: another key does not wait', async () => {
    const { batches, combiner } = controlled();
    void combiner.submit('a', 1);
    void combiner.submit('b', 2);
    expect(batches.map((b) => [b.key, b.items])).toEqual([
      ['a', [1]],
      ['b', [2]],
    ]);
  });

  it('rejects every item of a failed batch, and goes on with the next one', async () => {
    const { batches, combiner } = controlled();
    const first = combiner.submit('k', 1);
    const second = [combiner.submit('k', 2), combiner.submit('k', 3)];
    batches[0].settle(new Error('down'));
    await expect(first).rejects.toThrow('down');
    await tick();
    batches[1].settle(new Error('still down'));
    await expect(Promise.all(second)).rejects.toThrow('still down');
    await expect(second[1]).rejects.toThrow('still down');
    const third = combiner.submit('k', 4);
    await tick();
    batches[2].settle(['ok']);
    await expect(third).resolves.toBe('ok');
  });

  it('rejects a batch whose run answers the wrong number of results', async () => {
    const { batches, combiner } = controlled();
    const a = combiner.submit('k', 1);
    batches[0].settle(['x', 'y']);
    await expect(a).rejects.toThrow('2 results for 1 items');
  });

  it('fails only the item an ItemFailure stands for', async () => {
    const combiner = new Combiner<number, number>((_, items) =>
      eachAlone(items, async (n) => {
        if (n === 2) throw new Error('two');
        return n * 10;
      }),
    );
    const first = combiner.submit('k', 0);
    const rest = [1, 2, 3].map((n) => combiner.submit('k', n));
    await expect(first).resolves.toBe(0);
    await expect(rest[0]).resolves.toBe(10);
    await expect(rest[1]).rejects.toThrow('two');
    await expect(rest[2]).resolves.toBe(30);
    expect(new ItemFailure('x').error).toBe('x');
  });
});
