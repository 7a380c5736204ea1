import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { isPlainObject } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsDefined, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Min, ValidateNested } from 'class-validator';
import { LinkOwner, ownerOf, Rule } from '../../common/dto-rules';
import { CURRENCY, CURRENCY_MESSAGE } from '../../coupons/dto/coupon-rules';

/** The amount of a currency-amount in a redemption request (coupon §3.5). */
abstract class AmountDto {
  @ApiProperty({ minimum: 0, example: 120 })
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount!: number;
}

/** currency-amount in a redemption request: both parts required, no USD default (coupon §3.5). */
export class MoneyDto extends AmountDto {
  @ApiProperty({ pattern: CURRENCY.source, example: 'EUR' })
  @IsDefined()
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency!: string;
}

/** The claimed discount: its currency must be the order's (§3.5), judged when both are valid. */
export class DiscountDto extends AmountDto {
  @ApiProperty({ pattern: CURRENCY.source, example: 'EUR', description: 'Must equal `orderTotal.currency`.' })
  @IsDefined()
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  @Rule(
    'sameCurrencyAsOrder',
    'conflicting_values',
    (currency, discount) => {
      const total = ownerOf(discount)?.orderTotal;
      const totalCurrency = isPlainObject(total) ? total.currency : undefined;
      return (
        typeof currency === 'string' &&
        CURRENCY.test(currency) &&
        typeof totalCurrency === 'string' &&
        CURRENCY.test(totalCurrency) &&
        currency !== totalCurrency
      );
    },
    'discount.currency must equal orderTotal.currency',
  )
  currency!: string;
}

/** `redemption-creation` (coupon §3.5): the body of validation (§7.1) and of redemption (§7.2). */
export class CreateRedemptionDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 150,
    description: 'The order; one redemption per coupon and order.',
    example: 'ORD-2025-000123',
  })
  @IsOptional()
  @IsString()
  @Length(1, 150)
  orderCode?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description: 'The customer redeemed for; another customer than the caller needs `coupon_redeem_on_behalf`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  customerNumber?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: 'The legal entity of the customer (B2B); counted separately (§9.2).' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  legalEntityId?: string;

  @ApiProperty({ type: () => MoneyDto, description: 'The order amount before this coupon’s discount.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  orderTotal!: MoneyDto;

  @ApiProperty({ type: () => DiscountDto, description: 'The discount this coupon granted, in the order currency.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DiscountDto)
  @LinkOwner()
  discount!: DiscountDto;
}
