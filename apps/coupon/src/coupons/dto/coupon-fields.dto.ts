import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateTimeWithOffset, IsMixins, IsMixinSchemas, isPlainObject } from '@suite/api-kit';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { NullAsAbsent, ownedBy, ownerOf, Rule } from '../../common/dto-rules';
import { CALCULATION_TYPES, CalculationType, CouponFields, DiscountType, Money, Restrictions } from '../coupon.types';
import {
  CURRENCY,
  CURRENCY_MESSAGE,
  effectiveDiscountType,
  hasIds,
  IdList,
  ID_LISTS,
  isRedemptionLimit,
  restrictionsValid,
} from './coupon-rules';

/**
 * The write-time rules of coupon §4 as DTOs: one class per nested object, the field rules (§4.1)
 * as decorators of each field and the cross-field rules (X1–X14, §4.3) as decorators of the field
 * the contract names in its detail. A `null` counts as absent everywhere but in `name` (and in
 * `discountType` of a full replacement). Unknown and read-only properties are dropped (ERR-7, §4.4).
 */

function moneyPath(args: ValidationArguments): string {
  return (args.object.constructor as typeof CouponMoneyDto).path;
}

const amountMessage = (args: ValidationArguments) => `${moneyPath(args)}.amount must be a number >= 0`;

/** currency-amount of a coupon (§1.3): `amount` required and >= 0; `currency` defaults to `USD`. */
export abstract class CouponMoneyDto {
  /** Where the amount sits in the body, for the messages. */
  static readonly path: string = 'amount';

  @ApiProperty({ minimum: 0, example: 10 })
  @IsDefined({ message: (args: ValidationArguments) => `${moneyPath(args)}.amount is required` })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: amountMessage })
  @Min(0, { message: amountMessage })
  amount!: number;

  @ApiPropertyOptional({ type: String, pattern: CURRENCY.source, default: 'USD', example: 'EUR' })
  @IsOptional()
  @Matches(CURRENCY, { message: CURRENCY_MESSAGE })
  currency?: string | null;
}

export class DiscountAbsoluteDto extends CouponMoneyDto {
  static override readonly path = 'discountAbsolute';
}

export class MinOrderValueDto extends CouponMoneyDto {
  static override readonly path = 'restrictions.minOrderValue';
}

/**
 * A currency-amount property holding `money`: an object (`<path> must be an object with amount and
 * currency`) checked with the money rules; `null` counts as absent. The decorators apply in the
 * order of the stacked ones they replace, the last first.
 */
function MoneyObject(money: typeof DiscountAbsoluteDto | typeof MinOrderValueDto): PropertyDecorator {
  const message = `${money.path} must be an object with amount and currency`;
  return (target, property) => {
    const isObject = Rule(`${String(property)}Object`, 'invalid_type', (v) => v !== undefined && !isPlainObject(v), message);
    for (const decorate of [NullAsAbsent(), Type(() => money), ValidateNested(), isObject]) decorate(target, property);
  };
}

/** X5/X8: why a non-empty `validFor` conflicts with the coupon's flags, if it does. */
function validForConflict(r: Record<string, unknown>): string | undefined {
  const coupon = ownerOf(r);
  if (!coupon || !restrictionsValid(r)) return undefined;
  if (coupon.allowAnonymous === true) return 'validFor must be empty when allowAnonymous is true';
  if (coupon.segmentRestricted === true) return 'validFor must be empty when segmentRestricted is true';
  return undefined;
}

/** The coupon `restrictions` belong to, once they passed their own field rules (X5–X14 are judged only then). */
function validOwner(r: Record<string, unknown>): Record<string, unknown> | undefined {
  const coupon = ownerOf(r);
  return coupon && restrictionsValid(r) ? coupon : undefined;
}

/**
 * An id list that a flag of the coupon switches on (X11/X12 `includedCategories` with
 * `categoryRestricted`, X6/X10 `segments` with `segmentRestricted`): required when the flag is
 * true, refused when it is not. Its rules register in the order stacked decorators would (the
 * last first), which is the order their details are reported in.
 */
