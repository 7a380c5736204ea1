import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';

export class IdRefResponseDto {
  @ApiProperty({ example: 'c-100' })
  id!: string;
}

/** A customer assignment as returned (segment §2.3); `legalEntity` only for B2B. */
export class CustomerAssignmentResponseDto {
  @ApiProperty({ example: 'seg-gold' })
  segmentId!: string;

  @ApiProperty({ type: () => IdRefResponseDto })
  customer!: { id: string };

  @ApiPropertyOptional({ type: () => IdRefResponseDto })
  legalEntity?: { id: string };

  @ApiProperty({ enum: ['MANUAL', 'AUTOMATIC'] })
  assignmentType!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { segmentAttributes: { membershipStatus: 'PREMIUM' } } })
  mixins?: Record<string, unknown>;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;
}
