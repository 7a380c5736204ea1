import { ApiProperty } from '@nestjs/swagger';
import { IsCustomId, TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';
import { RESERVED_SEGMENT_IDS } from '../segment.types';

/**
 * `{segmentId}` of a read, patch or delete: any text. An id that breaks the ID-3 pattern cannot
 * exist, so it is a `404` (reads, patch) or an idempotent `204` (delete), never a `400`.
 */
export class SegmentParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The segment id (ID-3).', example: 'seg-gold' })
  @IsString()
  segmentId!: string;
}

/** `{segmentId}` of an upsert (PUT): the client chooses the id, so ID-3 applies (`400`). */
export class SegmentWriteParamsDto extends TenantParamsDto {
  @ApiProperty({
    description: 'The segment id (ID-3): 1 to 128 URL-safe characters, not starting with a dot; not `bulk`, `search`, `match` or `items`.',
    example: 'seg-gold',
  })
  @IsCustomId({ reserved: RESERVED_SEGMENT_IDS })
  segmentId!: string;
}
