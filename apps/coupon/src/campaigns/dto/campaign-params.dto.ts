import { ApiProperty } from '@nestjs/swagger';
import { TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';

/** `{tenant}` and `{campaignId}`; an id outside the format cannot exist (404). */
export class CampaignParamsDto extends TenantParamsDto {
  @ApiProperty({ description: '24 lowercase hex characters.', example: '665f1c2b9a0e4d3f2a1b0c9d' })
  @IsString()
  campaignId!: string;
}
