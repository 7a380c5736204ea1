import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateDetails } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, ValidateNested } from 'class-validator';
import { CONFIG_LIMITS, destinationUrlProblems, headersProblems, secretKeyProblems } from '../config-rules';
import type { HttpHeaders } from '../webhook-config.types';
import { EventConfigurationDto, HEADERS_SCHEMA } from './event-configuration.dto';

/** `configuration` of an `http` config as written (Emporix HttpConfig). */
export class HttpConfigurationDto {
  @ApiPropertyOptional({
    description: 'Where events go unless an entry says otherwise (README "Destinations").',
    example: 'https://erp.example.com/hooks',
  })
  @IsOptional()
  @ValidateDetails('destinationUrl', destinationUrlProblems)
  destinationUrl?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: CONFIG_LIMITS.secretKeyLength,
    description:
      'Write-only HMAC-SHA256 key of the emporix-event-signature header. Absent on a replace: the stored one is kept; null: removed.',
  })
  @IsOptional()
  @ValidateDetails('secretKey', secretKeyProblems)
  secretKey?: string | null;

  @ApiPropertyOptional(HEADERS_SCHEMA)
  @IsOptional()
  @ValidateDetails('headers', headersProblems)
  headers?: HttpHeaders;

  @ApiPropertyOptional({ type: () => [EventConfigurationDto], maxItems: CONFIG_LIMITS.entries })
  @IsOptional()
  @IsArray({ message: 'eventsConfiguration must be an array' })
  @ArrayMaxSize(CONFIG_LIMITS.entries, { message: `eventsConfiguration may have at most ${CONFIG_LIMITS.entries} entries` })
  @ValidateNested({ each: true })
  @Type(() => EventConfigurationDto)
  eventsConfiguration?: EventConfigurationDto[];
}
