import { IsDefined, IsOptional, IsString } from 'class-validator';
import { AssignmentBodyDto } from '../../common/assignment-body';

/** One element of PUT /customers/bulk (segment §3.20); without `legalEntityId` it is B2C. */
export class CustomerBulkItemDto extends AssignmentBodyDto {
  @IsDefined({ message: 'customerId is required' })
  @IsString({ message: 'customerId must be a string' })
  customerId!: string;

  @IsOptional()
  @IsString({ message: 'legalEntityId must be a string' })
  legalEntityId?: string;
}

/** One element of DELETE /customers/bulk (segment §3.21). */
export class CustomerKeyDto {
  @IsDefined({ message: 'customerId is required' })
  @IsString({ message: 'customerId must be a string' })
  customerId!: string;

  @IsOptional()
  @IsString({ message: 'legalEntityId must be a string' })
  legalEntityId?: string;
}
