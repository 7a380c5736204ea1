import { ApiError } from '../errors';
import { chunkIdsForQ, quotedIdList, quoteQValue, readAllPages } from './paging';

describe('readAllPages (S2S-14)', () => {
  it('asks for pages until a short page arrives, with the page size it was given', async () => {
    const asked: [number, number][] = [];
    const data = Array.from({ length: 2500 }, (_, i) => i);
    const all = await readAllPages(async (n, size) => {
      asked.push([n, size]);
      return data.slice((n - 1) * size, n * size);
    });
    expect(all).toEqual(data);
    expect(asked).toEqual([
      [1, 1000],
      [2, 1000],
      [3, 1000],
    ]);
  });

  it('asks for one more page after an exactly full page', async () => {
    const asked: number[] = [];
    const all = await readAllPages(async (n) => {
      asked.push(n);
      return n === 1 ? [1, 2] : [];
    }, 2);
    expect(all).toEqual([1, 2]);
    expect(asked).toEqual([1, 2]);
  });

  it('fails the whole lookup when any page fails', async () => {
    const boom = ApiError.upstreamUnavailable('category');
    await expect(readAllPages(async (n) => (n === 2 ? Promise.reject(boom) : [1, 2]), 2)).rejects.toBe(boom);
  });

  it('fails closed when the peer ignores the page size or sends no array', async () => {
    const e = await readAllPages(async () => [1, 2, 3], 2, 100_000, 'category').catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.errorCode).toBe('upstream_unavailable');
    expect(e.details[0].field).toBe('category');
    await expect(readAllPages(async () => ({}) as unknown as number[], 2)).rejects.toMatchObject({ errorCode: 'upstream_unavailable' });
  });

  it('fails instead of reading beyond the PAG-4 depth limit', async () => {
    const asked: number[] = [];
    const p = readAllPages(async (n) => (asked.push(n), Array(1000).fill(n)), 1000, 100_000, 'customer-segment');
    await expect(p).rejects.toMatchObject({ errorCode: 'upstream_unavailable' });
    // pages 1..101 are within (n-1)*1000 <= 100000; page 102 would not be
    expect(asked).toHaveLength(101);
    expect(asked[100]).toBe(101);
  });

  it('refuses a page size the peer would reject', async () => {
    await expect(readAllPages(async () => [], 1001)).rejects.toThrow(RangeError);
    await expect(readAllPages(async () => [], 0)).rejects.toThrow(RangeError);
  });
});

describe('q list helpers', () => {
  it('quotes and escapes " and \\ (Q-3)', () => {
    expect(quoteQValue('plain')).toBe('"plain"');
    expect(quoteQValue('a"b')).toBe('"a\\"b"');
    expect(quoteQValue('a\\b')).toBe('"a\\\\b"');
    expect(quoteQValue('\\"')).toBe('"\\\\\\""');
    expect(quotedIdList(['s1', 'null', 'a,b', '>5', 'x)y'])).toBe('("s1","null","a,b",">5","x)y")');
    expect(() => quotedIdList([])).toThrow(RangeError);
  });

  it('keeps everything in one q when it fits, dropping duplicates', () => {
    expect(chunkIdsForQ('type:CATEGORY segmentId:', ['s1', 's2', 's1'])).toEqual(['type:CATEGORY segmentId:("s1","s2")']);
    expect(chunkIdsForQ('id:', [])).toEqual([]);
  });

  it('splits at 200 items', () => {
    const ids = Array.from({ length: 450 }, (_, i) => `s${i}`);
    const parts = chunkIdsForQ('id:', ids);
    expect(parts).toHaveLength(3);
    const counts = parts.map((p) => p.slice(4, -1).split(',').length);
    expect(counts).toEqual([200, 200, 50]);
    expect(parts.join('')).toContain('"s449"');
  });

  it('splits so that no q exceeds 4096 characters, and fills each one as far as it can', () => {
    const prefix = 'type:CATEGORY segmentId:';
    const ids = Array.from({ length: 150 }, (_, i) => `${'x'.repeat(60)}${i}`);
    const parts = chunkIdsForQ(prefix, ids);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    for (const p of parts.slice(0, -1)) expect(p.length).toBeGreaterThan(4096 - 66);
    // every id appears exactly once overall, in order
    const back = parts.flatMap((p) =>
      p
        .slice(prefix.length + 1, -1)
        .split(',')
        .map((q) => q.slice(1, -1)),
    );
    expect(back).toEqual(ids);
  });

  it('counts escaping towards the length limit', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `${'"'.repeat(50)}${i}`);
    for (const p of chunkIdsForQ('id:', ids)) expect(p.length).toBeLessThanOrEqual(4096);
  });

  it('honours lower limits and refuses higher ones', () => {
    expect(chunkIdsForQ('id:', ['a', 'b', 'c'], { maxItems: 2 })).toEqual(['id:("a","b")', 'id:("c")']);
    expect(() => chunkIdsForQ('id:', ['a'], { maxItems: 201 })).toThrow(RangeError);
    expect(() => chunkIdsForQ('id:', ['a'], { maxChars: 5000 })).toThrow(RangeError);
  });

  it('refuses an id that cannot fit any q', () => {
    expect(() => chunkIdsForQ('id:', ['x'.repeat(4090)])).toThrow(RangeError);
  });
});
