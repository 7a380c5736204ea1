import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ErrorDetail, IsBooleanQuery, isPlainObject, RequestRule } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { LinkOwner } from '../../common/dto-rules';
import { CURRENCY } from '../../coupons/dto/coupon-rules';
import { isKnownCurrency } from '../quote';
import { CreateRedemptionDto, DiscountDto } from './create-redemption.dto';

/** The query of a validation (§7.1 plus the README options): both off by default, so Emporix clients see no change. */
export class ValidationQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Suite extension (README "Discount quote"): answer `200` with what the coupon is worth on this order ' +
      'instead of an empty body; `discount` may then be left out.',
  })
  @IsBooleanQuery()
  quote?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Suite extension (README "Every reason"): a refusal lists every failing rule, R1–R13 in order, not only the first.',
  })
  @IsBooleanQuery()
  explain?: boolean;
}

/**
 * The body of a validation: `redemption-creation` (§3.5), except that `discount` may be left out
 * when the quote is asked for ({@link validationRequestRule}); R11 then has no claim to judge.
 */
export class ValidateRedemptionDto extends OmitType(CreateRedemptionDto, ['discount'] as const) {
  // Documented as required, as the contract says (§7.1): OpenAPI cannot make a body field depend on
  // a query parameter, so the `quote=true` exception is in the description (README "Discount quote").
  @ApiProperty({
    type: () => DiscountDto,
    description: 'The discount this coupon would grant, in the order currency. Suite extension: may be left out with `quote=true`.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DiscountDto)
  @LinkOwner()
  discount?: DiscountDto;
}

/** The detail the body DTO of a redemption gives for a missing `discount` (the validation pipe's wording). */
const MISSING_DISCOUNT: ErrorDetail = { field: 'discount', type: 'missing_value', message: 'discount should not be null or undefined' };

/**
 * The two rules of a validation body that depend on the query: `discount` is required unless
 * `quote=true` (the Emporix body stays as it was without the option), and a quote needs a currency
 * the platform knows, whose minor unit it is rounded to (an unknown but well-formed code changes
 * nothing without the option).
 */
export const validationRequestRule: RequestRule = ({ dto, body }) => {
  const quote = (dto.query as ValidationQueryDto | undefined)?.quote === true;
  if (!isPlainObject(body)) return [];
  const details: ErrorDetail[] = [];
  if (!quote && (body.discount === undefined || body.discount === null)) details.push(MISSING_DISCOUNT);
  const currency = isPlainObject(body.orderTotal) ? body.orderTotal.currency : undefined;
  if (quote && typeof currency === 'string' && CURRENCY.test(currency) && !isKnownCurrency(currency)) {
    details.push({
      field: 'orderTotal.currency',
      type: 'invalid_value',
      message: `${currency} is not an ISO 4217 currency this service knows`,
    });
  }
  return details;
};
