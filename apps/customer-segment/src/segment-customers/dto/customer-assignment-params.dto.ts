import { ApiProperty } from '@nestjs/swagger';
import { IsCustomId, TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';
import { CustomerKey } from '../customer-assignment.types';

/** Segment §1.7, §1.11: `bulk` is a literal path segment beside the B2C `{customerId}`. */
export const RESERVED_CUSTOMER_IDS = ['bulk'];

const SEGMENT_ID = 'The segment id (ID-3).';
const CUSTOMER_ID = 'The customer id (ID-3).';
const LEGAL_ENTITY_ID = 'The legal entity of a B2B assignment (ID-3).';

/**
 * `{segmentId}` of the customer lists and bulks: any text; an id that cannot exist is an unknown
 * segment (`404`).
 */
export class SegmentCustomersParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SEGMENT_ID, example: 'seg-gold' })
  @IsString()
  segmentId!: string;
}

/** A B2C assignment to read or delete: ids that cannot exist are `404` or an idempotent `204`. */
export class CustomerAssignmentParamsDto extends SegmentCustomersParamsDto {
  @ApiProperty({ description: CUSTOMER_ID, example: 'c-100' })
  @IsString()
  customerId!: string;
}

/** A B2B assignment to read or delete. */
export class B2bCustomerAssignmentParamsDto extends CustomerAssignmentParamsDto {
  @ApiProperty({ description: LEGAL_ENTITY_ID, example: 'le-1' })
  @IsString()
  legalEntityId!: string;
}

/** A B2C assignment to upsert: the client names it, so ID-3 applies (`400`). */
export class CustomerAssignmentWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SEGMENT_ID, example: 'seg-gold' })
  @IsCustomId()
  segmentId!: string;

  @ApiProperty({ description: `${CUSTOMER_ID} Not \`bulk\`.`, example: 'c-100' })
  @IsCustomId({ reserved: RESERVED_CUSTOMER_IDS })
  customerId!: string;
}

/** A B2B assignment to upsert. */
export class B2bCustomerAssignmentWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SEGMENT_ID, example: 'seg-gold' })
  @IsCustomId()
  segmentId!: string;

  @ApiProperty({ description: CUSTOMER_ID, example: 'c-200' })
  @IsCustomId()
  customerId!: string;

  @ApiProperty({ description: LEGAL_ENTITY_ID, example: 'le-1' })
  @IsCustomId()
  legalEntityId!: string;
}

/** The assignment a path names: B2C without `{legalEntityId}` (segment §2.3). */
export function customerKeyOf(params: { segmentId: string; customerId: string; legalEntityId?: string }): CustomerKey {
  return { segmentId: params.segmentId, customerId: params.customerId, legalEntityId: params.legalEntityId ?? null };
}
