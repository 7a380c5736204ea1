import type { ErrorDetail } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsDefined, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Min, ValidateNested } from 'class-validator';

const CURRENCY = /^[A-Z]{3}$/;

/** currency-amount in a redemption request: both parts required, no USD default (coupon §3.5). */
export class MoneyDto {
  @IsDefined()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  amount!: number;

  @IsDefined()
  @IsString()
  @Matches(CURRENCY, { message: 'Must match ^[A-Z]{3}$' })
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

/**
 * §3.5 rule between the two amounts, checked beside the DTO so that one `400` lists it with every
 * other problem (ERR-6). Judged only when both currencies are themselves valid.
 */
export function redemptionCrossChecks(body: Record<string, unknown>): ErrorDetail[] {
  const currencyOf = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).currency : undefined);
  const total = currencyOf(body.orderTotal);
  const discount = currencyOf(body.discount);
  if (typeof total !== 'string' || typeof discount !== 'string' || !CURRENCY.test(total) || !CURRENCY.test(discount) || total === discount) return [];
  return [{ field: 'discount.currency', type: 'conflicting_values', message: 'discount.currency must equal orderTotal.currency' }];
}
