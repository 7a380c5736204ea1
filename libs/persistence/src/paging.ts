import { Model } from 'mongoose';
import { mapMongoErrors } from './mongo-errors';
import { trustedFilter } from './tenant-model-registry';

export interface PageQuery {
  filter: Record<string, unknown>;
  /** Ordered sort spec (PAG-7), e.g. `[['name.en', 1], ['_id', 1]]`. */
  sort: Array<[string, 1 | -1]>;
  skip: number;
  limit: number;
  projection?: Record<string, 0 | 1>;
  /** every query built from q runs with a time budget (default 5000 ms). */
  maxTimeMS?: number;
  /** PAG-6: count all matches (same filter) only when asked. */
  withTotal?: boolean;
}

/**
 * One page of lean documents plus, when asked, the total under the same filter. Works on a
 * collection that does not exist yet (empty page, total 0), so reads never need to create one.
 */
export async function findPage<T>(model: Model<T>, q: PageQuery): Promise<{ items: T[]; total?: number }> {
  const maxTimeMS = q.maxTimeMS ?? 5000;
  const filter = trustedFilter(q.filter);
  return mapMongoErrors(async () => {
    const find = model
      .find(filter, q.projection ?? undefined)
      .sort(q.sort)
      .skip(q.skip)
      .limit(q.limit)
      .maxTimeMS(maxTimeMS)
      .lean<T[]>()
      .exec();
    const count = q.withTotal ? model.countDocuments(filter).maxTimeMS(maxTimeMS).exec() : Promise.resolve(undefined);
    const [items, total] = await Promise.all([find, count]);
    return { items, total };
  });
}

/** A driver cursor (or anything iterable asynchronously that can be closed). */
export interface ClosableCursor<D> {
  hasNext(): Promise<boolean>;
  readBufferedDocuments(count?: number): D[];
  close(): Promise<void>;
}

/**
 * A cursor's documents mapped and handed on `batchSize` at a time, the cursor closed however the
 * consumer stops: for exports that stream millions of rows with flat memory. Reads what the
 * driver holds of each server batch at once (one wait per server batch, not per document).
 */
export async function* cursorBatches<D, T>(cursor: ClosableCursor<D>, batchSize: number, map: (doc: D) => T): AsyncGenerator<T[]> {
  try {
    while (await cursor.hasNext()) {
      const docs = cursor.readBufferedDocuments();
      for (let i = 0; i < docs.length; i += batchSize) yield docs.slice(i, i + batchSize).map(map);
    }
  } finally {
    await cursor.close();
  }
}
