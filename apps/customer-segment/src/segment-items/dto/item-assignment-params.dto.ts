import { ApiProperty } from '@nestjs/swagger';
import { IsCustomId, TenantParamsDto } from '@suite/api-kit';
import { Transform } from 'class-transformer';
import { IsIn, IsString } from 'class-validator';
import { ITEM_TYPES, ItemKey, ItemType } from '../item-assignment.types';

/** Segment §1.7: `bulk` is a literal path segment beside `{itemId}`. */
export const RESERVED_ITEM_IDS = ['bulk'];

const SEGMENT_ID = 'The segment id (ID-3).';

/** Segment §2.2: `{type}` in any letter case, always upper case once read; anything else is a `400`. */
function IsItemType(): PropertyDecorator {
  const upper = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value));
  const known = IsIn(ITEM_TYPES as ItemType[], { message: 'type must be PRODUCT or CATEGORY' });
  return (target: object, property: string | symbol) => {
    upper(target, property);
    known(target, property);
  };
}

const TYPE = { enum: ITEM_TYPES, description: 'The item type, in any letter case.' } as const;

/** `{segmentId}` of the item lists: any text; an id that cannot exist is an unknown segment (`404`). */
export class SegmentItemsParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SEGMENT_ID, example: 'seg-gold' })
  @IsString()
  segmentId!: string;
}

/** `{segmentId}/items/{type}` of the item bulks. */
export class ItemTypeParamsDto extends SegmentItemsParamsDto {
  @ApiProperty(TYPE)
  @IsItemType()
  type!: ItemType;
}

/** An item assignment to read or delete: ids that cannot exist are `404` or an idempotent `204`. */
export class ItemAssignmentParamsDto extends ItemTypeParamsDto {
  @ApiProperty({ description: 'The product or category id (ID-3).', example: 'p-hammer-1' })
  @IsString()
  itemId!: string;
}

/** An item assignment to upsert: the client names it, so ID-3 applies (`400`). */
export class ItemAssignmentWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SEGMENT_ID, example: 'seg-gold' })
  @IsCustomId()
  segmentId!: string;

  @ApiProperty(TYPE)
  @IsItemType()
  type!: ItemType;

  @ApiProperty({ description: 'The product or category id (ID-3); not `bulk`.', example: 'p-hammer-1' })
  @IsCustomId({ reserved: RESERVED_ITEM_IDS })
  itemId!: string;
}

/** The assignment a path names. */
export function itemKeyOf(params: { segmentId: string; type: ItemType; itemId: string }): ItemKey {
  return { segmentId: params.segmentId, type: params.type, itemId: params.itemId };
}
