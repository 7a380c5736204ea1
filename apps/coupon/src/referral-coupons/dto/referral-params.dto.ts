import { ApiProperty } from '@nestjs/swagger';
import { TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';

/** `{tenant}` and `{customerNumber}` of a referral-coupon path (coupon §12). */
export class ReferralParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The customer who owns the referral coupon.', example: 'C1001' })
  @IsString()
  customerNumber!: string;
}
