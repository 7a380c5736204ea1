import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MetadataView } from '@suite/api-kit';

/** `metadata` as returned (META-1): version and times in UTC with milliseconds. */
export class MetadataResponseDto implements MetadataView {
  @ApiProperty({ type: Number, example: 1, description: 'Starts at 1 and increases by 1 on every change of the document.' })
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

/** The answer of a create: `201` with `Location` (HTTP-6) and the new id. */
export class IdResponseDto {
  @ApiProperty({ type: String, example: '4a5c3b9e-1f2d-4c8b-9a7e-2f1d3c4b5a6e' })
  id!: string;
}
