import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CurrencyAmountDto } from '../../coupons/dto/coupon.response.dto';

/** When and why a redemption was rolled back. */
export class RollbackInfoDto {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  reason?: string;
}

/** A redemption record (coupon §3.5); optional properties without a value are left out. */
export class RedemptionResponseDto {
  @ApiProperty({ description: '24 lowercase hex characters.', example: '665f1c2b9a0e4d3f2a1b0c9d' })
  id!: string;

  @ApiProperty({ description: 'The coupon code.', example: 'WINTER10' })
  code!: string;

  @ApiPropertyOptional({ example: 'ORD-2025-000123' })
  orderCode?: string;

  @ApiPropertyOptional({ description: 'The effective customer (§2.3); absent for anonymous redemptions.' })
  customerNumber?: string;

  @ApiPropertyOptional()
  legalEntityId?: string;

  @ApiProperty({ type: () => CurrencyAmountDto })
  orderTotal!: CurrencyAmountDto;

  @ApiProperty({ type: () => CurrencyAmountDto })
  discount!: CurrencyAmountDto;

  @ApiProperty({ format: 'date-time' })
  redeemedAt!: string;

  @ApiPropertyOptional({ description: 'Suite extension: the reservation this redemption consumed (README "Reservations").' })
  reservationId?: string;

  @ApiPropertyOptional({
    type: () => RollbackInfoDto,
    description: 'Suite extension: present once the redemption was rolled back (README "Rollback"); its use was given back.',
  })
  rolledBack?: RollbackInfoDto;
}
