import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { FeedCounterRepository } from './feed-counter.repository';
import type { FeedEventRepository, FeedInsertOutcome } from './feed-event.repository';
import type { FeedEvent, IngestedEnvelope } from './feed-event.types';
import { FEED_LATE_WRITE_MS } from './feed-settings';
import { FeedWriter } from './feed-writer';

function envelope(n: number): IngestedEnvelope {
  return {
    specversion: '1.0',
    id: `00000000-0000-4000-8000-00000000000${n}`,
    source: '/coupon',
    type: 'coupon.created',
    subject: `C${n}`,
    time: '2024-06-01T08:30:00.000Z',
    tenant: 'acme',
    data: { code: `C${n}` },
  };
}

/** The counter and the feed collection as plain memory, with a switchable slow insert. */
function fakes(options: { insertDelayMs?: number; prepareDelayMs?: number; outcome?: Partial<FeedInsertOutcome> } = {}) {
  let seq = 0;
  const log = { warn: jest.fn(), error: jest.fn() };
  const inserted: FeedEvent[] = [];
  const moves: { ids: readonly string[]; first: number; receivedAt: Date }[] = [];
  const raised: number[] = [];
  // As the registry does: a tenant's first write creates its collections and indexes (slow under
  // load), whether asked for beforehand or as part of the write itself.
  let prepared = false;
  const prepareForWrite = async () => {
    if (prepared) return;
    prepared = true;
    if (options.prepareDelayMs) await sleep(options.prepareDelayMs);
  };
  const counter = {
    prepareForWrite,
    allocate: async (_tenant: string, n: number) => {
      await prepareForWrite();
      seq += n;
      return seq - n + 1;
    },
    raiseTo: async (_tenant: string, to: number) => {
      raised.push(to);
      seq = Math.max(seq, to);
    },
  };
  const events = {
    prepareForWrite,
    insertMany: async (_tenant: string, docs: readonly FeedEvent[]): Promise<FeedInsertOutcome> => {
      await prepareForWrite();
      if (options.insertDelayMs) await sleep(options.insertDelayMs);
      inserted.push(...docs);
      return { duplicates: [], positionConflicts: [], refused: [], ...options.outcome };
    },
    move: async (_tenant: string, ids: readonly string[], first: number, receivedAt: Date) => void moves.push({ ids, first, receivedAt }),
    lastSeq: async () => 42,
  };
  const writer = new FeedWriter(
    counter as unknown as FeedCounterRepository,
    events as unknown as FeedEventRepository,
    log as unknown as Logger,
  );
  return { writer, inserted, moves, raised, log };
}

describe('FeedWriter', () => {
  it('stores a batch at one block of consecutive positions, receivedAt taken after the allocation', async () => {
    const f = fakes();
    const before = Date.now();
    const r = await f.writer.store('acme', [envelope(1), envelope(2), envelope(3)]);
    expect(r).toEqual({ inserted: 3, duplicates: [], refused: [] });
    expect(f.inserted.map((d) => [d.id, d.seq, d.type, d.subject])).toEqual([
      [envelope(1).id, 1, 'coupon.created', 'C1'],
      [envelope(2).id, 2, 'coupon.created', 'C2'],
      [envelope(3).id, 3, 'coupon.created', 'C3'],
    ]);
    expect(f.inserted[0].time).toEqual(new Date('2024-06-01T08:30:00.000Z'));
    expect(f.inserted[0].receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(f.inserted.map((d) => d.event)).toEqual([envelope(1), envelope(2), envelope(3)]);
    expect(f.moves).toEqual([]);
  });

  it("does not count a tenant's first-write setup (collections and indexes) in the write's time: no new positions", async () => {
    const f = fakes({ prepareDelayMs: FEED_LATE_WRITE_MS + 50 });
    const r = await f.writer.store('acme', [envelope(1), envelope(2), envelope(3)]);
    expect(r).toEqual({ inserted: 3, duplicates: [], refused: [] });
    expect(f.inserted.map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(f.moves).toEqual([]);
    expect(f.log.warn).not.toHaveBeenCalled();
  });

  it('gives a late write new positions after every block handed out meanwhile, only for what it inserted', async () => {
    const f = fakes({ insertDelayMs: FEED_LATE_WRITE_MS + 50, outcome: { duplicates: [1] } });
    const r = await f.writer.store('acme', [envelope(1), envelope(2), envelope(3)]);
    expect(r).toEqual({ inserted: 2, duplicates: [1], refused: [] });
    expect(f.moves).toHaveLength(1);
    expect(f.moves[0].ids).toEqual([envelope(1).id, envelope(3).id]);
    expect(f.moves[0].first).toBe(4);
    expect(f.moves[0].receivedAt.getTime()).toBeGreaterThan(f.inserted[0].receivedAt.getTime());
    expect(f.log.warn).toHaveBeenCalledTimes(1);
  });

  it('does not move a write that was quick enough, nor a late write that inserted nothing', async () => {
    expect((await fakes().writer.store('acme', [envelope(1)])).inserted).toBe(1);
    const late = fakes({ insertDelayMs: FEED_LATE_WRITE_MS + 50, outcome: { duplicates: [0] } });
    await late.writer.store('acme', [envelope(1)]);
    expect(late.moves).toEqual([]);
  });

  it('raises a counter that fell behind the stored positions and fails the request (the publisher retries)', async () => {
    const f = fakes({ outcome: { positionConflicts: [0] } });
    await expect(f.writer.store('acme', [envelope(1), envelope(2)])).rejects.toThrow(/counter was raised/);
    expect(f.raised).toEqual([42]);
  });

  it('stores nothing and asks for no positions for an empty batch', async () => {
    const f = fakes();
    expect(await f.writer.store('acme', [])).toEqual({ inserted: 0, duplicates: [], refused: [] });
    expect(f.inserted).toEqual([]);
  });
});
