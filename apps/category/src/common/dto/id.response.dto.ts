import { ApiProperty } from '@nestjs/swagger';

/** The answer of a create: `201` with `Location` (HTTP-6) and the new id. */
export class IdResponseDto {
  @ApiProperty({ type: String, example: '4a5c3b9e-1f2d-4c8b-9a7e-2f1d3c4b5a6e' })
  id!: string;
}
