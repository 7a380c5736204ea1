import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDetail, isDateTimeWithOffset, isPlainObject, IsMixins, IsMixinSchemas, NestedObject, ValidateDetails } from '@suite/api-kit';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsNotEmptyObject,
  IsNotIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { IsCount, IsNonBlankString, IsOneOf, IsPresent, MatchesIfPresent } from '../../common/dto/body-values';
import { CATEGORY_ID_PATTERN, CATEGORY_TYPES, CategoryType, RESERVED_CATEGORY_IDS } from '../category.types';

// The category write body of §4.2. POST and PUT share the fields below; PATCH has its own class
// (merge-patch semantics). The language rules of the localized maps need the tenant's languages
// and `Content-Language`, so they are request rules (category-write.rules.ts); here only presence
// and type.

const MAP_MESSAGE = 'must be a map of language codes to texts';
const MIXIN_NAME = /^[a-zA-Z0-9_]\S*$/;
const SCHEMA_URL = /^https?:\/\/[^\s/$.?#].\S*$/;

/** `validity` (§4.2): documentation of the object the `validity` rules check. */
export class ValidityDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Start of validity, ISO 8601 with offset (HTTP-10).',
    example: '2024-01-01T00:00:00Z',
  })
  from?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'End of validity, ISO 8601 with offset; not before `from`.',
    example: '2025-01-01T00:00:00Z',
  })
  to?: string;
}

/**
 * The keys and dates of `validity`: only `from` and `to` (`invalid_key` on `validity.<key>`), each
 * an ISO 8601 date-time with offset; in a merge PATCH `null` clears one of them.
 */
export function validityDetails(allowNull: boolean) {
  return (value: unknown, field: string): ErrorDetail[] => {
    if (!isPlainObject(value)) return [];
    const details: ErrorDetail[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (key !== 'from' && key !== 'to')
        details.push({ field: `${field}.${key}`, type: 'invalid_key', message: 'only from and to are allowed' });
      else if (v !== undefined && !(v === null && allowNull) && !isDateTimeWithOffset(v)) {
        details.push({ field: `${field}.${key}`, type: 'invalid_format', message: 'must be an ISO 8601 date-time with offset' });
      }
    }
    return details;
  };
}

/** `ecn[i]`: non-blank strings (duplicates are collapsed when stored). */
export function ecnDetails(value: unknown, field: string): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown, i) =>
    typeof v !== 'string' || v.trim() === ''
      ? [{ field: `${field}[${i}]`, type: 'invalid_value', message: 'must be a non-blank string' }]
      : [],
  );
}

/**
 * §4.4: a mixin name once per category. Only items that are valid otherwise take their name, so a
 * broken item is reported for its own problem and never as a duplicate.
 */
export function duplicateMixinNames(value: unknown, field: string): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  const details: ErrorDetail[] = [];
  const names = new Set<string>();
  value.forEach((item: unknown, i) => {
    if (!isPlainObject(item)) return;
    const { name, schemaUrl, required } = item;
    if (typeof name !== 'string' || !MIXIN_NAME.test(name)) return;
    if (names.has(name)) {
      details.push({ field: `${field}[${i}].name`, type: 'invalid_value', message: `duplicate mixin name '${name}'` });
      return;
    }
    const urlOk = typeof schemaUrl === 'string' && SCHEMA_URL.test(schemaUrl);
    const requiredOk = required === undefined || required === null || typeof required === 'boolean';
    if (urlOk && requiredOk) names.add(name);
  });
  return details;
}

/** `type` in every direction: optional, one of the category types (§4.4). */
export function IsCategoryType(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsOneOf(CATEGORY_TYPES, 'must be STANDARD or CLASSIFICATION'));
}

/** `ownClassificationMixins` in every direction: optional, objects, mixin names unique (§4.4). */
export function IsClassificationMixins(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsArray({ message: 'must be an array' }),
    ValidateNested({ each: true, message: 'must be an object' }),
    Type(() => ClassificationMixinDto),
    ValidateDetails('uniqueMixinNames', duplicateMixinNames),
  );
}

/** One own classification mixin (§4.4). */
export class ClassificationMixinDto {
  @ApiProperty({ description: 'Mixin name, unique within the category.', pattern: MIXIN_NAME.source, example: 'size' })
  @IsPresent(`must match ${MIXIN_NAME.source}`)
  @MatchesIfPresent(MIXIN_NAME, `must match ${MIXIN_NAME.source}`)
  name!: string;

