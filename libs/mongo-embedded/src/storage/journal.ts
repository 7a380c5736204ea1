// Durability for a data directory: an append-only journal of BSON records, one per mutation.
//
// - Every command's records are written with one synchronous write() before its reply is sent,
//   so an acknowledged write is in the OS page cache and survives a kill -9 of this process.
//   There is no fsync per write: a machine crash or power loss can lose the tail.
// - At start the newest complete snapshot is loaded, then every journal of the same or a later
//   generation is replayed. A torn last record (crash mid-write) is cut off.
// - Compaction runs in the background once the journal grows: the live journal is rotated to a
//   new generation at one instant, the documents of that instant (stored documents are immutable
//   objects, so holding references is a consistent snapshot) are streamed to `snapshot-N.tmp`,
//   fsynced and atomically renamed to `snapshot-N`; older files are deleted afterwards.

import fs from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'bson';
import { Engine } from './engine';
import { IndexSpec } from './index-def';
import { Doc } from './paths';

const JOURNAL_RE = /^journal-(\d{8})\.bson$/;
const SNAPSHOT_RE = /^snapshot-(\d{8})\.bson$/;
const DESERIALIZE = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false };

function fileName(kind: 'journal' | 'snapshot', gen: number): string {
  return `${kind}-${String(gen).padStart(8, '0')}.bson`;
}

export interface JournalOptions {
  /** Compact once the live journal exceeds this many bytes (and twice the last snapshot). */
  compactAfterBytes?: number;
}

