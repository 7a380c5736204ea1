import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { CreateRedemptionDto } from './create-redemption.dto';

/** The body of a redemption (§7.2): `redemption-creation`, plus the reservation it consumes (suite extension). */
export class RedeemDto extends CreateRedemptionDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description:
      'Suite extension (README "Reservations"): the live reservation this redemption consumes; ' +
      'its held use becomes this use, so the limits cannot refuse it.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  reservationId?: string;
}
