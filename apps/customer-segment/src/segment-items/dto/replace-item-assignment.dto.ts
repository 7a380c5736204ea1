import { ApiProperty } from '@nestjs/swagger';
import { IsCustomId } from '@suite/api-kit';
import { IsDefined } from 'class-validator';
import { AssignmentBodyDto } from '../../common/dto/assignment-body.dto';
import { RESERVED_ITEM_IDS } from './item-assignment-params.dto';

/** The optional body of `PUT …/items/{type}/{itemId}` (segment §3.27). */
export class ReplaceItemAssignmentDto extends AssignmentBodyDto {}

/** One element of `PUT …/items/{type}/bulk` (segment §3.29): the item id plus the upsert body. */
export class BulkReplaceItemAssignmentDto extends AssignmentBodyDto {
  @ApiProperty({ description: 'The product or category id (ID-3); not `bulk`.', example: 'p-hammer-1' })
  @IsDefined({ message: 'id is required' })
  @IsCustomId({ reserved: RESERVED_ITEM_IDS })
  id!: string;
}
