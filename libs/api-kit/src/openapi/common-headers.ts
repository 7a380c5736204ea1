import type { ApiHeaderOptions } from '@nestjs/swagger';
import type { OperationResponse } from './operation.decorator';

// The OpenAPI pieces the operations of every service share, for `@Operation({...})`: the request
// headers of the conventions (LOC-3, LOC-4, PAG-6) and the response headers of lists and creations.
// Documentation only: the pipeline reads and writes these headers whatever the document says.

/** LOC-3: the languages the localized fields of the answer are narrowed to. */
export const ACCEPT_LANGUAGE: ApiHeaderOptions = {
  name: 'Accept-Language',
  required: false,
  description: 'Weighted list of languages the localized fields are narrowed to (LOC-3); absent or `*`: every translation.',
  example: 'de, en;q=0.5',
};

/**
 * An answer sent gzip-coded when this allows it (suite extension, `content-coding.ts`). Named as
 * the handler's `@Headers('accept-encoding')` names it, so that this entry replaces the required,
 * undescribed one Nest's OpenAPI explorer makes of that parameter.
 */
export const ACCEPT_ENCODING: ApiHeaderOptions = {
  name: 'accept-encoding',
  required: false,
  description: 'The answer is gzip-coded (`Content-Encoding: gzip`) when this accepts `gzip`; otherwise it is sent as it is.',
  example: 'gzip',
};

/** A conditional request on an answer that carries an `ETag` (category op 22 `branchesOnly`); named as its `@Headers` parameter. */
export const IF_NONE_MATCH: ApiHeaderOptions = {
  name: 'if-none-match',
  required: false,
  description:
    'The `ETag` of an earlier answer: while the answer is still that one, the request is refused with `412` ' +
    '(`precondition_failed`, RFC 9110 §13.1.2) and no body, so the caller keeps what it holds.',
  example: 'W/"5f0c7c1e-8d0a-4a43-9a57-0c4c1b7f2a10"',
};

/** LOC-4: the languages of the localized fields of the body. */
export const CONTENT_LANGUAGE: ApiHeaderOptions = {
  name: 'Content-Language',
  required: false,
  description: 'Language(s) of the localized fields sent in the body (LOC-4); absent or `*`: every tenant language.',
  example: 'de',
};

/** PAG-6: a list whose total the client can ask for (with {@link page}). */
export const TOTAL_COUNT: ApiHeaderOptions = {
  name: 'X-Total-Count',
  required: false,
  description: '`true` (any letter case) asks for the number of all matches in the count response header(s) (PAG-6).',
  example: 'true',
};

/**
 * A list: one page of `type`, with the total in `countHeaders` when asked for (PAG-6, request header
 * {@link TOTAL_COUNT}); the headers are the `totalCountHeaders` of the service's ApiKitModule.
 */
export function page(
  type: new () => object,
  description = 'One page of results.',
  countHeaders: readonly string[] = ['X-Total-Count'],
): OperationResponse {
  const header = { description: 'All matches, when asked for (PAG-6).', schema: { type: 'integer' } };
  return { type, isArray: true, description, headers: Object.fromEntries(countHeaders.map((name) => [name, header])) };
}

/** A response header of the document. */
export type ResponseHeader = { description: string; schema: { type: string } };

/** The `Location` response header of a created resource (HTTP-6), in the given words. */
export function location(description = 'The URL of the created resource (HTTP-6).'): Record<string, ResponseHeader> {
  return { Location: { description, schema: { type: 'string' } } };
}

/** The `Location` response header of a created resource (HTTP-6). */
export const LOCATION_HEADER = location();

/** A bulk answer: `207` with one result of `type` per element, in request order (BULK-2, BULK-3). */
export function multiStatus(type: new () => object, description = 'One result per element, in request order.'): OperationResponse {
  return { type, isArray: true, description };
}
