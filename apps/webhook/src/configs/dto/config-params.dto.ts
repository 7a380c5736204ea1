import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanQuery, TenantParamsDto } from '@suite/api-kit';
import { IsString } from 'class-validator';

/** `{tenant}` and `{code}` of a config path; only `http` ever exists. */
export class ConfigParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The config type: `http` (the Svix codes are not available in this suite).', example: 'http' })
  @IsString()
  code!: string;
}

/** The query of `DELETE .../config/{code}`. */
export class DeleteConfigQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: '`true` allows deleting an active config.' })
  @IsBooleanQuery()
  force?: boolean;
}
