import { ApiProperty } from '@nestjs/swagger';
import { IsCustomId, TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';
import type { ProfileKey } from '../profile.types';

/** `bulk` is a literal path segment beside the B2C `{customerId}`. */
export const RESERVED_PROFILE_IDS = ['bulk'];

const CUSTOMER_ID = 'The customer id (ID-3).';
const LEGAL_ENTITY_ID = 'The legal entity of a B2B customer (ID-3).';
const SESSION_ID = 'The guest’s session id: the `sid` its anonymous tokens carry (ID-3).';

/** A B2C profile to read or delete: an id that cannot exist is `404` or an idempotent `204`. */
export class ProfileParamsDto extends TenantParamsDto {
  @ApiProperty({ description: CUSTOMER_ID, example: 'c-100' })
  @IsString()
  customerId!: string;
}

/** A B2B profile to read or delete. */
export class B2bProfileParamsDto extends ProfileParamsDto {
  @ApiProperty({ description: LEGAL_ENTITY_ID, example: 'le-1' })
  @IsString()
  legalEntityId!: string;
}

/** A B2C profile to write: the client names it, so ID-3 applies (`400`). */
export class ProfileWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: `${CUSTOMER_ID} Not \`bulk\`.`, example: 'c-100' })
  @IsCustomId({ reserved: RESERVED_PROFILE_IDS })
  customerId!: string;
}

/** A B2B profile to write. */
export class B2bProfileWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: CUSTOMER_ID, example: 'c-200' })
  @IsCustomId()
  customerId!: string;

  @ApiProperty({ description: LEGAL_ENTITY_ID, example: 'le-1' })
  @IsCustomId()
  legalEntityId!: string;
}

/** A guest profile to read or delete. */
export class GuestProfileParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SESSION_ID, example: '6f1c2a40-3b7e-4c55-9f0e-2d8e1b7a9c10' })
  @IsString()
  sessionId!: string;
}

/** A guest profile to write or merge. */
export class GuestProfileWriteParamsDto extends TenantParamsDto {
  @ApiProperty({ description: SESSION_ID, example: '6f1c2a40-3b7e-4c55-9f0e-2d8e1b7a9c10' })
  @IsCustomId()
  sessionId!: string;
}

/** The profile a customer path names: B2C without `{legalEntityId}`. */
export function customerProfileKey(params: { customerId: string; legalEntityId?: string }): ProfileKey {
  return { kind: 'customer', customerId: params.customerId, legalEntityId: params.legalEntityId ?? null };
}