function FlaggedIdList(list: 'includedCategories' | 'segments', flag: 'categoryRestricted' | 'segmentRestricted'): PropertyDecorator {
  const decorators = [
    Rule(
      `${list}Allowed`,
      'conflicting_values',
      (v, r) => hasIds(v) && validOwner(r) !== undefined && validOwner(r)?.[flag] !== true,
      `${list} require ${flag} to be true`,
    ),
    Rule(
      `${list}Required`,
      'missing_value',
      (v, r) => validOwner(r)?.[flag] === true && !hasIds(v),
      `${list} are required when ${flag} is true`,
    ),
    IdList(`${list}List`, ID_LISTS[list].max, ID_LISTS[list].dedupe, ID_LISTS[list].pattern),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

function sharesCategories(r: Record<string, unknown>): boolean {
  const included = new Set(r.includedCategories as string[]);
  return (r.excludedCategories as string[]).some((c) => included.has(c));
}

/** The `restrictions` object (§3.2). */
export class RestrictionsDto {
  @ApiPropertyOptional({
    type: [String],
    maxItems: ID_LISTS.validFor.max,
    description: 'Customer numbers allowed to redeem; empty means anyone. Duplicates are removed.',
  })
  @IdList('validForList', ID_LISTS.validFor.max, ID_LISTS.validFor.dedupe)
  @Rule(
    'validForConflict',
    'conflicting_values',
    (v, r) => hasIds(v) && validForConflict(r) !== undefined,
    (_v, r) => validForConflict(r) ?? '',
  )
  validFor?: string[] | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Start of the validity window, inclusive.' })
  @IsOptional()
  @IsDateTimeWithOffset({ message: 'restrictions.validFrom must be an ISO 8601 date-time with offset' })
  validFrom?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'End of the validity window, inclusive; later than `validFrom`.' })
  @IsOptional()
  @IsDateTimeWithOffset({ message: 'restrictions.validUntil must be an ISO 8601 date-time with offset' })
  @Rule(
    'validUntilAfterValidFrom',
    'conflicting_values',
    (v, r) => restrictionsValid(r) && typeof r.validFrom === 'string' && typeof v === 'string' && Date.parse(r.validFrom) >= Date.parse(v),
    'validUntil must be later than validFrom',
  )
  validUntil?: string | null;

  @ApiPropertyOptional({ type: () => MinOrderValueDto, description: 'The minimum order total; an amount of 0 means no minimum.' })
  @MoneyObject(MinOrderValueDto)
  minOrderValue?: MinOrderValueDto;

  @ApiPropertyOptional({
    type: [String],
    maxItems: ID_LISTS.includedCategories.max,
    description: 'Categories the discount applies to; required when `categoryRestricted`.',
  })
  @FlaggedIdList('includedCategories', 'categoryRestricted')
  includedCategories?: string[] | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: ID_LISTS.excludedCategories.max,
    description: 'Categories the discount never applies to; only when `categoryRestricted`.',
  })
  @IdList('excludedCategoriesList', ID_LISTS.excludedCategories.max, ID_LISTS.excludedCategories.dedupe)
  @Rule(
    'excludedCategoriesConflict',
    'conflicting_values',
    (v, r) => {
      const coupon = validOwner(r);
      if (!coupon || !hasIds(v)) return false;
      return coupon.categoryRestricted === true ? sharesCategories(r) : true;
    },
    (_v, r) =>
      validOwner(r)?.categoryRestricted === true
        ? 'a category cannot be both included and excluded'
        : 'excludedCategories require categoryRestricted to be true',
  )
  excludedCategories?: string[] | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: ID_LISTS.segments.max,
    description: 'Customer-segment ids (§10); required when `segmentRestricted`. Duplicates are removed.',
  })
  @FlaggedIdList('segments', 'segmentRestricted')
  segments?: string[] | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: ID_LISTS.excludedSegments.max,
    description:
      'Customer-segment ids whose members are refused (R13), with or without `segmentRestricted`; ' +
      'none may also be in `segments`. Duplicates are removed.',
  })
  @IdList('excludedSegmentsList', ID_LISTS.excludedSegments.max, ID_LISTS.excludedSegments.dedupe, ID_LISTS.excludedSegments.pattern)
  @Rule(
    'excludedSegmentsConflict',
    'conflicting_values',
    (v, r) => hasIds(v) && restrictionsValid(r) && hasIds(r.segments) && v.some((id) => (r.segments as string[]).includes(id)),
    'a segment cannot be both required and excluded',
  )
  excludedSegments?: string[] | null;
}

