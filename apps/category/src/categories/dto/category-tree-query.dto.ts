import { ApiPropertyOptional } from '@nestjs/swagger';
import { ListText } from '../../common/dto/query-values';
import { VisibilityQueryDto } from './category-query.dto';

/** Op 21: all visible trees, optionally only those containing one of `categoryIds`. */
export class CategoryTreesQueryDto extends VisibilityQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: 'Comma-separated category ids (§3.7): only trees that show one of them.',
    example: 'hammers,saws',
  })
  @ListText()
  categoryIds?: string[];
}
