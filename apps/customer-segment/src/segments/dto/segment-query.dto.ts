import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBooleanQuery } from '@suite/api-kit';
import { IsOptional, IsString } from 'class-validator';
import { FieldsQueryDto, ListQueryDto } from '../../common/dto/list-query.dto';
import { LegalEntityContext } from '../../common/dto/reader-query';

const CUSTOMER_ID =
  'FULL readers: only the segments this customer belongs to, whatever their ' +
  'activity (§3.2). OWN readers may name only themselves (AUTH-12.1).';

/** `GET /segments` (segment §3.2). */
export class SegmentListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: CUSTOMER_ID, example: 'c-200' })
  @IsOptional()
  @IsString()
  customerId?: string;

  @LegalEntityContext()
  legalEntityId?: string;
}

/** `POST /segments/search` (segment §3.3): `q` comes from the body, a `q` parameter is ignored. */
export class SegmentSearchQueryDto extends OmitType(SegmentListQueryDto, ['q'] as const) {}

/** `GET /segments/{segmentId}` (segment §3.4). */
export class SegmentReadQueryDto extends FieldsQueryDto {
  @LegalEntityContext()
  legalEntityId?: string;
}

/** `DELETE /segments/{segmentId}` and `DELETE /segments/bulk` (segment §3.7, §3.10). */
export class DeleteSegmentQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Also delete the segment’s assignments (cascade, §5); without it a segment with assignments is refused.',
  })
  @IsBooleanQuery()
  forceDelete?: boolean;
}
