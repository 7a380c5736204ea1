import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * The optional body of `POST …/search` (PAG-9): `q` replaces the query parameter of the GET list.
 * No body means no filter; `q` itself is read by `searchBodyQ` (a non-string `q` is `400
 * invalid_query`, like a bad `q` parameter).
 */
export class SearchBodyDto {
  @ApiPropertyOptional({ type: String, description: 'Filter in the query language of conventions §5.', example: 'siteCode:main' })
  @Allow()
  q?: unknown;
}
