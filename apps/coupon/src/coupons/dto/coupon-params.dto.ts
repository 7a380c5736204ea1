import { ApiProperty } from '@nestjs/swagger';
import { TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';

/** `{tenant}` and `{code}` of a coupon path; a code outside the format simply finds nothing (404). */
export class CouponParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The coupon code; upper-cased before the lookup unless the tenant keeps case (§4.2).', example: 'WINTER10' })
  @IsString()
  code!: string;
}
