import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CATEGORY_TYPES, CategoryType } from '../category.types';
import { LOCALIZED_MAP, ValidityResponseDto } from './category.response.dto';

/** A tree node (§4.7): the category with its visible subcategories in sibling order. */
export class CategoryTreeNodeDto {
  @ApiProperty({ type: String, example: 'tools' })
  id!: string;

  @ApiPropertyOptional({ type: String, description: 'Omitted for roots.' })
  parentId?: string;

  @ApiProperty({ enum: CATEGORY_TYPES })
  type!: CategoryType;

  @ApiPropertyOptional({ type: String })
  code?: string;

  @ApiProperty({ ...LOCALIZED_MAP, example: { en: 'Tools' } })
  localizedName!: Record<string, string>;

  @ApiProperty({ type: String, deprecated: true, example: 'Tools' })
  name!: string;

  @ApiPropertyOptional({ ...LOCALIZED_MAP })
  localizedDescription?: Record<string, string>;

  @ApiPropertyOptional({ type: String, deprecated: true })
  description?: string;

  @ApiPropertyOptional({ ...LOCALIZED_MAP })
  localizedSlug?: Record<string, string>;

  @ApiPropertyOptional({ type: () => ValidityResponseDto })
  validity?: ValidityResponseDto;

  @ApiProperty({ type: Number, minimum: 0 })
  position!: number;

  @ApiProperty({ type: Boolean })
  published!: boolean;

  @ApiPropertyOptional({ type: [String] })
  ecn?: string[];

  @ApiProperty({ type: () => [CategoryTreeNodeDto], description: '`[]` for leaves.' })
  subcategories!: CategoryTreeNodeDto[];
}

/** A node of the deprecated op 4 (§6.5). */
export class LegacyTreeNodeDto {
  @ApiProperty({ type: String })
  id!: string;

  @ApiPropertyOptional({ type: String })
  parentId?: string;

  @ApiProperty({ type: String, description: 'The name in the tenant default language.' })
  name!: string;

  @ApiPropertyOptional({ type: String })
  code?: string;

  @ApiPropertyOptional({ type: String })
  description?: string;

  @ApiProperty({ type: Number })
  position!: number;

  @ApiProperty({ type: Boolean })
  published!: boolean;

  @ApiPropertyOptional({ type: [String] })
  ecn?: string[];

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Always `[]`.' })
  media!: unknown[];

  @ApiProperty({ type: () => [LegacyTreeNodeDto] })
  subcategories!: LegacyTreeNodeDto[];
}
