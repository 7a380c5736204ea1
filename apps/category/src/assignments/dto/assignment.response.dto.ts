import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';
import { PRODUCT } from '../assignment.types';

/** `ref` as returned (§4.6). */
export class AssignmentRefResponseDto {
  @ApiProperty({ type: String, example: 'p-1' })
  id!: string;

  @ApiProperty({ enum: [PRODUCT] })
  type!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Narrowed by Accept-Language; `{}` when unknown.',
    example: { en: 'Hammer' },
  })
  localizedName!: Record<string, string>;
}

/** An assignment as returned (§4.6). */
export class AssignmentResponseDto {
  @ApiProperty({ type: String, example: '4a5c3b9e-1f2d-4c8b-9a7e-2f1d3c4b5a6e' })
  id!: string;

  @ApiProperty({ type: String, example: 'hammers' })
  categoryId!: string;

  @ApiProperty({ type: () => AssignmentRefResponseDto })
  ref!: AssignmentRefResponseDto;

  @ApiProperty({ type: Boolean })
  published!: boolean;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;
}

/** One result of a bulk assignment write (§7.3, §7.4; the BULK-6 overrides of this service). */
export class AssignmentBulkResultDto {
  @ApiProperty({ type: Number, description: 'The 0-based position of the item in the request.', example: 0 })
  index!: number;

  @ApiPropertyOptional({ type: String, description: 'The created or existing assignment.' })
  assignmentId?: string;

  @ApiProperty({ type: String, description: "The item's `ref.id`.", example: 'p-1' })
  productId!: string;

  @ApiProperty({ type: Number, enum: [200, 201, 409], example: 201 })
  code!: number;

  @ApiProperty({ type: String, enum: ['CREATED', 'OK', 'CONFLICT', 'ERROR'], example: 'CREATED' })
  status!: 'CREATED' | 'OK' | 'CONFLICT' | 'ERROR';

  @ApiPropertyOptional({ type: String, description: 'Only on failures.', example: 'Assignment already exists' })
  message?: string;
}
