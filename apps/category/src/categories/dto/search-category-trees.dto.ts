import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsDefined, IsString } from 'class-validator';
import { BooleanText } from '../../common/dto/query-values';
import { VisibilityQueryDto } from './category-query.dto';

// Emporix words every problem of this body as "searchRequest.categoryIds: must not be null" (§6.2).
const MESSAGE = 'must not be null';

/** POST `/category-trees/search` (op 22). */
export class SearchCategoryTreesDto {
  @ApiProperty({ type: [String], description: 'Trees containing any of these ids; an empty list gives `[]`.', example: ['hammers'] })
  @IsDefined({ message: MESSAGE })
  @IsArray({ message: MESSAGE })
  @IsString({ each: true, message: MESSAGE })
  categoryIds!: string[];
}

/** The query of op 22: `showUnpublished`, and the suite extension `branchesOnly`. */
export class SearchCategoryTreesQueryDto extends VisibilityQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Suite extension: only the branches that lead to the listed categories: each listed category with its whole ' +
      'visible subtree, its ancestors with only the children on such a branch.',
  })
  @BooleanText()
  branchesOnly?: boolean;
}
