import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanQuery } from '@suite/api-kit';
import { IsOptional, IsString } from 'class-validator';
import { FieldsQueryDto, ListQueryDto, SortedPageQueryDto } from '../../common/dto/list-query.dto';
import { LegalEntityContext } from '../../common/dto/reader-query';

const SITE_CODE = 'Only segments of this site.';

/** `GET …/{segmentId}/items` (segment §3.24). */
export class ItemAssignmentListQueryDto extends ListQueryDto {
  @LegalEntityContext()
  legalEntityId?: string;
}

/** `POST …/{segmentId}/items/search` (segment §3.25): `q` comes from the body. */
export class ItemAssignmentSearchQueryDto extends SortedPageQueryDto {
  @LegalEntityContext()
  legalEntityId?: string;
}

/** `GET /segments/items` (segment §3.23): item assignments across segments. */
export class ItemAssignmentsAcrossQueryDto extends ItemAssignmentListQueryDto {
  @ApiPropertyOptional({ description: SITE_CODE, example: 'main' })
  @IsOptional()
  @IsString()
  siteCode?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'FULL readers: only effectively active segments. OWN readers always see active ones only.',
  })
  @IsBooleanQuery()
  onlyActive?: boolean;
}

/** `GET …/items/{type}/{itemId}` (segment §3.26). */
export class ItemAssignmentReadQueryDto extends FieldsQueryDto {
  @LegalEntityContext()
  legalEntityId?: string;
}

/** `GET /segments/items/category-trees` (segment §3.22). */
export class CategoryTreesQueryDto {
  @ApiPropertyOptional({ description: SITE_CODE, example: 'main' })
  @IsOptional()
  @IsString()
  siteCode?: string;

  @LegalEntityContext()
  legalEntityId?: string;
}
