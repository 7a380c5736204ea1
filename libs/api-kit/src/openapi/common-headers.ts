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
