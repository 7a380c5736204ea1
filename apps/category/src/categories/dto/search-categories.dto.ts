import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * POST `/categories/search` (op 3): `{"q": "<expression>"}`. A missing body, `{}` or an empty `q`
 * mean no filter (§5.2). `q` itself is read by the query compiler, whose problems are
 * `400 invalid_query` (PAG-9, Q-31.4), not field validation, so it has no type rule here.
 */
export class SearchCategoriesDto {
  @ApiPropertyOptional({ type: String, description: 'The query language of §3.8.', example: 'localizedName.en:~"(?i)ham"' })
  @Allow()
  q?: unknown;
}
