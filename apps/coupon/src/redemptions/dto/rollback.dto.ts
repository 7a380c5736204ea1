import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/** The body of `POST .../redemptions/{id}/rollback` (README "Rollback"). */
export class RollbackDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 500,
    description: 'Why the redemption is rolled back (kept for audit).',
    example: 'Order cancelled',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
