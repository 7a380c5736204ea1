import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CALCULATION_TYPES, COUPON_STATUSES, CouponStatus, DISCOUNT_TYPES } from '../coupon.types';

/** currency-amount (§1.3) as rendered. */
export class CurrencyAmountDto {
  @ApiProperty({ example: 10 })
  amount!: number;

  @ApiProperty({ pattern: '^[A-Z]{3}$', example: 'EUR' })
  currency!: string;
}

/** `restrictions` as rendered (§3.2); empty category and segment lists are left out. */
export class RestrictionsResponseDto {
  @ApiPropertyOptional({ type: [String], description: 'Manager view only.' })
  validFor?: string[];

  @ApiPropertyOptional({ format: 'date-time' })
  validFrom?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  validUntil?: string;

  @ApiPropertyOptional({ type: () => CurrencyAmountDto })
  minOrderValue?: CurrencyAmountDto;

  @ApiPropertyOptional({ type: [String] })
  includedCategories?: string[];

  @ApiPropertyOptional({ type: [String] })
  excludedCategories?: string[];

  @ApiPropertyOptional({ type: [String] })
  segments?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Members of these segments are refused (R13). Manager view only.' })
  excludedSegments?: string[];
}

export class LegalEntityRedemptionsDto {
  @ApiProperty()
  legalEntityId!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  count!: number;
}

/** META-1 as rendered. */
export class CouponMetadataResponseDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Starts at 0, +1 per update; redemptions do not change it.' })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  modifiedAt!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'uri' } })
  mixins?: Record<string, string>;
}

/**
 * A coupon (§3.4). The manager view has every field; the customer view leaves out `maxRedemptions`,
 * `redemptionCount`, `issuedTo`, `deleted`, `legalEntityRedemptions` and `restrictions.validFor`;
 * the referral view (operations 12 and 13) has no `discountCalculationType`, category or segment
 * fields. Optional fields without a value are left out (HTTP-11).
 */
export class CouponResponseDto {
  @ApiProperty({ example: 'WINTER10' })
  code!: string;

  @ApiProperty({ example: 'Winter 10 EUR' })
  name!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ enum: [...DISCOUNT_TYPES] })
  discountType!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  discountPercentage?: number;

  @ApiPropertyOptional({ type: () => CurrencyAmountDto })
  discountAbsolute?: CurrencyAmountDto;

  @ApiPropertyOptional({ enum: [...CALCULATION_TYPES] })
  discountCalculationType?: string;

  @ApiProperty()
  allowAnonymous!: boolean;

  @ApiPropertyOptional({ type: 'integer', description: '-1 is unlimited. Manager view only.' })
  maxRedemptions?: number;

  @ApiProperty({ type: 'integer', description: '-1 is unlimited.' })
  maxRedemptionsPerCustomer!: number;

  @ApiPropertyOptional()
  categoryRestricted?: boolean;

  @ApiPropertyOptional()
  segmentRestricted?: boolean;

  @ApiPropertyOptional({ description: 'Applies without a code: qualifications offer it to every customer it may apply to.' })
  automatic?: boolean;

  @ApiProperty({ type: () => RestrictionsResponseDto })
  restrictions!: RestrictionsResponseDto;

  @ApiPropertyOptional({ description: 'Manager and referral views only.' })
  issuedTo?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'The redemption records that exist. Manager and referral views only.' })
  redemptionCount?: number;

  @ApiPropertyOptional({ type: [LegalEntityRedemptionsDto], description: 'Manager view only.' })
  legalEntityRedemptions?: LegalEntityRedemptionsDto[];

  @ApiProperty()
  referralCoupon!: boolean;

  @ApiPropertyOptional({ description: 'The soft-delete flag. Manager and referral views only.' })
  deleted?: boolean;

  @ApiProperty({ enum: [...COUPON_STATUSES], description: 'Derived at the time of the request (§3.3).' })
  status!: CouponStatus;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'object' } })
  mixins?: Record<string, unknown>;

  @ApiProperty({ type: () => CouponMetadataResponseDto })
  metadata!: CouponMetadataResponseDto;
}
