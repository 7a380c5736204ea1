import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { CouponParamsDto } from '../../coupons/dto/coupon-params.dto';

/** `{tenant}`, `{code}` and `{reservationId}` of a reservation path; an unknown or malformed id finds nothing (404). */
export class ReservationParamsDto extends CouponParamsDto {
  @ApiProperty({ description: 'The reservation id: 24 lowercase hex characters.', example: '665f1c2b9a0e4d3f2a1b0c9e' })
  @IsString()
  reservationId!: string;
}
