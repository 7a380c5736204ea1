import { Module } from '@nestjs/common';
import { CouponRepository } from './coupon.repository';

/** The coupon documents, shared by the coupon, redemption and referral features. */
@Module({ providers: [CouponRepository], exports: [CouponRepository] })
export class CouponDataModule {}
