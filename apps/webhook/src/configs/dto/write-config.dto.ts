import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NestedObject } from '@suite/api-kit';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { HttpConfigurationDto } from './http-configuration.dto';

/** Codes and providers Emporix knows; only `http`/`HTTP` is served here (the others are refused with a clear 400). */
export const CONFIG_CODES = ['http', 'svix', 'svix_shared'] as const;
export const PROVIDERS = ['HTTP', 'SVIX', 'SVIX_SHARED'] as const;

/** `metadata` of a replace body: only `version`, an optional precondition (META-5); the dates are read-only. */
export class ConfigVersionDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, description: 'When given, the stored version must equal it (409 otherwise).' })
  @IsOptional()
  @IsInt({ message: 'metadata.version must be an integer' })
  @Min(1, { message: 'metadata.version must be at least 1' })
  version?: number;
}

/** What a create and a replace share (Emporix AbstractWebhookConfig with `configuration`). */
abstract class ConfigBodyDto {
  @ApiProperty({ enum: PROVIDERS, description: 'HTTP; the Svix providers are not available in this suite (400).' })
  @IsDefined({ message: 'provider is required' })
  @IsIn(PROVIDERS, { message: 'provider must be HTTP' })
  provider!: (typeof PROVIDERS)[number];

  @ApiPropertyOptional({ default: true, description: 'Whether events are delivered (default true).' })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @NestedObject(() => HttpConfigurationDto, { message: 'configuration must be an object' })
  configuration?: HttpConfigurationDto;

  @NestedObject(() => ConfigVersionDto, {
    message: 'metadata must be an object',
    doc: { description: 'Suite extension: optimistic locking.' },
  })
  metadata?: ConfigVersionDto;
}

/** The body of `PUT /webhook/{tenant}/config/{code}` (Emporix WebhookConfigUpdate). */
export class ReplaceConfigDto extends ConfigBodyDto {
  @ApiPropertyOptional({ enum: CONFIG_CODES, description: 'Read-only: when given it must be the path’s code.' })
  @IsOptional()
  @IsString({ message: 'code must be a string' })
  code?: string;
}

/** The body of `POST /webhook/{tenant}/config` (Emporix WebhookConfigCreation). */
export class CreateConfigDto extends ConfigBodyDto {
  @ApiProperty({ enum: CONFIG_CODES, description: '`http`; the Svix codes are not available in this suite (400).', example: 'http' })
  @IsDefined({ message: 'code is required' })
  @IsIn(CONFIG_CODES, { message: 'code must be http' })
  code!: string;
}
