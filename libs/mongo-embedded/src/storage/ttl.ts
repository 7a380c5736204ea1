// TTL indexes: a single-field index with `expireAfterSeconds` removes documents whose indexed
// date (or earliest date of an array) is older than that many seconds, checked periodically as
// MongoDB's TTL monitor does. Removals go through the collection, so they are journaled.

import { TypeBound, TypeRank } from './bson-order';
import { Engine } from './engine';

export function expireTtl(engine: Engine, now = Date.now()): number {
  let removed = 0;
  for (const db of engine.databases.values()) {
    for (const coll of db.collections.values()) {
      for (const idx of coll.indexes.values()) {
        const secs = idx.spec.expireAfterSeconds;
        if (typeof secs !== 'number' || !Number.isFinite(secs) || idx.fields.length !== 1) continue;
        const cutoff = new Date(now - secs * 1000);
        const rids = new Set<number>();
        // Only dates expire; the scan stays inside the Date type bracket.
        for (const e of idx.tree.range(
          { key: [new TypeBound(TypeRank.Date, false)], inclusive: true },
          { key: [cutoff], inclusive: false },
        ))
          rids.add(e.rid);
        for (const rid of rids) {
          coll.remove(rid);
          removed++;
        }
      }
    }
  }
  return removed;
}
