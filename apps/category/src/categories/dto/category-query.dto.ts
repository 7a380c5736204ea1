import { ApiPropertyOptional } from '@nestjs/swagger';
import { PagingQueryDto } from '@suite/api-kit';
import { BooleanText, DateText, IntegerText, Text } from '../../common/dto/query-values';

// Query parameter sets of the category operations (§5). Booleans are `true`/`false` in any letter
// case (§3.7); unknown parameters are ignored. `sort` and `Accept-Language` are checked against the
// tenant's languages by the request rules of the route.

const SHOW_UNPUBLISHED = 'Include unpublished categories; needs `category.category_read_unpublished` (§3.2, §3.3).';

/** `showUnpublished` alone (ops 5, 22, 23, 24). */
export class VisibilityQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: SHOW_UNPUBLISHED })
  @BooleanText()
  showUnpublished?: boolean;
}

/** Paged, sortable reads (ops 9, 19; base of 1, 3, 10). */
export class CategoryPageQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: SHOW_UNPUBLISHED })
  @BooleanText()
  showUnpublished?: boolean;

  @ApiPropertyOptional({
    type: String,
    description: '`field[:asc|:desc]`, comma-separated, at most 5 (§3.6, PAG-7).',
    example: 'position:asc,localizedName.en',
  })
  @Text()
  sort?: string;
}

/** Op 10: descendants down to `depth` levels. */
export class SubcategoriesQueryDto extends CategoryPageQueryDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, description: 'Levels below the category (1 = direct children); absent = all.' })
  @IntegerText(1)
  depth?: number;
}

/** Op 3: search (the filter is the body's `q`). */
export class CategorySearchQueryDto extends CategoryPageQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Only root categories.' })
  @BooleanText()
  showRoots?: boolean;
}

/** Op 1: list with filters (all ANDed, §5.1). */
export class CategoryListQueryDto extends CategorySearchQueryDto {
  @ApiPropertyOptional({ type: String, description: 'The query language of §3.8 (invalid_query when malformed).', example: 'code:TOOLS' })
  @Text()
  q?: string;

  @ApiPropertyOptional({ type: String, description: 'Equality, case-insensitive.' })
  @Text()
  code?: string;

  @ApiPropertyOptional({ type: String, description: 'Exact equality with any element of `ecn`.' })
  @Text()
  ecn?: string;

  @ApiPropertyOptional({ type: String, description: 'Whole-value, case-insensitive equality against the accepted languages.' })
  @Text()
  localizedName?: string;

  @ApiPropertyOptional({ type: String, description: 'Whole-value, case-insensitive equality against the accepted languages.' })
  @Text()
  localizedDescription?: string;

  @ApiPropertyOptional({ type: String, description: 'Whole-value, case-insensitive equality against the accepted languages.' })
  @Text()
  localizedSlug?: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: '`yyyy-MM-dd`: `validity.from` on or after that day (UTC).' })
  @DateText()
  validityFrom?: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: '`yyyy-MM-dd`: `validity.to` on or before the end of that day (UTC).' })
  @DateText()
  validityTo?: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: '`yyyy-MM-dd`: modified on or after that day (UTC).' })
  @DateText()
  metadataModifiedAt?: string;
}

/** Ops 2, 6, 7: `publish` (§4.2). */
export class CategoryWriteQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: "When present it must equal the body's `published`." })
  @BooleanText()
  publish?: boolean;
}

/** Op 8. */
export class DeleteCategoryQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Delete the whole subtree; without it a root with children is refused and children are promoted to roots.',
  })
  @BooleanText()
  withSubcategories?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    deprecated: true,
    description: 'Legacy alias of `withSubcategories`, which wins when both are sent.',
  })
  @BooleanText()
  recursive?: boolean;
}
