import { IsDefined, IsString } from 'class-validator';
import { AssignmentBodyDto } from '../../common/assignment-body';

/** One element of PUT /items/{type}/bulk (segment §3.29): the item id plus the upsert body. */
export class ItemBulkItemDto extends AssignmentBodyDto {
  @IsDefined({ message: 'id is required' })
  @IsString({ message: 'id must be a string' })
  id!: string;
}
