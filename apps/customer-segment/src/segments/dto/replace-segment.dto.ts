import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomId, NestedObject } from '@suite/api-kit';
import { IsDefined, IsOptional, IsString } from 'class-validator';
import { MetadataInputDto } from '../../common/dto/metadata-input.dto';
import { RESERVED_SEGMENT_IDS } from '../segment.types';
import { SegmentFieldsDto } from './create-segment.dto';

/**
 * The body of `PUT /segments/{segmentId}` (segment §3.5): a full replace; `metadata.version` is the
 * optional precondition. An `id` must equal the path id (ERR-7), which the service checks.
 */
export class ReplaceSegmentDto extends SegmentFieldsDto {
  @ApiPropertyOptional({ description: 'Ignored when equal to the path id; any other value is refused (ERR-7).', example: 'seg-gold' })
  @IsOptional()
  @IsString({ message: 'id must be a string' })
  id?: string;

  @NestedObject(() => MetadataInputDto, { message: 'metadata must be an object' })
  metadata?: MetadataInputDto;
}

/** One element of `PUT /segments/bulk` (segment §3.9): a replace that names its segment. */
export class BulkReplaceSegmentDto extends SegmentFieldsDto {
  @ApiProperty({ description: 'The segment to create or replace (ID-3).', example: 'seg-gold' })
  @IsDefined({ message: 'id is required' })
  @IsCustomId({ reserved: RESERVED_SEGMENT_IDS })
  id!: string;

  @NestedObject(() => MetadataInputDto, { message: 'metadata must be an object' })
  metadata?: MetadataInputDto;
}
