import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateIf } from 'class-validator';
import { CODE_PATTERN } from '../coupon-code';
import { DISCOUNT_TYPES, DiscountType } from '../coupon.types';
import { CouponFieldsDto } from './coupon-fields.dto';

/**
 * A whole coupon under the create rules of §4 (`discountType` defaults to `ABSOLUTE`): the body of
 * a POST without its code, and the merged result of a merge patch (§6.5), which the service
 * validates with `validateDto`.
 */
export class CouponDocumentDto extends CouponFieldsDto {
  @ApiPropertyOptional({
    enum: [...DISCOUNT_TYPES],
    default: 'ABSOLUTE',
    description: 'The kind of discount; cannot change once the coupon was redeemed (§4.5).',
  })
  @IsOptional()
  @IsIn(DISCOUNT_TYPES, { message: `discountType must be one of ${DISCOUNT_TYPES.join(', ')}` })
  discountType?: DiscountType | null;
}

/** The body of `POST /coupons` (§6.2). */
export class CreateCouponDto extends CouponDocumentDto {
  @ApiPropertyOptional({
    type: String,
    pattern: CODE_PATTERN.source,
    description:
      'The code; absent, null or empty generates 8 characters of [A-Z0-9]. Stored upper-cased unless the tenant keeps case (§4.2).',
    example: 'WINTER10',
  })
  @ValidateIf((o: { code?: unknown }) => o.code !== undefined && o.code !== null && o.code !== '')
  @Matches(CODE_PATTERN, { message: `code must match ${CODE_PATTERN.source}` })
  code?: string | null;
}
