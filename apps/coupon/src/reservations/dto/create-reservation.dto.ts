import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CreateRedemptionDto } from '../../redemptions/dto/create-redemption.dto';

/** Default and bounds of a reservation's lifetime (README "Reservations"). */
export const RESERVATION_TTL = { defaultSeconds: 900, minSeconds: 1, maxSeconds: 7 * 24 * 3600 } as const;

/** The body of `POST .../reservations`: the redemption body (the same checks run) plus the hold's lifetime. */
export class CreateReservationDto extends CreateRedemptionDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: RESERVATION_TTL.minSeconds,
    maximum: RESERVATION_TTL.maxSeconds,
    default: RESERVATION_TTL.defaultSeconds,
    description: 'How long the use is held, in seconds (default 15 minutes, at most 7 days).',
  })
  @IsOptional()
  @IsInt({ message: 'ttlSeconds must be an integer' })
  @Min(RESERVATION_TTL.minSeconds, {
    message: `ttlSeconds must be between ${RESERVATION_TTL.minSeconds} and ${RESERVATION_TTL.maxSeconds}`,
  })
  @Max(RESERVATION_TTL.maxSeconds, {
    message: `ttlSeconds must be between ${RESERVATION_TTL.minSeconds} and ${RESERVATION_TTL.maxSeconds}`,
  })
  ttlSeconds?: number;
}
