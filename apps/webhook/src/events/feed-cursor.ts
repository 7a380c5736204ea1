/** The feed's cursor (README "Event feed"): opaque to clients, a position in the tenant's feed here. */
const PREFIX = 'feed:';
const POSITION = /^feed:(0|[1-9]\d{0,15})$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeCursor(seq: number): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');
}

/** The position of a cursor this service issued; undefined for anything else (a 400 at the edge). */
export function decodeCursor(cursor: string): number | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const m = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return undefined;
  const seq = Number(m[1]);
  // Only the canonical spelling: a cursor is never one of several texts for one position.
  return Number.isSafeInteger(seq) && encodeCursor(seq) === cursor ? seq : undefined;
}
