import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';
import { ITEM_TYPES } from '../item-assignment.types';

/** The assigned item with its best-effort snapshot from the category service (segment §2.2). */
export class AssignedItemResponseDto {
  @ApiProperty({ example: 'cat-hammers' })
  id!: string;

  @ApiPropertyOptional({ description: 'Category code when the assignment was written.', example: 'H' })
  code?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Category name when the assignment was written, narrowed by Accept-Language.',
    example: { en: 'Hammers' },
  })
  name?: Record<string, string>;
}

/** An item assignment as returned (segment §2.2). */
export class ItemAssignmentResponseDto {
  @ApiProperty({ example: 'seg-gold' })
  segmentId!: string;

  @ApiProperty({ enum: ITEM_TYPES })
  type!: string;

  @ApiProperty({ type: () => AssignedItemResponseDto })
  item!: AssignedItemResponseDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  mixins?: Record<string, unknown>;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;
}
