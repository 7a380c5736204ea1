import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiError } from '../errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGING_OFFSET, Paging } from '../query/paging';

/**
 * Query parameters arrive as text (HTTP-4): integer text (`12`, `-3`) becomes a number, anything
 * else stays as sent, so that `@IsInt` refuses it with the text's own type (`abc`, `1.5`, ``).
 */
export function integerText({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value;
  return Number(value);
}

/**
 * `pageNumber` and `pageSize` of a list (PAG-1 to PAG-3), with the types and messages of
 * `parsePaging`: `invalid_type` for a non-integer, `out_of_range` outside the range. The depth rule
 * of PAG-4 depends on the service's default page size, so {@link pagingOf} checks it.
 */
export class PagingQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, default: 1, description: 'The page to return, counted from 1 (PAG-1).' })
  @Transform(integerText)
  @IsOptional()
  @IsInt({ message: 'pageNumber must be an integer' })
  @Min(1, { message: 'pageNumber must be at least 1' })
  pageNumber?: number;

  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: `Items per page, at most ${MAX_PAGE_SIZE} (PAG-2).`,
  })
  @Transform(integerText)
  @IsOptional()
  @IsInt({ message: 'pageSize must be an integer' })
  @Min(1, { message: `pageSize must be between 1 and ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `pageSize must be between 1 and ${MAX_PAGE_SIZE}` })
  pageSize?: number;
}

/**
 * The page a validated {@link PagingQueryDto} asks for, with the service's default page size; a
 * page deeper than 100,000 documents is `400 validation_failed` on `pageNumber` (PAG-4).
 */
export function pagingOf(query: PagingQueryDto, defaultPageSize = DEFAULT_PAGE_SIZE): Paging {
  const pageNumber = query.pageNumber ?? 1;
  const pageSize = query.pageSize ?? defaultPageSize;
  if ((pageNumber - 1) * pageSize > MAX_PAGING_OFFSET) {
    throw ApiError.validation([
      { field: 'pageNumber', type: 'out_of_range', message: `(pageNumber - 1) * pageSize must not exceed ${MAX_PAGING_OFFSET}` },
    ]);
  }
  return { pageNumber, pageSize, skip: (pageNumber - 1) * pageSize, limit: pageSize };
}
