import { gzipSync } from 'node:zlib';
import { Outcome } from './outcome';

/**
 * Whether an answer may be sent gzip-coded, from the request's `Accept-Encoding` (RFC 9110
 * §12.5.3): `gzip` (or `x-gzip`, or else `*`) with a weight above 0 and not below a weight given
 * to `identity` (or `*`). Absent or unreadable: no (the answer is sent as it is, always allowed).
 */
export function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.length > 1024) return false;
  let gzip: number | undefined;
  let identity: number | undefined;
  let any: number | undefined;
  for (const item of value.split(',')) {
    const [coding, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/.exec(p);
      if (m) weight = Number(m[1]);
      else if (p.startsWith('q=')) weight = NaN;
    }
    if (Number.isNaN(weight)) continue;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, weight);
    else if (coding === 'identity') identity = weight;
    else if (coding === '*') any = weight;
  }
  // Identity is always acceptable unless excluded, but it competes only with a weight of its own.
  const g = gzip ?? any ?? 0;
  const i = identity ?? any ?? 0;
  return g > 0 && g >= i;
}

/** A JSON answer's bytes and, when it keeps one, its gzip form (undefined: too small to be worth it). */
export interface EncodableJson {
  json(): Buffer;
  gzip?(): Buffer | undefined;
  /** A weak entity tag of the JSON, unique to this answer (no other content ever has it). */
  etag?: string;
}

/** Smaller answers are sent as they are: compressing them saves less than it costs. */
export const MIN_GZIP_BYTES = 1024;

/** Gzip of a JSON answer, or undefined when it is too small to be worth it. */
export function gzipJson(json: Buffer): Buffer | undefined {
  return json.length < MIN_GZIP_BYTES ? undefined : gzipSync(json);
}

/**
 * A pre-serialised JSON answer in the coding the client accepts (`acceptsGzip`), with `Vary:
 * Accept-Encoding` either way, since the coding depends on the request. Used where the answer's
 * gzip form is kept with it (category trees, the storefront tree), so that it is compressed once
 * and not per request as a compression hook would.
 */
export function codedJsonAnswer(body: EncodableJson, acceptEncoding: string | readonly string[] | undefined): Outcome<Buffer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', Vary: 'Accept-Encoding' };
  if (body.etag) headers.ETag = body.etag;
  if (acceptsGzip(acceptEncoding)) {
    const coded = body.gzip ? body.gzip() : gzipJson(body.json());
    if (coded) return Outcome.ok(coded, { ...headers, 'Content-Encoding': 'gzip' });
  }
  return Outcome.ok(body.json(), headers);
}

/**
 * Whether `If-None-Match` names `etag` by weak comparison (RFC 9110 §13.1.2: the opaque tags
 * equal, `W/` ignored) or is `*`. Unreadable headers match nothing (the full answer is sent).
 */
export function matchesIfNoneMatch(header: string | readonly string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.length > 4096) return false;
  if (value.trim() === '*') return true;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return value.split(',').some((t) => opaque(t) === want);
}
