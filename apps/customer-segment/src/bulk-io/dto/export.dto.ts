import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

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
  @Matches(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127})?$/, {
    message: 'after must be a customerId, or customerId/legalEntityId',
  })
  after?: string;
}
