import { ApiPropertyOptional } from '@nestjs/swagger';
import { CUSTOM_ID_PATTERN } from '@suite/api-kit';
import { Matches } from 'class-validator';
import { BooleanText, ListText, Text, TextMatching } from '../../common/dto/query-values';
import { CategoryPageQueryDto } from '../../categories/dto/category-query.dto';

/** §9 decision: at most 50 distinct segment ids. */
export const MAX_SEGMENTS = 50;

const ASSIGNMENT_TYPE = {
  type: String,
  enum: ['PRODUCT'],
  default: 'PRODUCT',
  description: 'The only assignment type; any letter case.',
} as const;

/** Op 13. */
export class AssignmentTypeQueryDto {
  @ApiPropertyOptional(ASSIGNMENT_TYPE)
  @TextMatching(/^product$/i, 'must be PRODUCT')
  assignmentType?: string;
}

/** Op 11 (§7.1). */
export class AssignmentListQueryDto extends CategoryPageQueryDto {
  @ApiPropertyOptional(ASSIGNMENT_TYPE)
  @TextMatching(/^product$/i, 'must be PRODUCT')
  assignmentType?: string;

  @ApiPropertyOptional({ type: String, description: 'Exact, case-sensitive equality on `ref.id`.', example: 'p-1' })
  @Text()
  'ref.id'?: string;

  @ApiPropertyOptional({ type: String, description: 'Whole-value, case-insensitive equality against the accepted languages.' })
  @Text()
  'ref.localizedName'?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Include the assignments of the descendants reachable without a hidden category.',
  })
  @BooleanText()
  withSubcategories?: boolean;

  @ApiPropertyOptional({
    type: String,
    description:
      `Comma-separated customer segment ids, at most ${MAX_SEGMENTS}: only categories ` +
      `assigned to one of them (§9; 503 when the segment service cannot answer).`,
    example: 'gold,silver',
  })
  @ListText({ max: MAX_SEGMENTS, maxMessage: `at most ${MAX_SEGMENTS} segment ids are allowed` })
  // ID-3: what cannot be a segment id is the client's mistake, a 400 here; sent on, the segment
  // service would refuse it and the lookup would answer 503 (§9) for bad input.
  @Matches(CUSTOM_ID_PATTERN, {
    each: true,
    message: 'each segment id must be 1 to 128 URL-safe characters',
    context: { type: 'invalid_format' },
  })
  segmentsIds?: string[];

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Leave out assignments whose product is unpublished.' })
  @BooleanText()
  hideUnpublishedProducts?: boolean;
}

/** Op 19. */
export class ReferenceCategoriesQueryDto extends CategoryPageQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Add `supercategoriesIds` (ancestors, root first) to each category.' })
  @BooleanText()
  expandSupercategoriesIds?: boolean;
}
