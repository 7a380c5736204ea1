import { ApiPropertyOptional } from '@nestjs/swagger';
import { PagingQueryDto } from '@suite/api-kit';
import { IsOptional, IsString } from 'class-validator';

/**
 * `sort` and `fields` of a list (PAG-7, PAG-8) on top of paging. Their values name fields of the
 * tenant's languages, so they are judged by the service against the field registry and the
 * tenant's languages (common/listing.ts).
 */
export class SortedPageQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated `field[:asc|desc]`, at most 5 (PAG-7); localized fields take a language suffix.',
    example: 'name.en:asc,id',
  })
  @IsOptional()
  @IsString()
  sort?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated fields to return, at most 50 (PAG-8); `id` is always returned.',
    example: 'id,name,status',
  })
  @IsOptional()
  @IsString()
  fields?: string;
}

/** A GET list: paging, sort, fields and the `q` filter (conventions §5). */
export class ListQueryDto extends SortedPageQueryDto {
  @ApiPropertyOptional({
    description: 'Filter in the query language of conventions §5 (`field:value` terms, AND-ed).',
    example: 'siteCode:main status:ACTIVE',
  })
  @IsOptional()
  @IsString()
  q?: string;
}

/** `fields` of a single-resource read (PAG-8). */
export class FieldsQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated fields to return, at most 50 (PAG-8).', example: 'id,name' })
  @IsOptional()
  @IsString()
  fields?: string;
}
