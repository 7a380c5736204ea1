import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `metadata` as returned (META-1). */
export class MetadataResponseDto {
  @ApiProperty({ description: 'Optimistic-lock version, 1 on create, +1 on every change (META-2).', example: 1 })
  version!: number;

  @ApiProperty({ format: 'date-time', example: '2024-05-14T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-14T12:00:00.000Z' })
  modifiedAt!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    description: 'Schema links of the mixins (META-9).',
  })
  mixins?: Record<string, string>;
}
