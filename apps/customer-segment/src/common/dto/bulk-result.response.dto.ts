import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One element of a `207` bulk answer (segment §1.10, BULK-3 with the BULK-6 override of this service). */
export class BulkResultResponseDto {
  @ApiProperty({ description: 'Position of the element in the request, from 0.', example: 0 })
  index!: number;

  @ApiPropertyOptional({ description: 'The segment id (segment bulks only).', example: 'seg-gold' })
  id?: string;

  @ApiProperty({ description: 'The status the element would have had as a single request.', example: 201 })
  code!: number;

  @ApiProperty({ description: 'The reason phrase of `code`.', example: 'Created' })
  status!: string;

  @ApiPropertyOptional({ description: 'Failed elements only: what went wrong.', example: 'name is required' })
  message?: string;
}
