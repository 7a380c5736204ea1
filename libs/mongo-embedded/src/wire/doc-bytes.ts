// Encoded BSON of reply documents, cached per document object. Stored documents are immutable
// (an update stores a new object), so an object's bytes never go stale: the cache is keyed by
// identity in a WeakMap, an updated document is simply a new key, and bytes disappear with the
// object they encode. Repeated reads of the same documents therefore serialize each one once.

import { serialize } from 'bson';
import type { Doc } from './protocol';

const SERIALIZE = { ignoreUndefined: true };
const cache = new WeakMap<object, Uint8Array>();

/** The BSON bytes of `doc` (serialized on first use, then cached for the object's lifetime). */
export function docBytes(doc: Doc): Uint8Array {
  let bytes = cache.get(doc);
  if (!bytes) {
    bytes = serialize(doc, SERIALIZE);
    cache.set(doc, bytes);
  }
  return bytes;
}

const storedBatches = new WeakSet<unknown[]>();

/** Marks a reply batch as made of stored (immutable, long-lived) documents: encode via the cache. */
export function markStoredBatch<T extends unknown[]>(batch: T): T {
  storedBatches.add(batch);
  return batch;
}

/** True when `batch` was marked by `markStoredBatch`. */
export function isStoredBatch(batch: unknown[]): boolean {
  return storedBatches.has(batch);
}
