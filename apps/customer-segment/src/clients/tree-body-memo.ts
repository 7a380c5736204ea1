/**
 * Remembers, per tenant, the last category-tree answer's exact bytes and what they decoded to, so
 * that an identical answer is not decoded again: on the storefront read (segment §8) the category
 * service usually answers the same multi-megabyte forest to every customer, and parsing and
 * checking 16,000 nodes costs far more than comparing the bytes.
 *
 * Why this is not a cache in the sense of S2S-11 ("answers used for decisions are not cached
 * across requests"): every request still asks the category service, and only a byte-for-byte
 * identical answer to *this* request reuses the decoding of those same bytes. The decoded value
 * is a pure function of the bytes, so nothing stale can come back.
 *
 * The decoded value is shared by the requests that hit, so it must be deeply frozen by `decode`.
 */
export class TreeBodyMemo<T> {
  private readonly last = new Map<string, { bytes: Buffer; value: T }>();

  /**
   * @param maxTenants tenants remembered at once (least recently decoded dropped first)
   * @param maxBytes answers larger than this are decoded every time and not remembered
   */
  constructor(
    private readonly maxTenants = 8,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  decode(tenant: string, bytes: Buffer, decode: (bytes: Buffer) => T): T {
    const hit = this.last.get(tenant);
    if (hit && hit.bytes.equals(bytes)) return hit.value;
    const value = decode(bytes);
    if (bytes.length > this.maxBytes) return value;
    this.last.delete(tenant);
    if (this.last.size >= this.maxTenants) this.last.delete(this.last.keys().next().value as string);
    // A copy: the response's buffer may be a slice of a pooled allocation.
    this.last.set(tenant, { bytes: Buffer.from(bytes), value });
    return value;
  }
}
