import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const LOCALIZED_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

class TreeValidityResponseDto {
  @ApiPropertyOptional({ format: 'date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  to?: string;
}

/** A node of a segment category tree (segment §3.22, §8): a published category, flagged when assigned. */
export class SegmentTreeNodeResponseDto {
  @ApiProperty({ example: 'cat-tools' })
  id!: string;

  @ApiPropertyOptional({ example: 'cat-root' })
  parentId?: string;

  @ApiProperty({ example: 'T' })
  code!: string;

  @ApiProperty({ ...LOCALIZED_MAP, example: { en: 'Tools' } })
  name!: Record<string, string>;

  @ApiPropertyOptional(LOCALIZED_MAP)
  localizedDescription?: Record<string, string>;

  @ApiPropertyOptional(LOCALIZED_MAP)
  localizedSlug?: Record<string, string>;

  @ApiPropertyOptional({ type: [String] })
  ecn?: readonly string[];

  @ApiPropertyOptional({ type: () => TreeValidityResponseDto })
  validity?: { from?: string; to?: string };

  @ApiPropertyOptional({ example: 0 })
  position?: number;

  @ApiProperty({ example: true })
  published!: boolean;

  @ApiProperty({ description: 'True for an assigned category and its whole subtree; false for their ancestors (§8.3).' })
  isSegmentAssigned!: boolean;

  @ApiPropertyOptional({ type: () => [SegmentTreeNodeResponseDto], description: 'Left out for leaves.' })
  subcategories?: SegmentTreeNodeResponseDto[];
}
