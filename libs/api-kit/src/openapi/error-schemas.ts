import { ApiError, ErrorCode } from '../errors';
import { ErrorProfile, renderError, unauthorizedBody } from '../http/error-profiles';
import { BODY_LIMIT_BYTES } from '../http/request-body';

/** The component 401 responses refer to (ERR-2a, the same in every profile). */
export const FAULT_SCHEMA_REF = '#/components/schemas/Fault';

type Schema = Record<string, unknown>;

const detailObject: Schema = {
  type: 'object',
  description: 'One problem with one input (ERR-1); `field` is absent when the problem is not tied to one input.',
  required: ['type', 'message'],
  properties: {
    field: { type: 'string', description: 'Dotted/indexed path of the input, e.g. `validity.from` or `[2].id`.' },
    type: { type: 'string', description: 'Detail type (ERR-5).' },
    message: { type: 'string' },
  },
};

/** A sample error per status, rendered by the real renderer so examples cannot drift from the wire. */
const SAMPLES: Record<number, () => ApiError> = {
  400: () => ApiError.validation([{ field: 'name', type: 'missing_value', message: 'name is required' }]),
  403: () => new ApiError('forbidden', 'The caller is not allowed to perform this operation.'),
  404: () => ApiError.notFound('sample-id'),
  409: () => ApiError.duplicate('sample-id'),
  412: () => sample('precondition_failed', 'The answer is unchanged (If-None-Match).'),
  413: () => sample('payload_too_large', `The request body exceeds the limit of ${BODY_LIMIT_BYTES} bytes.`),
  415: () =>
    new ApiError(
      'unsupported_media_type',
      'The request body must be application/json, application/merge-patch+json or application/json-patch+json.',
      {
        details: [{ field: 'Content-Type', type: 'invalid_value', message: 'unsupported media type text/plain' }],
      },
    ),
  422: () =>
    new ApiError('idempotency_key_reused', 'The Idempotency-Key was already used for a different request.', {
      details: [{ field: 'Idempotency-Key', type: 'idempotency_key_reused', message: 'use a new key for a new request' }],
    }),
  429: () =>
    ApiError.tooManyRequests('Too many requests for this tenant; retry after 12 seconds.', 12, [
      { type: 'limit_exceeded', message: 'at most 600 requests per 60 s' },
    ]),
  500: () => ApiError.internal(),
  503: () => sample('service_unavailable', 'The service is temporarily unavailable.'),
};

function sample(code: ErrorCode, message: string): ApiError {
  return new ApiError(code, message);
}

/** The `Error` schema of a profile (ERR-2): the body of every 4xx but 401, and of every 5xx. */
export function errorSchema(profile: ErrorProfile): Schema {
  const example = renderError(SAMPLES[400](), profile);
  switch (profile) {
    case 'segment':
    case 'category':
    case 'webhook':
      // The segment, category and webhook profiles share their shape; only the form of a detail differs.
      return {
        type: 'object',
        description: `Error body of this service (conventions ERR-2, profile \`${profile}\`).`,
        required: ['code', 'status', 'errorCode', 'message', 'details'],
        properties: {
          code: { type: 'integer', description: 'The HTTP status.' },
          status: { type: 'string', description: 'The reason phrase of the status (ERR-4).' },
          errorCode: { type: 'string', description: 'Stable error code (ERR-3).' },
          message: { type: 'string' },
          details:
            profile === 'segment'
              ? { type: 'array', items: detailObject, description: 'Every problem found (ERR-6); possibly empty.' }
              : {
                  type: 'array',
                  items: { type: 'string' },
                  description: 'One string per problem (ERR-6): `<field>: <message>`, or the message alone.',
                },
          resourceId: { type: 'string', description: 'Id of the one resource concerned (404, 409), when known.' },
        },
        examples: [example],
      };
    case 'coupon':
      return {
        type: 'object',
        description: 'Error body of this service (conventions ERR-2, profile `coupon`).',
        required: ['status', 'type', 'message', 'details'],
        properties: {
          status: { type: 'integer', description: 'The HTTP status.' },
          type: { type: 'string', description: 'Error type of the coupon contract (§1.4), e.g. `validation_violation`.' },
          message: { type: 'string' },
          details: { type: 'array', items: detailObject, description: 'Every problem found (ERR-6); possibly empty.' },
        },
        examples: [example],
      };
  }
}

/** The gateway-style 401 body (ERR-2a). */
export function faultSchema(): Schema {
  return {
    type: 'object',
    description: 'The 401 body of every service (conventions ERR-2a).',
    required: ['fault'],
    properties: {
      fault: {
        type: 'object',
        required: ['faultstring', 'detail'],
        properties: {
          faultstring: { type: 'string' },
          detail: { type: 'object', required: ['errorcode'], properties: { errorcode: { type: 'string' } } },
        },
      },
    },
    examples: unauthorizedExamples().map((e) => e.value),
  };
}

/** Named examples of the 401 body: an invalid or missing token, and an expired one (AUTH-10). */
export function unauthorizedExamples(): { name: string; value: object }[] {
  return [
    { name: 'invalidToken', value: unauthorizedBody(new ApiError('token_invalid', 'Invalid access token')) },
    { name: 'expiredToken', value: unauthorizedBody(new ApiError('token_expired', 'Access Token expired')) },
  ];
}

/** An example error body for a documented status in the profile, or undefined for unusual statuses. */
export function errorExample(status: number, profile: ErrorProfile): object | undefined {
  const make = SAMPLES[status];
  return make ? renderError(make(), profile) : undefined;
}

/**
 * The two 403 answers of the guards, in the profile: a token of another tenant (TEN-2) and, when
 * the route requires scopes, a token holding none of them (AUTH-11). The texts are the guards'
 * (libs/auth/src/auth-errors.ts); a test in @suite/auth compares them.
 */
export function forbiddenExamples(scopes: readonly string[], profile: ErrorProfile): { name: string; value: object }[] {
  const examples = [
    {
      name: 'tenantMismatch',
      value: renderError(new ApiError('tenant_mismatch', 'The access token is not valid for the tenant in the path.'), profile),
    },
  ];
  if (scopes.length) {
    const missing = new ApiError('insufficient_scope', 'The access token does not hold a scope this operation requires.', {
      details: [{ type: 'missing_scope', message: `Required scope(s): ${scopes.join(' or ')}` }],
    });
    examples.unshift({ name: 'missingScope', value: renderError(missing, profile) });
  }
  return examples;
}
