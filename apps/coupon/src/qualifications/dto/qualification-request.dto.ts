import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDetail, isPlainObject, RequestRule, ValidateDetails } from '@suite/api-kit';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Rule } from '../../common/dto-rules';
import { CODE_PATTERN } from '../../coupons/coupon-code';
import { CURRENCY, CURRENCY_MESSAGE, idListDetails } from '../../coupons/dto/coupon-rules';
import { isKnownCurrency } from '../../redemptions/quote';

/** The bounds of a qualifications request (README "Qualifications"). */
export const QUALIFICATION_LIMITS = {
  /** Cart lines per request. */
  items: 500,
  /** Category ids per line. */
  categoryIds: 100,
  /** Units per line. */
  quantity: 1_000_000,
  /** Codes the caller names. */
  codes: 20,
} as const;

const knownCurrency = (v: unknown) => typeof v === 'string' && CURRENCY.test(v) && !isKnownCurrency(v);

/** A currency-amount of the cart: both parts required, an amount >= 0, a currency the platform knows (its minor unit rounds the quote). */
export class CartMoneyDto {
  @ApiProperty({ minimum: 0, example: 120 })
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount!: number;

  @ApiProperty({ pattern: CURRENCY.source, example: 'EUR', description: 'An ISO 4217 currency; every amount of the cart is in this one.' })
  @IsDefined()
  @IsString()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  @Rule('knownCurrency', 'invalid_value', knownCurrency, (v) => `${String(v)} is not an ISO 4217 currency this service knows`)
  currency!: string;
}

/** One cart line; `price` is the unit price, in the cart currency. */
export class CartItemDto {
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'P-1001' })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  productId!: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: QUALIFICATION_LIMITS.categoryIds,
    description: 'The categories of the product (§11: category-restricted coupons apply to qualifying lines only).',
  })
  @IsOptional()
  @ValidateDetails('categoryIdsList', idListDetails(QUALIFICATION_LIMITS.categoryIds, false))
  categoryIds?: string[];

  @ApiProperty({ type: 'integer', minimum: 1, maximum: QUALIFICATION_LIMITS.quantity, example: 2 })
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(QUALIFICATION_LIMITS.quantity)
  quantity!: number;

  @ApiProperty({ type: () => CartMoneyDto, description: 'The unit price.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CartMoneyDto)
  price!: CartMoneyDto;
}

/** The cart a qualifications request is about. */
export class CartDto {
  @ApiProperty({
    type: () => CartMoneyDto,
    description: 'The order total before any coupon of this request: line items, fees and shipping (`orderTotal` of §3.5).',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CartMoneyDto)
  total!: CartMoneyDto;

  @ApiProperty({ type: [CartItemDto], minItems: 1, maxItems: QUALIFICATION_LIMITS.items })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(QUALIFICATION_LIMITS.items)
  @ValidateNested({ each: true })
  @Type(() => CartItemDto)
  items!: CartItemDto[];
}

function codeListDetails(value: unknown, field: string): ErrorDetail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return [{ field, type: 'invalid_value', message: `${field} must be an array of coupon codes` }];
  const details: ErrorDetail[] = [];
  value.forEach((code, i) => {
    if (typeof code !== 'string' || !CODE_PATTERN.test(code))
      details.push({ field: `${field}[${i}]`, type: 'invalid_value', message: `must match ${CODE_PATTERN.source}` });
  });
  if (new Set(value).size > QUALIFICATION_LIMITS.codes)
    details.push({ field, type: 'invalid_value', message: `${field} may have at most ${QUALIFICATION_LIMITS.codes} entries` });
  return details;
}

/** The body of `POST /coupon/{tenant}/qualifications` (README "Qualifications"). */
export class QualificationRequestDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description: 'The customer the cart belongs to; another customer than the caller needs `coupon_redeem_on_behalf` (§2.3).',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  customerNumber?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: 'The legal entity of the customer (B2B, §2.3, §9.2).' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  legalEntityId?: string;

  @ApiProperty({ type: () => CartDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CartDto)
  cart!: CartDto;

  @ApiPropertyOptional({
    type: [String],
    maxItems: QUALIFICATION_LIMITS.codes,
    description: 'Codes the shopper entered: considered besides the coupons the caller may know anyway. Duplicates count once.',
    example: ['WINTER10'],
  })
  @ValidateDetails('codesList', codeListDetails)
  codes?: string[];
}

/**
 * Every amount of the cart is in one currency (there is no FX, §1.3): a line priced in another
 * currency than `cart.total` is `conflicting_values` on its price currency, judged when both are valid.
 */
export const cartCurrencyRule: RequestRule = ({ body }) => {
  const cart = isPlainObject(body) ? body.cart : undefined;
  if (!isPlainObject(cart) || !isPlainObject(cart.total) || !Array.isArray(cart.items)) return [];
  const currency = cart.total.currency;
  if (typeof currency !== 'string' || !CURRENCY.test(currency) || !isKnownCurrency(currency)) return [];
  const details: ErrorDetail[] = [];
  cart.items.forEach((item: unknown, i) => {
    const price = isPlainObject(item) ? item.price : undefined;
    const other = isPlainObject(price) ? price.currency : undefined;
    if (typeof other === 'string' && CURRENCY.test(other) && other !== currency) {
      details.push({
        field: `cart.items[${i}].price.currency`,
        type: 'conflicting_values',
        message: `Every amount of the cart must be in ${currency}`,
      });
    }
  });
  return details;
};
