import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiHeaderOptions, ApiResponse } from '@nestjs/swagger';
import { ERROR_SCHEMA_REF, ResponseHeader } from '@suite/api-kit';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-request';

/** The optional request header, for the OpenAPI document (in the style of api-kit's common headers). */
export const IDEMPOTENCY_KEY: ApiHeaderOptions = {
  name: IDEMPOTENCY_KEY_HEADER,
  required: false,
  description:
    `Makes a retry safe: 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, chosen by the client per operation, ` +
    'scoped to the tenant and the caller and kept 24 h. The same key with the same request gets the first answer again ' +
    '(`Idempotent-Replayed: true`), without running the operation again; with another request it is a `422`; while the first ' +
    'request still runs, a duplicate waits for its answer, or gets a `409` after a few seconds. Answers of 5xx are not kept.',
  schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x20-\\x7E]+$' },
  example: '4f7d2a0c-3b9e-4e58-9a61-0f2b8c1d7e55',
};

/** The response header of a replayed answer. */
export const IDEMPOTENT_REPLAYED: Record<string, ResponseHeader> = {
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description: '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`; absent otherwise.',
    schema: { type: 'string' },
  },
};

/** @nestjs/swagger's metadata key of `@ApiResponse` (its `DECORATORS.API_RESPONSE`, not exported). */
const API_RESPONSES = 'swagger/apiResponse';

type Responses = Record<string, { headers?: Record<string, unknown> } & Record<string, unknown>>;

/**
 * Makes a write operation safe to retry with an `Idempotency-Key` header (see
 * {@link IdempotencyInterceptor} for the semantics): applies the interceptor to the route and
 * documents the request header, the `Idempotent-Replayed` response header on every response that
 * can be replayed (2xx and the 4xx the operation declares), the `409` of a key still in use and the
 * `422` of a key used for another request. Needs no arguments; goes above `@Operation({...})`,
 * whose responses it completes (a misplaced one stops the app at load time):
 *
 * ```ts
 * @Post('redemptions')
 * @RequireScopes(REDEEM)
 * @Idempotent()
 * @Operation({ id: 'createRedemption', ... })
 * redeem(...) { ... }
 * ```
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(UseInterceptors(IdempotencyInterceptor), ApiHeader(IDEMPOTENCY_KEY), documentReplays);
}

function documentReplays(target: object, key: string | symbol, descriptor: PropertyDescriptor): void {
  const handler = descriptor.value as object;
  const declared = Reflect.getMetadata(API_RESPONSES, handler) as Responses | undefined;
  if (!declared) {
    throw new Error(`@Idempotent() on ${String(key)} must be placed above @Operation({...}), whose responses it completes`);
  }
  // What the operation itself answers can be replayed: its 2xx and its 4xx but 401/403 (the guards').
  const replayable = new Set(
    Object.keys(declared).filter((status) => {
      const code = Number(status);
      return (code >= 200 && code < 300) || (code >= 400 && code < 500 && code !== 401 && code !== 403);
    }),
  );
  const decorate = (d: MethodDecorator) => d(target, key, descriptor);
  decorate(
    ApiResponse({
      status: 409,
      description: 'A request with the same `Idempotency-Key` is still running (`Retry-After` says when to retry).',
      schema: { $ref: ERROR_SCHEMA_REF },
    }),
  );
  decorate(
    ApiResponse({
      status: 422,
      description: 'The `Idempotency-Key` was already used for a different request (method, path, query or body).',
      schema: { $ref: ERROR_SCHEMA_REF },
    }),
  );
  const responses = Reflect.getMetadata(API_RESPONSES, handler) as Responses;
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying a key still in use.', schema: { type: 'integer' } } };
  const patched: Responses = {};
  for (const [status, response] of Object.entries(responses)) {
    const headers = {
      ...response.headers,
      ...(replayable.has(status) ? IDEMPOTENT_REPLAYED : {}),
      ...(status === '409' ? retryAfter : {}),
    };
    patched[status] = Object.keys(headers).length ? { ...response, headers } : response;
  }
  Reflect.defineMetadata(API_RESPONSES, patched, handler);
}
