import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsIn } from 'class-validator';
import { DISCOUNT_TYPES, DiscountType } from '../coupon.types';
import { CouponFieldsDto } from './coupon-fields.dto';

/**
 * A full replacement (`PUT` without `partial`, §6.4): the create rules, and `discountType` is
 * required too. Omitted fields go back to their create defaults. The body arrives as a
 * {@link PatchCouponDto} (the same route takes a merge patch with `?partial=true`) and is judged
 * with this class by `validateDto`, together with the rules that need the stored coupon.
 */
export class ReplaceCouponDto extends CouponFieldsDto {
  @ApiProperty({ enum: [...DISCOUNT_TYPES] })
  @IsDefined({ message: 'discountType is required for a full replacement' })
  @IsIn(DISCOUNT_TYPES, { message: `discountType must be one of ${DISCOUNT_TYPES.join(', ')}` })
  discountType!: DiscountType;

  @ApiProperty({
    type: String,
    required: false,
    description: 'Ignored when it names this coupon (after normalization); otherwise 400 immutable_field.',
  })
  code?: string;
}
