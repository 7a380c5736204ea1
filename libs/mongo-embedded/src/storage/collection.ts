// A collection: documents keyed by an internal record id, and its indexes. Every mutation checks
// all unique constraints before touching anything, so a failed write leaves no partial state.
// Stored documents are never mutated in place (updates store a new object), which lets open
// cursors and background snapshots hold plain references safely.

import { UUID } from 'bson';
import { CommandError, Codes } from '../errors';
import { canonicalKey } from './bson-order';
import { IndexDef, IndexSpec } from './index-def';
import { Doc } from './paths';

/** A journal sink: receives one record per applied mutation. */
export type WriteLog = (record: Doc) => void;

export class Collection {
  readonly docs = new Map<number, Doc>();
  readonly indexes = new Map<string, IndexDef>();
  readonly idIndex: IndexDef;
  private nextRid = 1;
  readonly uuid = new UUID();

  constructor(
    public db: string,
    public name: string,
    /** `create`/`collMod` options; replaced as a whole by {@link setOptions}, never mutated. */
    public options: Doc,
    private readonly log: WriteLog,
  ) {
    this.idIndex = new IndexDef({ v: 2, key: { _id: 1 }, name: '_id_' });
    this.indexes.set('_id_', this.idIndex);
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  /** The record id of the document with this `_id`, if any. */
  ridById(id: unknown): number | undefined {
    return this.idIndex.tree.findOther([id], -1)?.rid;
  }

  /** Inserts a document that already has its `_id`; throws DuplicateKey without side effects. */
  insert(doc: Doc, journal = true): number {
    const rid = this.nextRid++;
    // Every index's keys are computed and every unique one checked before anything is touched.
    const idxs: IndexDef[] = [];
    const keys: Array<unknown[][] | null> = [];
    for (const idx of this.indexes.values()) {
      idxs.push(idx);
      keys.push(idx.keysFor(doc));
    }
    for (let i = 0; i < idxs.length; i++) {
      const ks = keys[i];
      if (ks && idxs[i].unique) for (const k of ks) if (idxs[i].tree.findOther(k, rid)) throw idxs[i].duplicateError(this.ns, k);
    }
    for (let i = 0; i < idxs.length; i++) {
      const ks = keys[i];
      if (ks) for (const k of ks) idxs[i].tree.insert(k, rid);
    }
    this.docs.set(rid, doc);
    if (journal) this.log({ op: 'i', db: this.db, c: this.name, d: doc });
    return rid;
  }

  /**
   * Replaces the stored document of `rid` with a new object, maintaining every index. With
   * `changed` (the dotted paths an update wrote), indexes on none of them keep their entries
   * without their keys being recomputed.
   */
  replace(rid: number, next: Doc, journal = true, changed?: readonly string[]): void {
    const prev = this.docs.get(rid);
    if (!prev) throw new CommandError(Codes.InternalError, 'record vanished during update');
    const changes: Array<[IndexDef, unknown[][], unknown[][]]> = [];
    for (const idx of this.indexes.values()) {
      if (changed && !changed.some((p) => idx.touches(p))) continue;
      const before = idx.keysFor(prev) ?? [];
      const after = idx.keysFor(next) ?? [];
      if (sameKeys(before, after)) continue;
      if (idx.unique) for (const k of after) if (idx.tree.findOther(k, rid)) throw idx.duplicateError(this.ns, k);
      changes.push([idx, before, after]);
    }
    for (const [idx, before, after] of changes) {
      for (const k of before) idx.tree.remove(k, rid);
      for (const k of after) idx.tree.insert(k, rid);
    }
    this.docs.set(rid, next);
    if (journal) this.log({ op: 'u', db: this.db, c: this.name, d: next });
  }

  remove(rid: number, journal = true): void {
    const doc = this.docs.get(rid);
    if (!doc) return;
    for (const idx of this.indexes.values()) {
      const ks = idx.keysFor(doc);
      if (ks) for (const k of ks) idx.tree.remove(k, rid);
    }
    this.docs.delete(rid);
    if (journal) this.log({ op: 'd', db: this.db, c: this.name, id: doc._id });
  }

  /**
   * Builds a new index over the existing documents. A unique index over duplicates fails with
   * DuplicateKey and leaves the collection without it.
   */
  addIndex(spec: IndexSpec, journal = true): IndexDef {
    const idx = new IndexDef(spec);
    try {
      for (const [rid, doc] of this.docs) {
        const ks = idx.keysFor(doc);
        if (!ks) continue;
        for (const k of ks) {
          if (idx.unique && idx.tree.findOther(k, rid)) throw idx.duplicateError(this.ns, k);
          idx.tree.insert(k, rid);
        }
      }
    } catch (e) {
      idx.tree.clear();
      throw e;
    }
    this.indexes.set(spec.name, idx);
    if (journal) this.log({ op: 'ci', db: this.db, c: this.name, spec });
    return idx;
  }

  /** Replaces the collection options (`collMod`); journaled so a restart keeps them. */
  setOptions(options: Doc, journal = true): void {
    this.options = options;
    if (journal) this.log({ op: 'cm', db: this.db, c: this.name, options });
  }

  /** Changes the options of an index outside its key and signature (`collMod` `hidden`, TTL). */
  setIndexOptions(name: string, changes: Doc, journal = true): void {
    const idx = this.indexes.get(name);
    if (!idx) return;
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === null) delete idx.spec[k];
      else idx.spec[k] = v;
    }
    if (journal) this.log({ op: 'mi', db: this.db, c: this.name, name, changes });
  }

  dropIndex(name: string, journal = true): void {
    this.indexes.delete(name);
    if (journal) this.log({ op: 'di', db: this.db, c: this.name, name });
  }

  /** Removes every document (used by `drop` bookkeeping and tests). */
  clear(): void {
    this.docs.clear();
    for (const idx of this.indexes.values()) idx.tree.clear();
  }
}

function sameKeys(a: unknown[][], b: unknown[][]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 1 && a[0].length === 1 && b[0].length === 1) {
    const x = a[0][0];
    const y = b[0][0];
    if (x === y && (typeof x !== 'object' || x === null)) return true;
  }
  const sa = a.map((k) => k.map(canonicalKey).join('|')).sort();
  const sb = b.map((k) => k.map(canonicalKey).join('|')).sort();
  return sa.every((s, i) => s === sb[i]);
}
