import { Type } from 'class-transformer';
import { IsDefined, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Min, ValidateNested } from 'class-validator';

/** currency-amount in a redemption request: both parts required, no USD default (coupon §3.5). */
export class MoneyDto {
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount!: number;

  @IsDefined()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'Must match ^[A-Z]{3}$' })
  currency!: string;
}

/** `redemption-creation` (coupon §3.5), the body of validation and redemption. */
export class RedemptionBodyDto {
  @IsOptional()
  @IsString()
  @Length(1, 150)
  orderCode?: string;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  customerNumber?: string;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  legalEntityId?: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  orderTotal!: MoneyDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  discount!: MoneyDto;
}
