import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';
import { CATEGORY_TYPES, CategoryType } from '../category.types';

export const LOCALIZED_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** `validity` as returned: ISO 8601 in UTC with milliseconds (HTTP-10). */
export class ValidityResponseDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2024-01-01T00:00:00.000Z' })
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2025-01-01T00:00:00.000Z' })
  to?: string;
}

/** An own classification mixin as stored (§4.4). */
export class OwnClassificationMixinResponseDto {
  @ApiProperty({ type: String, example: 'size' })
  name!: string;

  @ApiProperty({ type: String, format: 'uri', example: 'https://schemas.example.com/size.json' })
  schemaUrl!: string;

  @ApiProperty({ type: Boolean, example: false })
  required!: boolean;
}

/** A computed classification mixin (§4.4): the own mixins from the root down to the category. */
export class ClassificationMixinResponseDto extends OwnClassificationMixinResponseDto {
  @ApiProperty({ type: String, example: 'class_tools_size', description: '`class_<code of the source category>_<name>`.' })
  mixinPath!: string;

  @ApiProperty({ type: String, example: 'tools' })
  sourceCategoryId!: string;
}

/** A category as returned (§4.1); optional properties without a value are omitted (HTTP-11). */
export class CategoryResponseDto {
  @ApiProperty({ type: String, example: 'hammers' })
  id!: string;

  @ApiProperty({ enum: CATEGORY_TYPES })
  type!: CategoryType;

  @ApiPropertyOptional({ type: String, description: 'Omitted for roots.', example: 'tools' })
  parentId?: string;

  @ApiPropertyOptional({ type: String, example: 'HAMMERS' })
  code?: string;

  @ApiProperty({ ...LOCALIZED_MAP, description: 'Narrowed by Accept-Language (LOC-3).', example: { en: 'Hammers' } })
  localizedName!: Record<string, string>;

  @ApiProperty({ type: String, deprecated: true, description: 'The name in the tenant default language (§3.4).', example: 'Hammers' })
  name!: string;

  @ApiPropertyOptional({ ...LOCALIZED_MAP })
  localizedDescription?: Record<string, string>;

  @ApiPropertyOptional({ type: String, deprecated: true, description: 'The description in the tenant default language (§3.4).' })
  description?: string;

  @ApiPropertyOptional({ ...LOCALIZED_MAP, example: { en: 'hammers' } })
  localizedSlug?: Record<string, string>;

  @ApiPropertyOptional({ type: [String] })
  ecn?: string[];

  @ApiPropertyOptional({ type: () => ValidityResponseDto })
  validity?: ValidityResponseDto;

  @ApiProperty({ type: Number, minimum: 0, example: 0 })
  position!: number;

  @ApiProperty({ type: Boolean })
  published!: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Op 19 with `expandSupercategoriesIds=true`: ancestors, root first.' })
  supercategoriesIds?: string[];

  @ApiPropertyOptional({ type: [OwnClassificationMixinResponseDto], description: 'CLASSIFICATION only.' })
  ownClassificationMixins?: OwnClassificationMixinResponseDto[];

  @ApiPropertyOptional({ type: [ClassificationMixinResponseDto], description: 'CLASSIFICATION only; computed on every read.' })
  classificationMixins?: ClassificationMixinResponseDto[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'object' }, description: 'Mixin name → JSON object (META-8).' })
  mixins!: Record<string, unknown>;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always `[]` in this suite.' })
  media!: unknown[];
}
