import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';
import type { HttpHeaders } from '../webhook-config.types';
import { HEADERS_SCHEMA } from './event-configuration.dto';

/** An entry as read (Emporix ConfigurationGet item): never the secret, always `id` and `active`. */
export class EventConfigurationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiPropertyOptional()
  name?: string;

  @ApiProperty({ example: 'category.created', description: 'As written.' })
  eventType!: string;

  @ApiPropertyOptional()
  destinationUrl?: string;

  @ApiProperty({ description: 'Whether the entry has its own secretKey.' })
  secretKeyExists!: boolean;

  @ApiPropertyOptional(HEADERS_SCHEMA)
  headers?: HttpHeaders;

  @ApiPropertyOptional()
  filter?: string;

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'As stored: absent or null inherit the subscription’s.' })
  excludedFields?: string[] | null;

  @ApiProperty()
  active!: boolean;
}

/** `configuration` as read (Emporix ConfigurationGet): `secretKeyExists` instead of `secretKey`. */
export class HttpConfigurationResponseDto {
  @ApiPropertyOptional()
  destinationUrl?: string;

  @ApiProperty({ description: 'Whether a root secretKey is stored.' })
  secretKeyExists!: boolean;

  @ApiPropertyOptional(HEADERS_SCHEMA)
  headers?: HttpHeaders;

  @ApiProperty({ type: () => [EventConfigurationResponseDto] })
  eventsConfiguration!: EventConfigurationResponseDto[];
}

/** A config as read. */
export class ConfigResponseDto {
  @ApiProperty({ example: 'http' })
  code!: string;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ enum: ['HTTP'] })
  provider!: string;

  @ApiProperty({ type: () => HttpConfigurationResponseDto })
  configuration!: HttpConfigurationResponseDto;

  @ApiProperty({ type: () => MetadataResponseDto, description: 'Suite extension: version and times (META-1).' })
  metadata!: MetadataResponseDto;
}

/** The answer of a create (Emporix CreateConfigResponse). */
export class CreatedConfigResponseDto {
  @ApiProperty({ example: 'http' })
  code!: string;
}
