import { createHash } from 'node:crypto';
import { ApiError, ErrorDetail } from '@suite/api-kit';

/** The request header that names a retry of the same operation. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The response header of an answer that is a stored one, given again. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** A key is 1 to 255 printable ASCII characters (space to `~`). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The verified caller as the auth guard attaches it to the request (`req.auth`, AUTH-7). Declared
 * here by shape because @suite/persistence does not depend on @suite/auth; its `AuthContext` fits.
 */
export interface IdempotencyCaller {
  readonly tenant: string;
  readonly principalType: string;
  readonly subject: string;
  readonly customerId?: string;
  readonly legalEntityId?: string;
  readonly visitId?: string;
  readonly clientId?: string;
}

/**
 * The `Idempotency-Key` of a request: undefined when the header is absent, the key when it is 1 to
 * 255 printable ASCII characters, otherwise `400 validation_failed` on the field `Idempotency-Key`
 * listing every problem (ERR-6). Node has already removed the whitespace around the value; a header
 * sent twice arrives joined by `, ` (or as an array, refused).
 */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (raw === undefined) return undefined;
  const field = IDEMPOTENCY_KEY_HEADER;
  const details: ErrorDetail[] = [];
  if (Array.isArray(raw)) {
    details.push({ field, type: 'invalid_value', message: `${field} must be sent once` });
  } else if (raw.length === 0) {
    details.push({ field, type: 'missing_value', message: `${field} must not be empty` });
  } else {
    if (raw.length > MAX_IDEMPOTENCY_KEY_LENGTH)
      details.push({ field, type: 'too_long', message: `${field} must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long` });
    if (!PRINTABLE_ASCII.test(raw))
      details.push({ field, type: 'invalid_format', message: `${field} must consist of printable ASCII characters only` });
  }
  if (details.length) throw ApiError.validation(details);
  return raw as string;
}

/**
 * Who the key belongs to. Keys are scoped to the tenant (one collection per tenant) and to the
 * principal: the principal type plus the claim that identifies it (AUTH-3): the customer number
 * together with the legal entity the customer acts for (a B2B customer acting for another legal
 * entity is another buyer), the visit of an anonymous shopper, the OAuth client of a service, the
 * user id of an employee. Falls back to `sub`, which holds the same values (AUTH-3).
 */
export function principalKey(caller: IdempotencyCaller): string {
  switch (caller.principalType) {
    case 'customer':
      return JSON.stringify(['customer', caller.customerId ?? caller.subject, caller.legalEntityId ?? null]);
    case 'anonymous':
      return JSON.stringify(['anonymous', caller.visitId ?? caller.subject]);
    case 'service':
      return JSON.stringify(['service', caller.clientId ?? caller.subject]);
    default:
      return JSON.stringify([caller.principalType, caller.subject]);
  }
}

/** The stored record's `_id`: sha256 of the principal and the key, so neither is kept in clear. */
export function idempotencyRecordId(caller: IdempotencyCaller, key: string): string {
  return sha256(`${principalKey(caller)}\n${key}`);
}

/**
 * What makes two requests "the same request": sha256 of the method, the path as sent, the decoded
 * query parameters and the decoded body, both as canonical JSON (object keys sorted, so key order
 * does not count; array order does). Unknown body properties count too: the body is compared as
 * sent, not as the handler's DTO sees it.
 */
export function requestFingerprint(method: string, path: string, query: unknown, body: unknown): string {
  return sha256(`${method.toUpperCase()}\n${path}\n${canonicalJson(query ?? {})}\n${canonicalJson(body ?? null)}`);
}

/**
 * JSON with object keys in sorted order at every level; otherwise what `JSON.stringify` writes
 * (`toJSON` honoured, `undefined` and functions left out of objects and `null` in arrays). Built by
 * hand so that a `__proto__` key of a parsed body stays an ordinary key.
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((v) => (isOmitted(v) ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => !isOmitted(record[k]))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
