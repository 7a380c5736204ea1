import { ApiPropertyOptional } from '@nestjs/swagger';
import { CUSTOM_ID_PATTERN } from '@suite/api-kit';
import { IsIn, IsOptional, Matches } from 'class-validator';

/** One custom id (ID-3), or two joined by `/`: a member's key. */
const ID = CUSTOM_ID_PATTERN.source.slice(1, -1);
const MEMBER_KEY = new RegExp(`^${ID}(/${ID})?$`);

/** `GET /segments/{segmentId}/member-export` (README "Bulk in and out"). */
export class MemberExportQueryDto {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson', description: 'One JSON object per line, or CSV with a header line.' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'], { message: 'format must be ndjson or csv' })
  format?: 'ndjson' | 'csv';

  @ApiPropertyOptional({
    description: 'Resume after this member: the `customerId` of the last row received, `/` and its `legalEntityId` for a B2B row.',
    example: 'c-100/le-1',
  })
  @IsOptional()
  @Matches(MEMBER_KEY, {
    message: 'after must be a customerId, or customerId/legalEntityId',
  })
  after?: string;
}
