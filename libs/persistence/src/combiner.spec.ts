import { Combiner, eachAlone, ItemFailure } from './combiner';

/** A run whose batches are recorded and settled by the test. */
function controlled(pacing: 'afterInFlight' | 'perTurn' = 'afterInFlight') {
  const batches: Array<{ key: string; items: number[]; settle: (results: string[] | Error) => void }> = [];
  const combiner = new Combiner<number, string>(
    (key, items) =>
      new Promise<string[]>((resolve, reject) => {
        batches.push({ key, items, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      }),
    3,
    pacing,
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

  describe('perTurn', () => {
    it('sends the items of one turn together at its end, at most maxBatch per command', async () => {
      const { batches, combiner } = controlled('perTurn');
      const asked = [1, 2, 3, 4].map((n) => combiner.submit('k', n));
      // Nothing is sent before the turn ends: every item of this turn can still join.
      expect(batches).toEqual([]);
      await tick();
      expect(batches.map((b) => b.items)).toEqual([[1, 2, 3], [4]]);
      batches[0].settle(['r1', 'r2', 'r3']);
      batches[1].settle(['r4']);
      await expect(Promise.all(asked)).resolves.toEqual(['r1', 'r2', 'r3', 'r4']);
    });

    it('never makes an item wait for a command in flight: a later turn sends its own at once', async () => {
      const { batches, combiner } = controlled('perTurn');
      const first = combiner.submit('k', 1);
      await tick();
      const second = combiner.submit('k', 2);
      await tick();
      // The first command has not answered, and the second item was sent anyway (after it was asked).
      expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
      batches[1].settle(['two']);
      await expect(second).resolves.toBe('two');
      batches[0].settle(['one']);
      await expect(first).resolves.toBe('one');
    });

    it('keeps keys apart and fails only the failed command', async () => {
      const { batches, combiner } = controlled('perTurn');
      const a = combiner.submit('a', 1);
      const b = combiner.submit('b', 2);
      await tick();
      expect(batches.map((x) => [x.key, x.items])).toEqual([
        ['a', [1]],
        ['b', [2]],
      ]);
      batches[0].settle(new Error('down'));
      batches[1].settle(['fine']);
      await expect(a).rejects.toThrow('down');
      await expect(b).resolves.toBe('fine');
    });
  });
});
