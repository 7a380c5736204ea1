import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';

/** `customerNumber` of a read made for a customer (coupon §2.3); an empty value counts as absent. */
export class CustomerQueryDto {
  @ApiPropertyOptional({
    description: 'The customer the read is made for; another customer than the caller needs `coupon_redeem_on_behalf`.',
  })
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @IsOptional()
  @IsString()
  customerNumber?: string;
}
