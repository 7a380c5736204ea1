import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { RedemptionResponseDto } from '../../redemptions/dto/redemption.response.dto';
import type { ReservationStatus } from '../reservation.types';

/**
 * A reservation (README "Reservations"): the order fields of a redemption (§3.5) plus its own;
 * optional properties without a value are left out.
 */
export class ReservationResponseDto extends PickType(RedemptionResponseDto, [
  'code',
  'orderCode',
  'customerNumber',
  'legalEntityId',
  'orderTotal',
  'discount',
] as const) {
  @ApiProperty({ description: '24 lowercase hex characters.', example: '665f1c2b9a0e4d3f2a1b0c9e' })
  id!: string;

  @ApiProperty({
    enum: ['HELD', 'CONSUMED', 'RELEASED', 'EXPIRED'],
    description: '`HELD` counts against the limits until `expiresAt`; `EXPIRED` is a held reservation past it.',
  })
  status!: ReservationStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'The instant the hold stops counting.' })
  expiresAt!: string;

  @ApiPropertyOptional({ description: 'The redemption that consumed it.' })
  redemptionId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it was consumed or released.' })
  closedAt?: string;
}