  @ApiProperty({ description: 'Absolute http(s) URL of the mixin schema.', example: 'https://schemas.example.com/size.json' })
  @IsPresent('must be an http(s) URL')
  @MatchesIfPresent(SCHEMA_URL, 'must be an http(s) URL')
  schemaUrl!: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Whether products of the category must carry the mixin.' })
  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  required?: boolean;
}

/** `metadata` of a POST body: schema links of the mixins (META-9); a version is ignored. */
export class CreateCategoryMetadataDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    description: 'Mixin name → absolute schema URL (META-9).',
  })
  @IsMixinSchemas()
  mixins?: Record<string, string>;
}

/** The fields POST and PUT share (§4.2). */
export abstract class CategoryFieldsDto {
  @ApiPropertyOptional({
    enum: CATEGORY_TYPES,
    default: 'STANDARD',
    description: 'Immutable after creation; without it a PUT keeps the stored type.',
  })
  @IsCategoryType()
  type?: CategoryType | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Parent category; absent (PUT: the category becomes a root), null, blank, "root" or "null" mean root (§4.3).',
  })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  parentId?: string | null;

  @ApiPropertyOptional({
    type: String,
    description: 'Unique per tenant, case-insensitively; required for CLASSIFICATION.',
    example: 'TOOLS',
  })
  @IsOptional()
  @IsNonBlankString('must be a non-blank string')
  code?: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Language → name, at least one non-blank translation (LOC-1; maps only).',
    example: { en: 'Tools' },
  })
  @IsDefined({ message: 'must not be null' })
  @IsObject({ message: MAP_MESSAGE })
  @IsNotEmptyObject({}, { message: 'must contain at least one translation' })
  localizedName!: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Language → description.' })
  @IsOptional()
  @IsObject({ message: MAP_MESSAGE })
  localizedDescription?: Record<string, string> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Language → slug, without diacritics (§3.4).',
    example: { en: 'tools' },
  })
  @IsOptional()
  @IsObject({ message: MAP_MESSAGE })
  localizedSlug?: Record<string, string> | null;

  @ApiPropertyOptional({ type: [String], description: 'External category numbers, each unique across the tenant.', example: ['E-100'] })
  @IsOptional()
  @IsArray({ message: 'must be an array of strings' })
  @ValidateDetails('ecnValues', ecnDetails)
  ecn?: string[] | null;

  @ApiPropertyOptional({ type: ValidityDto, description: 'Informational validity window; `from` not after `to`.' })
  @IsOptional()
  @IsObject({ message: 'must be an object with from and/or to' })
  @ValidateDetails('validityValues', validityDetails(false))
  validity?: ValidityDto | null;

  @ApiPropertyOptional({ type: Number, minimum: 0, default: 0, description: 'Sort key among siblings.' })
  @IsOptional()
  @IsCount('must be an integer >= 0', 'invalid_value')
  position?: number | null;

  @ApiProperty({
    type: Boolean,
    description: 'Publishing needs `category.category_publish` (§3.2); must equal the `publish` parameter when sent.',
  })
  @IsDefined({ message: 'must be a boolean' })
  @IsBoolean({ message: 'must be a boolean' })
  published!: boolean;

  @ApiPropertyOptional({ type: [ClassificationMixinDto], description: 'Only for CLASSIFICATION categories (§4.4).' })
  @IsClassificationMixins()
  ownClassificationMixins?: ClassificationMixinDto[] | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object' },
    description: 'Custom attributes: mixin name → JSON object (META-8).',
  })
  @IsOptional()
  @IsMixins()
  mixins?: Record<string, unknown> | null;
}

/** POST `/categories` (op 2). */
export class CreateCategoryDto extends CategoryFieldsDto {
  @ApiPropertyOptional({
    type: String,
    pattern: CATEGORY_ID_PATTERN.source,
    description: 'A custom id (§4.1); generated (UUID v4) when absent.',
    example: 'tools',
  })
  @IsOptional()
  @Matches(CATEGORY_ID_PATTERN, { message: `must match ${CATEGORY_ID_PATTERN.source}`, context: { type: 'invalid_format' } })
  @IsNotIn(RESERVED_CATEGORY_IDS, {
    message: (args: ValidationArguments) => `'${String(args.value)}' is reserved`,
    context: { type: 'invalid_value' },
  })
  id?: string | null;

  @NestedObject(() => CreateCategoryMetadataDto, { message: 'must be an object' })
  metadata?: CreateCategoryMetadataDto | null;
}
