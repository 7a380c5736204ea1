import { Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';
import { ApiError, ErrorCode, ErrorDetail, Outcome } from '@suite/api-kit';
import { ApiErrorWithStatus } from './idempotency-errors';
import { IDEMPOTENT_REPLAYED_HEADER } from './idempotency-request';

/**
 * What a client received for a request, kept to be given again: a response (an `Outcome` or a
 * plain value of the handler) or a business error (an `ApiError` with a 4xx status). Headers are
 * name/value pairs (a header name may hold a dot, which a stored key may not).
 */
export type StoredOutcome = StoredResponse | StoredError;

export interface StoredResponse {
  kind: 'response';
  status: number;
  headers: Array<[string, string]>;
  /** The body as the JSON text the client received; absent for no body. */
  body?: string;
}

export interface StoredError {
  kind: 'error';
  status: number;
  errorCode: string;
  message: string;
  details: ErrorDetail[];
  resourceId?: string;
  profileType?: string;
  headers: Array<[string, string]>;
}

/**
 * The outcome of a handler's value: an `Outcome` with its status, headers and body; a plain value
 * with the route's status (`@HttpCode()` or the method's default, already on the reply when the
 * handler ran). Undefined when the value cannot be replayed as JSON (a stream, a buffer); the key
 * is then given up rather than answered wrongly later. A page's total (PAG-6) is not kept:
 * `@Idempotent()` is for writes.
 */
export function responseOutcome(value: unknown, routeStatus: number): StoredResponse | undefined {
  const [status, headers, body] = value instanceof Outcome ? [value.status, value.headers, value.body] : [routeStatus, {}, value];
  if (!isJsonValue(body)) return undefined;
  let text: string | undefined;
  try {
    text = status === 204 || body === undefined ? undefined : JSON.stringify(body);
  } catch {
    return undefined; // not JSON (a BigInt, a cycle): the answer itself fails, nothing to keep
  }
  return { kind: 'response', status, headers: Object.entries(headers), ...(text === undefined ? {} : { body: text }) };
}

/**
 * The outcome of an error the handler threw, when it is one to keep: an `ApiError` with a 4xx
 * status other than 429. A 429 (a throttle, ERR-3) says "not now": kept, it would be the answer to
 * every retry with the key even after `Retry-After` has passed, so the key is released instead.
 */
export function errorOutcome(error: unknown): StoredError | undefined {
  if (!(error instanceof ApiError) || error.httpStatus < 400 || error.httpStatus >= 500) return undefined;
  if (error.httpStatus === 429) return undefined;
  return {
    kind: 'error',
    status: error.httpStatus,
    errorCode: error.errorCode,
    message: error.message,
    details: error.details.map((d) => ({ ...d })),
    ...(error.resourceId === undefined ? {} : { resourceId: error.resourceId }),
    ...(error.profileType === undefined ? {} : { profileType: error.profileType }),
    headers: Object.entries(error.headers),
  };
}

/**
 * The stored answer again, marked `Idempotent-Replayed: true`: a response as an `Outcome` (the
 * outcome interceptor writes it as it wrote the first one), an error as an equal `ApiError`, which the
 * service's one exception filter renders byte for byte as it rendered the first.
 */
export function replay(outcome: StoredOutcome): Outcome {
  const headers = { ...Object.fromEntries(outcome.headers), [IDEMPOTENT_REPLAYED_HEADER]: 'true' };
  if (outcome.kind === 'error') {
    throw new ApiErrorWithStatus(outcome.status, outcome.errorCode as ErrorCode, outcome.message, {
      details: outcome.details,
      resourceId: outcome.resourceId,
      profileType: outcome.profileType,
      headers,
    });
  }
  return Outcome.of(outcome.status, outcome.body === undefined ? undefined : JSON.parse(outcome.body), headers);
}

function isJsonValue(value: unknown): boolean {
  return !(Buffer.isBuffer(value) || value instanceof Readable || value instanceof StreamableFile || value instanceof Uint8Array);
}
