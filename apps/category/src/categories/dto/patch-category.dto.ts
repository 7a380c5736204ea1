import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDetail, isPlainObject, NestedObject, validateMixins, validateMixinSchemas, ValidateDetails } from '@suite/api-kit';
import { IsArray, IsBoolean, IsDefined, IsObject, IsOptional, IsString, ValidateIf } from 'class-validator';
import { IsCount, IsNonBlankString } from '../../common/dto/body-values';
import { CATEGORY_TYPES, CategoryType } from '../category.types';
import {
  ClassificationMixinDto,
  ecnDetails,
  IsCategoryType,
  IsClassificationMixins,
  validityDetails,
  ValidityDto,
} from './create-category.dto';

// PATCH (op 7) is a JSON Merge Patch (META-7): absent = unchanged, `null` = clear (or the default),
// maps merge per key with `null` removing one. What the merged category must satisfy as a whole
// is checked on the result (CategoryDocumentDto).

const MAP_MESSAGE = 'must be a map of language codes to texts';

/** Merge-patch members of a free-form map: `null` removes, the rest is checked. */
function present(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

function mixinPatchDetails(value: unknown, field: string): ErrorDetail[] {
  if (!isPlainObject(value)) return [{ field, type: 'invalid_type', message: 'mixins must be an object' }];
  return validateMixins(present(value), field);
}

function schemaPatchDetails(value: unknown, field: string): ErrorDetail[] {
  return isPlainObject(value) ? validateMixinSchemas(present(value), field) : [];
}

/** `metadata` of a PATCH body: the mandatory lock (§4.5) and schema links to merge. */
export class PatchCategoryMetadataDto {
  @ApiProperty({ type: Number, minimum: 0, description: 'The version the client read; mandatory (§4.5, 409 when stale).', example: 1 })
  @IsDefined({ message: 'must not be null' })
  @IsCount('must be a non-negative integer', 'invalid_type')
  version!: number;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'string', format: 'uri', nullable: true },
    description: 'Merged; null removes a link, null as a whole clears them.',
  })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  @ValidateDetails('isMixinSchemasPatch', schemaPatchDetails)
  mixins?: Record<string, string | null> | null;
}

/** PATCH `/categories/{categoryId}` (op 7, `application/merge-patch+json` or `application/json`). */
export class PatchCategoryDto {
  @ApiPropertyOptional({ enum: CATEGORY_TYPES, description: 'Immutable: a different type than the stored one is a 400.' })
  @IsCategoryType()
  type?: CategoryType | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Move under this category; null, blank, "root" or "null" make it a root (§4.3).',
  })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  parentId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears the code.' })
  @IsOptional()
  @IsNonBlankString('must be a non-blank string')
  code?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    description: 'Merged per language; null removes a translation; one must remain.',
  })
  @ValidateIf((o: PatchCategoryDto) => o.localizedName !== undefined)
  @IsDefined({ message: 'must contain at least one translation' })
  @IsObject({ message: MAP_MESSAGE })
  localizedName?: Record<string, string | null>;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'string', nullable: true },
    description: 'Merged per language; null clears.',
  })
  @IsOptional()
  @IsObject({ message: MAP_MESSAGE })
  localizedDescription?: Record<string, string | null> | null;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'string', nullable: true },
    description: 'Merged per language; null clears; no diacritics.',
  })
  @IsOptional()
  @IsObject({ message: MAP_MESSAGE })
  localizedSlug?: Record<string, string | null> | null;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Replaced; null clears.' })
  @IsOptional()
  @IsArray({ message: 'must be an array of strings' })
  @ValidateDetails('ecnValues', ecnDetails)
  ecn?: string[] | null;

  @ApiPropertyOptional({ type: ValidityDto, nullable: true, description: 'Merged (`from`/`to`, null clears one); null clears both.' })
  @IsOptional()
  @IsObject({ message: 'must be an object with from and/or to' })
  @ValidateDetails('validityValues', validityDetails(true))
  validity?: { from?: string | null; to?: string | null } | null;

  @ApiPropertyOptional({ type: Number, minimum: 0, nullable: true, description: 'null resets it to 0.' })
  @IsOptional()
  @IsCount('must be an integer >= 0', 'invalid_value')
  position?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: 'A state change needs the publish or unpublish scope (§3.2); null leaves it unchanged.',
  })
  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  published?: boolean | null;

  @ApiPropertyOptional({ type: [ClassificationMixinDto], nullable: true, description: 'Replaced; null clears.' })
  @IsClassificationMixins()
  ownClassificationMixins?: ClassificationMixinDto[] | null;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'object', nullable: true },
    description: 'Merged recursively (META-7); null removes a key, null as a whole clears them.',
  })
  @IsOptional()
  @ValidateDetails('isMixinsPatch', mixinPatchDetails)
  mixins?: Record<string, unknown> | null;

  @NestedObject(() => PatchCategoryMetadataDto, { required: true, message: 'must be an object with version' })
  metadata!: PatchCategoryMetadataDto;
}
