import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MetadataView } from '../domain/metadata';

/** `metadata` as returned (META-1): version and times in UTC with milliseconds; the response DTOs of every service embed it. */
export class MetadataResponseDto implements MetadataView {
  @ApiProperty({ type: Number, example: 1, description: 'Optimistic-lock version: 1 on create, +1 on every change (META-2).' })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time', example: '2024-05-01T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2024-05-01T10:00:00.000Z' })
  modifiedAt!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    description: 'Mixin name → schema URL (META-9).',
  })
  mixins?: Record<string, string>;
}
