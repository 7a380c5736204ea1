import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomId } from '@suite/api-kit';
import { IsDefined, IsOptional, IsString } from 'class-validator';
import { AssignmentBodyDto } from '../../common/dto/assignment-body.dto';
import { RESERVED_CUSTOMER_IDS } from './customer-assignment-params.dto';

/** The optional body of `PUT …/customers/{customerId}[/{legalEntityId}]` (segment §3.15, §3.18). */
export class ReplaceCustomerAssignmentDto extends AssignmentBodyDto {}

/** One element of `PUT …/customers/bulk` (segment §3.20); without `legalEntityId` it is B2C. */
export class BulkReplaceCustomerAssignmentDto extends AssignmentBodyDto {
  @ApiProperty({ description: 'The customer (ID-3); `bulk` only together with a legal entity.', example: 'c-100' })
  @IsDefined({ message: 'customerId is required' })
  @IsCustomId({ reserved: (o) => ((o as BulkReplaceCustomerAssignmentDto).legalEntityId === undefined ? RESERVED_CUSTOMER_IDS : []) })
  customerId!: string;

  @ApiPropertyOptional({ description: 'The legal entity of a B2B assignment (ID-3).', example: 'le-1' })
  @IsOptional()
  @IsCustomId()
  legalEntityId?: string;
}

/** One element of `DELETE …/customers/bulk` (segment §3.21); ids that cannot exist are deleted already. */
export class CustomerAssignmentKeyDto {
  @ApiProperty({ example: 'c-100' })
  @IsDefined({ message: 'customerId is required' })
  @IsString({ message: 'customerId must be a string' })
  customerId!: string;

  @ApiPropertyOptional({ example: 'le-1' })
  @IsOptional()
  @IsString({ message: 'legalEntityId must be a string' })
  legalEntityId?: string;
}