export class Journal {
  private fd: number;
  private pending: Uint8Array[] = [];
  private journalBytes = 0;
  private snapshotBytes = 0;
  private compaction: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private gen: number,
    private readonly engine: Engine,
    private readonly log: (m: string) => void,
    private readonly compactAfter: number,
  ) {
    this.fd = fs.openSync(path.join(dir, fileName('journal', gen)), 'a');
    this.journalBytes = fs.fstatSync(this.fd).size;
  }

  /** Loads the data directory into `engine` and starts journaling its mutations. */
  static open(dir: string, engine: Engine, log: (m: string) => void, opts: JournalOptions = {}): Journal {
    fs.mkdirSync(dir, { recursive: true });
    const files = fs.readdirSync(dir);
    for (const f of files) if (f.endsWith('.tmp')) fs.rmSync(path.join(dir, f), { force: true });
    const snapshots = files
      .map((f) => SNAPSHOT_RE.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const journals = files
      .map((f) => JOURNAL_RE.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const snapGen = snapshots.length ? snapshots[snapshots.length - 1] : -1;
    let snapshotBytes = 0;
    if (snapGen >= 0) snapshotBytes = replayFile(path.join(dir, fileName('snapshot', snapGen)), engine, log, false);
    const live = journals.filter((g) => g >= snapGen);
    for (const g of live) replayFile(path.join(dir, fileName('journal', g)), engine, log, true);
    // A `$out` killed between writing its temporary collection and renaming it leaves
    // `tmp.agg_out.*` behind; MongoDB drops those at startup, and so do we (replay is idempotent).
    for (const db of engine.databases.values()) {
      for (const name of [...db.collections.keys()]) if (name.startsWith('tmp.agg_out.')) db.drop(name, false);
    }
    const gen = Math.max(snapGen, live.length ? live[live.length - 1] : 0, 0);
    const j = new Journal(dir, gen, engine, log, opts.compactAfterBytes ?? 64 * 1024 * 1024);
    j.snapshotBytes = snapshotBytes;
    engine.sink = (rec) => j.append(rec);
    return j;
  }

  append(rec: Doc): void {
    if (this.closed) return;
    this.pending.push(serialize(rec, { ignoreUndefined: true }));
  }

  /** Writes the records of the command that just ran; called before its reply is sent. */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
    this.journalBytes += buf.length;
    if (!this.compaction && this.journalBytes > this.compactAfter && this.journalBytes > 2 * this.snapshotBytes) {
      this.compaction = this.compact()
        .catch((e) =>
          this.log(`embedded-mongo: compaction failed (the journal stays valid): ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(() => (this.compaction = null));
    }
  }

  /** Rotates the journal and writes a snapshot of this instant in the background. */
  compact(): Promise<void> {
    this.flush();
    const next = this.gen + 1;
    // Rotation and capture happen synchronously at one instant: the snapshot holds exactly the
    // state before the first record of the new journal.
    fs.closeSync(this.fd);
    this.gen = next;
    this.fd = fs.openSync(path.join(this.dir, fileName('journal', next)), 'a');
    this.journalBytes = 0;
    const captured = [...this.engine.databases.values()].flatMap((db) =>
      [...db.collections.values()].map((c) => ({
        db: db.name,
        name: c.name,
        options: c.options,
        indexes: [...c.indexes.values()].filter((i) => i.name !== '_id_').map((i) => i.spec as IndexSpec),
        docs: [...c.docs.values()],
      })),
    );
    return this.writeSnapshot(next, captured);
  }

  private async writeSnapshot(
    gen: number,
    captured: Array<{ db: string; name: string; options: Doc; indexes: IndexSpec[]; docs: Doc[] }>,
  ): Promise<void> {
    const tmp = path.join(this.dir, fileName('snapshot', gen) + '.tmp');
    const fh = await fs.promises.open(tmp, 'w');
    let total = 0;
    try {
      let parts: Uint8Array[] = [];
      let size = 0;
      const emit = async (rec: Doc): Promise<void> => {
        const b = serialize(rec, { ignoreUndefined: true });
        parts.push(b);
        size += b.length;
        if (size > 1024 * 1024) {
          const chunk = Buffer.concat(parts);
          parts = [];
          size = 0;
          await fh.write(chunk);
          total += chunk.length;
        }
      };
      for (const c of captured) {
        await emit({ op: 'cc', db: c.db, c: c.name, options: c.options });
        for (const spec of c.indexes) await emit({ op: 'ci', db: c.db, c: c.name, spec });
        for (const d of c.docs) await emit({ op: 'i', db: c.db, c: c.name, d });
      }
      if (parts.length) {
        const chunk = Buffer.concat(parts);
        await fh.write(chunk);
        total += chunk.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (this.closed && this.gen !== gen) return;
    await fs.promises.rename(tmp, path.join(this.dir, fileName('snapshot', gen)));
    this.snapshotBytes = total;
    for (const f of await fs.promises.readdir(this.dir)) {
      const m = JOURNAL_RE.exec(f) ?? SNAPSHOT_RE.exec(f);
      if (m && Number(m[1]) < gen) await fs.promises.rm(path.join(this.dir, f), { force: true });
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    fs.closeSync(this.fd);
  }

  /** Closes after any running compaction has finished. */
  async closeAsync(): Promise<void> {
    this.flush();
    if (this.compaction) await this.compaction;
    this.close();
  }
}

/** Applies every record of one file; cuts a torn tail off the live journal. Returns the bytes read. */
function replayFile(file: string, engine: Engine, log: (m: string) => void, truncateTorn: boolean): number {
  const buf = fs.readFileSync(file);
  let off = 0;
  while (off < buf.length) {
    let rec: Doc | null = null;
    if (off + 5 <= buf.length) {
      const size = buf.readInt32LE(off);
      if (size >= 5 && off + size <= buf.length && buf[off + size - 1] === 0) {
        try {
          rec = deserialize(buf.subarray(off, off + size), DESERIALIZE) as Doc;
        } catch {
          rec = null;
        }
        if (rec) {
          applyRecord(engine, rec, log);
          off += size;
          continue;
        }
      }
    }
    // A record that is incomplete or unreadable can only be the write a crash interrupted.
    log(`embedded-mongo: ${path.basename(file)}: ignoring ${buf.length - off} bytes of a torn record at offset ${off}`);
    if (truncateTorn) fs.truncateSync(file, off);
    break;
  }
  return off;
}

function applyRecord(engine: Engine, rec: Doc, log: (m: string) => void): void {
  const dbName = String(rec.db);
  const cName = String(rec.c);
  try {
    switch (rec.op) {
      case 'i':
      case 'u': {
        const coll = engine.db(dbName).get(cName) ?? engine.db(dbName).create(cName, {}, false);
        const doc = rec.d as Doc;
        const rid = coll.ridById(doc._id);
        if (rid === undefined) coll.insert(doc, false);
        else coll.replace(rid, doc, false);
        break;
      }
      case 'd': {
        const coll = engine.peek(dbName)?.get(cName);
        const rid = coll?.ridById(rec.id);
        if (coll && rid !== undefined) coll.remove(rid, false);
        break;
      }
      case 'cc':
        if (!engine.db(dbName).get(cName)) engine.db(dbName).create(cName, (rec.options as Doc) ?? {}, false);
        break;
      case 'dc':
        engine.peek(dbName)?.drop(cName, false);
        break;
      case 'dd':
        engine.dropDatabase(dbName, false);
        break;
      case 'ci': {
        const coll = engine.db(dbName).get(cName) ?? engine.db(dbName).create(cName, {}, false);
        const spec = rec.spec as IndexSpec;
        if (!coll.indexes.has(spec.name)) coll.addIndex(spec, false);
        break;
      }
      case 'di':
        engine.peek(dbName)?.get(cName)?.dropIndex(String(rec.name), false);
        break;
      case 'cm':
        engine
          .peek(dbName)
          ?.get(cName)
          ?.setOptions((rec.options as Doc) ?? {}, false);
        break;
      case 'mi':
        engine
          .peek(dbName)
          ?.get(cName)
          ?.setIndexOptions(String(rec.name), (rec.changes as Doc) ?? {}, false);
        break;
      case 'rn':
        engine.rename(dbName, cName, String(rec.toDb), String(rec.to), false);
        break;
      default:
        log(`embedded-mongo: unknown journal record ${String(rec.op)} skipped`);
    }
  } catch (e) {
    log(
      `embedded-mongo: journal record ${String(rec.op)} on ${dbName}.${cName} ` +
        `could not be applied: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
