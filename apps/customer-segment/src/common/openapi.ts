import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { BulkResultResponseDto } from './dto/bulk-result.response.dto';

/** The `Location` of a created resource (HTTP-6). */
export const LOCATION_HEADER = { Location: { description: 'The URL of the created resource (HTTP-6).', schema: { type: 'string' } } };

/** LOC-3: the languages localized fields of the answer are narrowed to. */
export function ApiAcceptLanguage(): MethodDecorator {
  return ApiHeader({
    name: 'Accept-Language',
    required: false,
    description: 'Weighted list of languages the localized fields are narrowed to (LOC-3); absent or `*`: every translation.',
    example: 'de, en;q=0.5',
  });
}

/** LOC-4: what a localized field sent as a text means. */
export function ApiContentLanguage(): MethodDecorator {
  return ApiHeader({
    name: 'Content-Language',
    required: false,
    description:
      'Language(s) of localized fields sent in the body (LOC-4): a text is stored under the one language given, or the tenant default when absent.',
    example: 'de',
  });
}

/** A list: one page of `type`, with the total on request (PAG-6). */
export function ApiPage(type: new () => object, description = 'One page of results.'): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'X-Total-Count',
      required: false,
      description: '`true` asks for the number of all matches in the `X-Total-Count` response header (PAG-6).',
      example: 'true',
    }),
    ApiOkResponse({
      type,
      isArray: true,
      description,
      headers: { 'X-Total-Count': { description: 'All matches, when asked for (PAG-6).', schema: { type: 'integer' } } },
    }),
  );
}

/** A bulk answer: `207` with one result per element, in request order (BULK-2, BULK-3). */
export function ApiMultiStatus(): MethodDecorator {
  return ApiResponse({ status: 207, type: BulkResultResponseDto, isArray: true, description: 'One result per element, in request order.' });
}
