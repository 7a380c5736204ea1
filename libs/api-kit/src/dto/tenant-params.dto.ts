import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { TENANT_PATTERN } from '../domain/tenant';

/** The `{tenant}` path parameter of every operation; the tenant guard has matched it with the token (TEN-1, TEN-2). */
export class TenantParamsDto {
  @ApiProperty({ description: 'The tenant, as in the access token (TEN-1).', example: 'acme', pattern: TENANT_PATTERN.source })
  @IsString()
  tenant!: string;
}