/** `metadata` of a write body: only `mixins` is written (META-4); `version` is the update precondition (§6.5). */
export class CouponMetadataDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'PUT/PATCH: the version the change is based on (409 when it moved on); ignored by POST.',
  })
  @Allow()
  version?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    description: 'Mixin name → absolute schema URL (META-9).',
  })
  @IsOptional()
  @IsMixinSchemas()
  mixins?: Record<string, string> | null;
}

const restrictionsOf = (coupon: Record<string, unknown>) => coupon.restrictions;

/** An optional boolean flag of the coupon (`<flag> must be true or false`). */
function IsFlag(): PropertyDecorator {
  const optional = IsOptional();
  const boolean = IsBoolean({ message: (args: ValidationArguments) => `${args.property} must be true or false` });
  return (target, property) => {
    optional(target, property);
    boolean(target, property);
  };
}

/** X7/X9: this flag and `other` cannot both be true; judged once `restrictions` passed its own rules. */
function ExcludesFlag(name: string, other: 'categoryRestricted' | 'segmentRestricted', message: string): PropertyDecorator {
  return Rule(name, 'conflicting_values', (v, o) => v === true && o[other] === true && restrictionsValid(restrictionsOf(o)), message);
}

/** The writable coupon fields (§3.1) with their rules; `discountType` is declared by each direction. */
export abstract class CouponFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 150, description: 'Display name, 1 to 150 characters after trimming.', example: 'Winter 10 EUR' })
  @IsDefined({ message: 'name is required' })
  @IsString({ message: 'name must be a string' })
  @Rule('nameNotBlank', 'missing_value', (v) => typeof v === 'string' && v.trim().length === 0, 'name must not be empty')
  @Rule('nameLength', 'invalid_value', (v) => typeof v === 'string' && v.trim().length > 150, 'name must have at most 150 characters')
  name!: string;

  @ApiPropertyOptional({ type: String, maxLength: 2000 })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(2000, { message: 'description must have at most 2000 characters' })
  description?: string | null;

  abstract discountType?: DiscountType | null;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 100, description: 'Required when `discountType` is `PERCENT`.' })
  @Rule(
    'discountPercentageRange',
    'invalid_value',
    (v) => v !== undefined && v !== null && !(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100),
    'discountPercentage must be a number from 0 to 100',
  )
  @Rule(
    'discountPercentageRequired',
    'missing_value',
    (v, o) => (v === undefined || v === null) && effectiveDiscountType(o) === 'PERCENT',
    'discountPercentage is required when discountType is PERCENT',
  )
  discountPercentage?: number | null;

  @ApiPropertyOptional({ type: () => DiscountAbsoluteDto, description: 'Required when `discountType` is `ABSOLUTE`.' })
  @MoneyObject(DiscountAbsoluteDto)
  @Rule(
    'discountAbsoluteRequired',
    'missing_value',
    (v, o) => v === undefined && effectiveDiscountType(o) === 'ABSOLUTE',
    'discountAbsolute is required when discountType is ABSOLUTE',
  )
  discountAbsolute?: DiscountAbsoluteDto;

  @ApiPropertyOptional({ enum: [...CALCULATION_TYPES], default: 'SUBTOTAL' })
  @IsOptional()
  @IsIn(CALCULATION_TYPES, { message: 'discountCalculationType must be SUBTOTAL or TOTAL' })
  discountCalculationType?: CalculationType | null;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'When false, only an identified customer can redeem.' })
  @IsFlag()
  @ExcludesFlag('anonymousSegmentConflict', 'segmentRestricted', 'a segment-restricted coupon cannot allow anonymous redemption')
  allowAnonymous?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', default: -1, description: 'Total redemption limit; -1 is unlimited, otherwise at least 1.' })
  @IsOptional()
  @Rule(
    'maxRedemptionsLimit',
    'invalid_value',
    (v) => !isRedemptionLimit(v),
    'maxRedemptions must be -1 (unlimited) or an integer of at least 1',
  )
  maxRedemptions?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    default: -1,
    description: 'Limit per customer and legal entity; -1 is unlimited. Must be -1 when `allowAnonymous`.',
  })
  @IsOptional()
  @Rule(
    'maxRedemptionsPerCustomerLimit',
    'invalid_value',
    (v) => !isRedemptionLimit(v),
    'maxRedemptionsPerCustomer must be -1 (unlimited) or an integer of at least 1',
  )
  @Rule(
    'anonymousPerCustomerConflict',
    'conflicting_values',
    (v, o) => o.allowAnonymous === true && isRedemptionLimit(v) && v !== -1,
    'maxRedemptionsPerCustomer must be -1 when allowAnonymous is true',
  )
  maxRedemptionsPerCustomer?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'When true, the discount applies only to `restrictions.includedCategories`.',
  })
  @IsFlag()
  @Rule(
    'freeShippingCategoryConflict',
    'conflicting_values',
    (v, o) => v === true && effectiveDiscountType(o) === 'FREE_SHIPPING',
    'a FREE_SHIPPING coupon cannot be category-restricted',
  )
  categoryRestricted?: boolean | null;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'When true, only members of `restrictions.segments` may redeem.' })
  @IsFlag()
  @ExcludesFlag('segmentCategoryConflict', 'categoryRestricted', 'a segment-restricted coupon cannot be category-restricted')
  segmentRestricted?: boolean | null;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'When true, the coupon needs no code: qualifications offer it to every customer it may apply to; all rules still apply.',
  })
  @IsFlag()
  automatic?: boolean | null;

  @ApiPropertyOptional({ type: () => RestrictionsDto, description: 'Absent or `null` is `{ "validFor": [] }`.' })
  @Rule('restrictionsObject', 'invalid_type', (v) => !isPlainObject(v), 'restrictions must be an object')
  @ValidateNested()
  @Type(() => RestrictionsDto)
  @Transform(({ value, obj }: { value: unknown; obj: object }) => ownedBy(value ?? new RestrictionsDto(), obj))
  restrictions: RestrictionsDto = ownedBy(new RestrictionsDto(), this);

  @ApiPropertyOptional({
    type: String,
    description: 'The customer who received the coupon; informational. An empty string is stored as absent.',
  })
  @IsOptional()
  @IsString({ message: 'issuedTo must be a string' })
  issuedTo?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'object' }, description: 'Mixin name → JSON object (META-8).' })
  @IsOptional()
  @IsMixins()
  mixins?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: () => CouponMetadataDto })
  @ValidateNested()
  @Type(() => CouponMetadataDto)
  @Transform(({ value }: { value: unknown }) => (isPlainObject(value) ? value : undefined))
  metadata?: CouponMetadataDto;
}

