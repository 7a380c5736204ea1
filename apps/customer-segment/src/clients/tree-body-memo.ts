/**
 * Remembers, per key (a tenant and what was asked of the category service), the last category-tree
 * answer's exact bytes and what they decoded to, so that an identical answer is not decoded again:
 * on the storefront read (segment §8) the category service answers the same forest to every
 * customer of the same segments, and parsing and checking thousands of nodes costs far more than
 * comparing the bytes.
 *
 * Why this is not a cache in the sense of S2S-11 ("answers used for decisions are not cached
 * across requests"): every request still asks the category service, and only a byte-for-byte
 * identical answer to *this* request reuses the decoding of those same bytes. The decoded value
 * is a pure function of the bytes, so nothing stale can come back.
 *
 * The decoded value is shared by the requests that hit, so it must be deeply frozen by `decode`.
 */
export class TreeBodyMemo<T> {
  private readonly last = new Map<string, { bytes: Buffer; value: T; etag?: string }>();
  private bytesHeld = 0;

  /**
   * @param maxEntries keys remembered at once (least recently used dropped first)
   * @param maxBytes answer bytes remembered at once; a larger answer is decoded every time
   */
  constructor(
    private readonly maxEntries = 64,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** `key` must name the tenant: another tenant's decoding is never handed out, even for equal bytes. */
  decode(key: string, bytes: Buffer, decode: (bytes: Buffer) => T): T {
    const hit = this.last.get(key);
    if (hit && hit.bytes.equals(bytes)) {
      this.last.delete(key);
      this.last.set(key, hit);
      return hit.value;
    }
    const value = decode(bytes);
    this.forget(key);
    if (bytes.length > this.maxBytes) return value;
    while (this.last.size && (this.last.size >= this.maxEntries || this.bytesHeld + bytes.length > this.maxBytes)) {
      this.forget(this.last.keys().next().value as string);
    }
    // A copy: the response's buffer may be a slice of a pooled allocation.
    this.last.set(key, { bytes: Buffer.from(bytes), value });
    this.bytesHeld += bytes.length;
    return value;
  }

  /**
   * The remembered answer of `key` that has an entity tag, for a conditional request: its value
   * is used only when the category service answers that very tag is current (`412` to the search
   * POST, `304` to a GET; fresh by its word, S2S-11).
   */
  tagged(key: string): { etag: string; value: T } | undefined {
    const hit = this.last.get(key);
    return hit?.etag ? { etag: hit.etag, value: hit.value } : undefined;
  }

  /** Records the entity tag the answer that decoded to `value` came with (if it is still the one remembered). */
  tag(key: string, value: T, etag: string | undefined): void {
    const hit = this.last.get(key);
    if (hit && hit.value === value) hit.etag = etag;
  }

  private forget(key: string): void {
    const entry = this.last.get(key);
    if (!entry) return;
    this.last.delete(key);
    this.bytesHeld -= entry.bytes.length;
  }
}
