import { ApiProperty } from '@nestjs/swagger';
import { CurrencyAmountDto } from '../../coupons/dto/coupon.response.dto';

/** What a coupon is worth on an order (README "Discount quote"): the answer of a validation with `quote=true`. */
export class DiscountQuoteDto {
  @ApiProperty({ description: 'The stored code of the coupon.', example: 'WINTER10' })
  code!: string;

  @ApiProperty({
    type: () => CurrencyAmountDto,
    description: 'The discount in the order currency, rounded half-up to its minor unit and at most the order total; 0 for FREE_SHIPPING.',
  })
  discount!: CurrencyAmountDto;

  @ApiProperty({ description: 'FREE_SHIPPING: the shipping cost is waived (its amount is the cart’s to know).' })
  freeShipping!: boolean;
}
