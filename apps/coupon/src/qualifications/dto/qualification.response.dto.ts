import { ApiProperty } from '@nestjs/swagger';
import { COUPON_STATUSES, CouponStatus } from '../../coupons/coupon.types';
import { CouponResponseDto, CurrencyAmountDto } from '../../coupons/dto/coupon.response.dto';

/** A failing rule, as a `details` entry of a `coupon_not_redeemable` refusal (§8). */
export class RefusalReasonDto {
  @ApiProperty({ example: 'restrictions.minOrderValue.amount' })
  field!: string;

  @ApiProperty({ description: 'The reason code of §8 (or R13, `no_qualifying_items`).', example: 'min_order_value_not_reached' })
  type!: string;

  @ApiProperty({ example: 'The minimum order value is 50 EUR' })
  message!: string;
}

/** One candidate coupon of a qualifications answer (README "Qualifications"). */
export class QualificationDto {
  @ApiProperty({ example: 'WINTER10' })
  code!: string;

  @ApiProperty({
    description: 'True when no rule fails: the cart may redeem it now (a redemption may still lose a race for the last use).',
  })
  applicable!: boolean;

  @ApiProperty({ enum: [...COUPON_STATUSES], description: 'The coupon status at the time of the request (§3.3).' })
  status!: CouponStatus;

  @ApiProperty({
    type: () => CurrencyAmountDto,
    description:
      'What the coupon grants on this cart, in the cart currency, rounded half-up to its minor unit and at most the cart total; ' +
      '0 for FREE_SHIPPING and where it grants nothing (another currency, no qualifying line).',
  })
  discount!: CurrencyAmountDto;

  @ApiProperty({ description: 'FREE_SHIPPING: the shipping cost is waived.' })
  freeShipping!: boolean;

  @ApiProperty({ type: [RefusalReasonDto], description: 'Every failing rule in rule order; empty when applicable.' })
  reasons!: RefusalReasonDto[];

  @ApiProperty({
    type: () => CouponResponseDto,
    description: 'The coupon: the manager view for `coupon_manage`/`coupon_read` callers, the customer view otherwise (§3.4).',
  })
  coupon!: CouponResponseDto;
}
