import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsDefined, IsString } from 'class-validator';

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
