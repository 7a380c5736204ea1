import { applyDecorators, Type } from '@nestjs/common';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';

// OpenAPI pieces several category operations share: the headers they read (§3.4, §3.5) and the
// count header of a paged answer (PAG-6). Documentation only.

/** LOC-3: the operation narrows localized maps to the languages this header selects. */
export function ApiAcceptLanguage(): MethodDecorator {
  return ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: 'Languages to return in localized maps (LOC-3); absent or `*` returns all. One that selects no tenant language is a 400.',
    example: 'en, de;q=0.8',
  });
}

/** LOC-4: the operation reads localized maps whose keys this header narrows. */
export function ApiContentLanguage(): MethodDecorator {
  return ApiHeader({
    name: 'Content-Language',
    required: false,
    description: 'Languages the localized maps of the body may use (LOC-4); absent or `*` allows every tenant language.',
    example: 'en',
  });
}

/** PAG-6: a list whose total the client can ask for. */
export function ApiPagedResponse(options: { type: Type<unknown>; description: string }): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'X-Total-Count', required: false, description: '`true` (any letter case) asks for the number of matches in the response header of the same name (PAG-6).' }),
    ApiOkResponse({
      ...options,
      isArray: true,
      headers: { 'X-Total-Count': { description: 'Items matching all filters before paging; only when asked for.', schema: { type: 'integer' } } },
    }),
  );
}

/** The `Location` of a `201` (HTTP-6). */
export const LOCATION_HEADER = { Location: { description: 'The path of the created resource (HTTP-6).', schema: { type: 'string' } } };
