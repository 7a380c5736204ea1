import { randomInt } from 'node:crypto';

/** §4.2: the coupon code format (replaces the generic custom-id pattern, HTTP-8 item 8). */
export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,150}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `length` characters of [A-Z0-9] from a cryptographically secure source (§4.2, §12.2). */
export function randomCode(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** §4.2: stored upper-cased unless the tenant enabled case-sensitive codes. */
export function normalizeCode(code: string, caseSensitive: boolean): string {
  return caseSensitive ? code : code.toUpperCase();
}

/** §3.6: the `yrn` of a coupon. */
export function couponYrn(tenant: string, code: string): string {
  return `urn:yaas:saasag:coupon:coupon:${tenant};${code}`;
}
