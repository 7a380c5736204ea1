// Server-side cursors. A query's full result is computed atomically when the command runs (so
// every command sees one consistent state) and handed out in batches by `getMore`. Idle cursors
// expire after 10 minutes, as in MongoDB.

import { calculateObjectSize, Long } from 'bson';
import { CommandError, Codes } from '../errors';
import { Doc } from '../storage/paths';
import { docBytes, markStoredBatch } from '../wire/doc-bytes';

const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Keep a batch comfortably below the 16 MiB reply limit. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

/**
 * Smallest result whose documents' BSON is cached. Keeping bytes costs memory and GC time, which
 * made cold small reads (point reads, 100-document ranges over a large collection) ~30 % slower
 * than one plain serialization of the reply; large results are where re-serialization hurts.
 */
export const CACHED_BYTES_MIN_RESULT = 500;

interface Cursor {
  id: number;
  ns: string;
  docs: Doc[];
  pos: number;
  map: ((d: Doc) => Doc) | null;
  /** The batches are stored documents (no projection): encoded from cached bytes. */
  stored: boolean;
  lastUsed: number;
}

type Position = Pick<Cursor, 'docs' | 'pos' | 'map' | 'stored'>;

export class CursorManager {
  private readonly cursors = new Map<number, Cursor>();
  private nextId = 1 + Math.floor(Math.random() * 1e9);
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sweep(), 60_000);
    this.timer.unref();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, c] of this.cursors) if (now - c.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(id);
  }

  /** Takes up to `limit` documents (and at most ~16 MiB) from the cursor's position. */
  private take(c: Position, limit: number): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    const batchSize = limit;
    while (c.pos < c.docs.length && out.length < limit) {
      const raw = c.docs[c.pos];
      const d = c.map ? c.map(raw) : raw;
      if (batchSize > 1000) {
        // Stored documents: the size comes from the cached bytes the reply encoder copies.
        bytes += c.stored ? docBytes(d).length : calculateObjectSize(d);
        if (bytes > MAX_BATCH_BYTES && out.length > 0) break;
      }
      out.push(d);
      c.pos++;
    }
    return c.stored ? markStoredBatch(out) : out;
  }

  /**
   * Builds the `cursor` reply field of a query: the first batch (101 documents unless
   * `batchSize` says otherwise; 0 gives an empty first batch, as in MongoDB), and a live cursor
   * id when documents remain (0 otherwise). `stored` says that `docs` are stored documents
   * (immutable, so their encoded bytes may be cached); it is ignored when `map` is given and for
   * results smaller than `CACHED_BYTES_MIN_RESULT`.
   */
  open(
    ns: string,
    docs: Doc[],
    opts: { batchSize?: number; singleBatch?: boolean; map?: ((d: Doc) => Doc) | null; stored?: boolean },
  ): Doc {
    const stored = opts.stored === true && !opts.map && docs.length >= CACHED_BYTES_MIN_RESULT;
    const state: Position = { docs, pos: 0, map: opts.map ?? null, stored };
    const batchSize = opts.batchSize ?? 101;
    const firstBatch = this.take(state, batchSize);
    let id = 0;
    if (!opts.singleBatch && state.pos < docs.length) {
      id = this.nextId++;
      this.cursors.set(id, { id, ns, docs, pos: state.pos, map: state.map, stored: state.stored, lastUsed: Date.now() });
    }
    return { firstBatch, id: Long.fromNumber(id), ns };
  }

  getMore(id: number, ns: string, batchSize: number | undefined): Doc {
    const c = this.cursors.get(id);
    if (!c) throw new CommandError(Codes.CursorNotFound, `cursor id ${id} not found`);
    if (c.ns !== ns)
      throw new CommandError(
        Codes.Unauthorized,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`,
      );
    c.lastUsed = Date.now();
    // getMore without a (positive) batchSize returns as much as fits in one reply.
    const nextBatch = this.take(c, batchSize && batchSize > 0 ? batchSize : Infinity);
    const done = c.pos >= c.docs.length;
    if (done) this.cursors.delete(id);
    return { nextBatch, id: Long.fromNumber(done ? 0 : id), ns };
  }

  kill(ids: number[]): Doc {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  }

  /** Drops the cursors of a namespace (its collection was dropped). */
  killNamespace(ns: string): void {
    for (const [id, c] of this.cursors) if (c.ns === ns) this.cursors.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
    this.cursors.clear();
  }

  get open_count(): number {
    return this.cursors.size;
  }
}