function money(m: CouponMoneyDto): Money {
  return { amount: m.amount, currency: typeof m.currency === 'string' ? m.currency : 'USD' };
}

/** The fields to store from a validated coupon body, with the defaults of §3.1 applied. */
export function toCouponFields(dto: CouponFieldsDto): CouponFields {
  const r = dto.restrictions;
  const restrictions: Restrictions = {
    validFor: [...new Set(r.validFor ?? [])],
    includedCategories: [...(r.includedCategories ?? [])],
    excludedCategories: [...(r.excludedCategories ?? [])],
    segments: [...new Set(r.segments ?? [])],
    excludedSegments: [...new Set(r.excludedSegments ?? [])],
  };
  if (typeof r.validFrom === 'string') restrictions.validFrom = new Date(r.validFrom);
  if (typeof r.validUntil === 'string') restrictions.validUntil = new Date(r.validUntil);
  if (r.minOrderValue) restrictions.minOrderValue = money(r.minOrderValue);
  const fields: CouponFields = {
    name: dto.name.trim(),
    discountType: dto.discountType ?? 'ABSOLUTE',
    discountCalculationType: dto.discountCalculationType ?? 'SUBTOTAL',
    allowAnonymous: dto.allowAnonymous === true,
    maxRedemptions: dto.maxRedemptions ?? -1,
    maxRedemptionsPerCustomer: dto.maxRedemptionsPerCustomer ?? -1,
    categoryRestricted: dto.categoryRestricted === true,
    segmentRestricted: dto.segmentRestricted === true,
    automatic: dto.automatic === true,
    restrictions,
  };
  if (typeof dto.description === 'string') fields.description = dto.description;
  if (typeof dto.discountPercentage === 'number') fields.discountPercentage = dto.discountPercentage;
  if (dto.discountAbsolute) fields.discountAbsolute = money(dto.discountAbsolute);
  // An empty issuedTo is stored as absent (§3.1).
  if (dto.issuedTo) fields.issuedTo = dto.issuedTo;
  if (dto.mixins && Object.keys(dto.mixins).length) fields.mixins = dto.mixins;
  const links = dto.metadata?.mixins;
  if (links && Object.keys(links).length) fields.mixinSchemas = links;
  return fields;
}
