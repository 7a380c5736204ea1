import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';
import { SEGMENT_STATUSES } from '../segment.types';

const LOCALIZED_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class ValidityResponseDto {
  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2099-12-31T23:59:59.000Z' })
  to?: string;
}

/** A segment as returned (segment §2.1): localized fields are maps narrowed by Accept-Language (LOC-3). */
export class SegmentResponseDto {
  @ApiProperty({ example: 'seg-gold' })
  id!: string;

  @ApiProperty({ ...LOCALIZED_MAP, example: { en: 'Gold customers' } })
  name!: Record<string, string>;

  @ApiPropertyOptional({ ...LOCALIZED_MAP, example: { en: 'Top spenders' } })
  description?: Record<string, string>;

  @ApiPropertyOptional({ type: () => ValidityResponseDto })
  validity?: ValidityResponseDto;

  @ApiProperty({ enum: SEGMENT_STATUSES })
  status!: string;

  @ApiProperty({ example: 'main' })
  siteCode!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { loyalty: { tier: 2 } } })
  mixins?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Suite extension: the membership rule over shopper profiles.', example: 'attributes.country:DE' })
  rule?: string;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;
}

/** The answer of a create (`201` with `Location`, HTTP-6). */
export class SegmentIdResponseDto {
  @ApiProperty({ example: 'seg-gold' })
  id!: string;
}
