import { ApiProperty } from '@nestjs/swagger';
import { TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';

/** `{tenant}` and `{deliveryId}` of a delivery path; an unknown or malformed id finds nothing (404). */
export class DeliveryParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The delivery id: 32 lowercase hex characters.', example: '3f9a0c1e5b7d4a2c8e6f1b3d5a7c9e0f' })
  @IsString()
  deliveryId!: string;
}
