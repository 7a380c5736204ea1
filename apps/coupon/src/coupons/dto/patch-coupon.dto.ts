import { ApiHideProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { CALCULATION_TYPES, DISCOUNT_TYPES } from '../coupon.types';
import { CouponMetadataDto, DiscountAbsoluteDto, RestrictionsDto } from './coupon-fields.dto';

/**
 * The body of `PATCH` (a JSON merge patch, §6.5) and of `PUT` (with `?partial=true` the same merge
 * patch; without it a full replacement). What a value must be can only be judged on the document
 * the write produces, where `null` means "remove" and a nested object may be partial: the service
 * merges the patch into the stored coupon and validates the result with `validateDto`
 * (`CouponDocumentDto`, or `ReplaceCouponDto` for a full replacement), together with the rules
 * that need the stored coupon (§4.5), so one `400` lists every problem (ERR-6). Here the body is
 * only whitelisted: unknown properties are dropped (ERR-7); the read-only ones of §4.4 are
 * accepted and ignored.
 */
export class PatchCouponDto {
  @ApiPropertyOptional({
    type: String,
    description: 'Ignored when it names this coupon (after normalization); otherwise 400 immutable_field.',
  })
  @Allow()
  code?: unknown;

  @ApiPropertyOptional({ type: String, description: '1 to 150 characters after trimming; cannot be removed.' })
  @Allow()
  name?: unknown;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000 })
  @Allow()
  description?: unknown;

  @ApiPropertyOptional({ enum: [...DISCOUNT_TYPES], description: 'Cannot be removed, nor changed once the coupon was redeemed (§4.5).' })
  @Allow()
  discountType?: unknown;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 100 })
  @Allow()
  discountPercentage?: unknown;

  @ApiPropertyOptional({ type: () => DiscountAbsoluteDto, nullable: true, description: 'Merged into the stored amount.' })
  @Allow()
  discountAbsolute?: unknown;

  @ApiPropertyOptional({ enum: [...CALCULATION_TYPES], nullable: true })
  @Allow()
  discountCalculationType?: unknown;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @Allow()
  allowAnonymous?: unknown;

  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @Allow()
  maxRedemptions?: unknown;

  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @Allow()
  maxRedemptionsPerCustomer?: unknown;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @Allow()
  categoryRestricted?: unknown;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @Allow()
  segmentRestricted?: unknown;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'Applies without a code (qualifications).' })
  @Allow()
  automatic?: unknown;

  @ApiPropertyOptional({ type: () => RestrictionsDto, nullable: true, description: 'Merged into the stored restrictions; arrays replace.' })
  @Allow()
  restrictions?: unknown;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Cannot change on a referral coupon.' })
  @Allow()
  issuedTo?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object' },
    nullable: true,
    description: 'Merged recursively; null removes.',
  })
  @Allow()
  mixins?: unknown;

  @ApiPropertyOptional({ type: () => CouponMetadataDto, description: '`version` is the optimistic-lock precondition; `mixins` is merged.' })
  @Allow()
  metadata?: unknown;

  // §4.4: read-only fields a client may send back; accepted and ignored.
  @ApiHideProperty()
  @Allow()
  status?: unknown;

  @ApiHideProperty()
  @Allow()
  redemptionCount?: unknown;

  @ApiHideProperty()
  @Allow()
  legalEntityRedemptions?: unknown;

  @ApiHideProperty()
  @Allow()
  referralCoupon?: unknown;

  @ApiHideProperty()
  @Allow()
  deleted?: unknown;
}

/** §4.4: fields a write body may carry but that are never written. */
export const READ_ONLY_FIELDS = ['code', 'status', 'redemptionCount', 'legalEntityRedemptions', 'referralCoupon', 'deleted'] as const;

/** The properties the client sent (declared ones; unknown ones were dropped, ERR-7). */
export function sentProperties(body: PatchCouponDto): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}
