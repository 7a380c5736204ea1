import type { Hierarchy } from './hierarchy';

/** At most this many (visibility, rendering) selections are cached per snapshot. */
const MAX_SELECTIONS = 8;

/** Every cache made, so that a derived snapshot inherits from all of them at once. */
const registry: Array<SnapshotCaches<unknown>> = [];

/**
 * Values derived from one tree snapshot, per (visibility, rendering) selection and category id:
 * rendered subtree texts, their bytes, their compressed forms. Snapshots are immutable, so an
 * entry never goes stale; it goes away with its snapshot. A snapshot derived from another
 * (`Hierarchy.withChanges`) inherits the entries of its base:
 *
 * - `clean`: all but those of `dirtySinceBase` (the changed ids and every ancestor of their old
 *   and new places), for values that depend on a whole subtree;
 * - `present`: every id still in the snapshot, for values that are checked against what they
 *   encode before they are reused (they survive a change below them when their own text did not
 *   change).
 */
export class SnapshotCaches<V> {
  private readonly bySnapshot = new WeakMap<Hierarchy, Map<string, Map<string, V>>>();

  constructor(private readonly inheritance: 'clean' | 'present') {
    registry.push(this as SnapshotCaches<unknown>);
  }

  /** The entries of `h` for one selection (a throw-away map beyond the selection bound). */
  of(h: Hierarchy, selection: string): Map<string, V> {
    let bySelection = this.bySnapshot.get(h);
    if (!bySelection) this.bySnapshot.set(h, (bySelection = new Map()));
    let cache = bySelection.get(selection);
    if (!cache) {
      cache = new Map();
      if (bySelection.size < MAX_SELECTIONS) bySelection.set(selection, cache);
    }
    return cache;
  }

  inherit(base: Hierarchy, next: Hierarchy): void {
    const from = this.bySnapshot.get(base);
    const dirty = next.dirtySinceBase;
    if (!from || !dirty) return;
    const to = new Map<string, Map<string, V>>();
    for (const [selection, cache] of from) {
      let copy: Map<string, V>;
      if (this.inheritance === 'clean') {
        copy = new Map(cache);
        for (const id of dirty) copy.delete(id);
      } else {
        copy = new Map();
        for (const [id, v] of cache) if (id === FOREST_ID || next.byId.has(id)) copy.set(id, v);
      }
      to.set(selection, copy);
    }
    this.bySnapshot.set(next, to);
  }
}

/** The id under which caches keep entries of the whole forest (no category id is empty). */
export const FOREST_ID = '';

/** Hands every cached rendering of `base` to `next` (made by `base.withChanges`), as each cache's rule says. */
export function inheritSnapshotCaches(base: Hierarchy, next: Hierarchy): void {
  for (const cache of registry) cache.inherit(base, next);
}
