import { ApiProperty } from '@nestjs/swagger';
import { TenantParamsDto } from '@suite/api-kit';
import { IsNotIn, IsString, Matches, ValidationArguments } from 'class-validator';
import { CATEGORY_ID_PATTERN, RESERVED_CATEGORY_IDS } from '../category.types';

/**
 * `/{tenant}/categories/{categoryId}` of reads, PATCH and DELETE: an id that breaks §4.1 names no
 * category, so it is a 404 of the operation, not a 400 (ID-3).
 */
export class CategoryParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The category id.', example: 'tools' })
  @IsString()
  categoryId!: string;
}

/** PUT `/{tenant}/categories/{categoryId}`: the path id may create the category, so it follows §4.1. */
export class ReplaceCategoryParamsDto extends TenantParamsDto {
  @ApiProperty({
    description: 'The category id; a custom id when the PUT creates (§4.1).',
    pattern: CATEGORY_ID_PATTERN.source,
    example: 'tools',
  })
  @Matches(CATEGORY_ID_PATTERN, { message: `must match ${CATEGORY_ID_PATTERN.source}`, context: { type: 'invalid_format' } })
  @IsNotIn(RESERVED_CATEGORY_IDS, {
    message: (args: ValidationArguments) => `'${String(args.value)}' is reserved`,
    context: { type: 'invalid_value' },
  })
  categoryId!: string;
}

/** `/{tenant}/category-trees/{rootCategoryId}/rebuild`. */
export class RootCategoryParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The root category of the tree.', example: 'tools' })
  @IsString()
  rootCategoryId!: string;
}
