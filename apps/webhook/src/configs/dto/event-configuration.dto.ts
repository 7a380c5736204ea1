import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateDetails } from '@suite/api-kit';
import { IsDefined, IsOptional, IsString } from 'class-validator';
import {
  activeProblems,
  CONFIG_LIMITS,
  destinationUrlProblems,
  eventTypeProblems,
  excludedFieldsProblems,
  filterProblems,
  headersProblems,
  nameProblems,
  secretKeyProblems,
} from '../config-rules';
import type { HttpHeaders } from '../webhook-config.types';

/** The OpenAPI form of `headers` (Emporix HttpHeadersConfig). */
export const HEADERS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { value: { type: 'string' } }, required: ['value'] },
  description:
    `Header name → {"value": "..."}; at most ${CONFIG_LIMITS.headersPerLevel} per level. Names are HTTP tokens other than the ` +
    'delivery’s own (Host, Content-Length, Content-Type, Transfer-Encoding, Connection, emporix-event-*, ce-*); values are single-line.',
  example: { 'X-Api-Key': { value: 'abc' } },
};

/** One `eventsConfiguration` entry as written (Emporix EventConfiguration). */
export class EventConfigurationDto {
  @ApiPropertyOptional({
    description: 'Server-generated UUID. Omit on create (400 otherwise); on replace, ids must name existing entries (README "Entry ids").',
    format: 'uuid',
  })
  @IsOptional()
  @IsString({ message: 'id must be a string' })
  id?: string;

  @ApiPropertyOptional({ maxLength: CONFIG_LIMITS.nameLength, description: 'A label; no effect on delivery.' })
  @IsOptional()
  @ValidateDetails('name', nameProblems)
  name?: string;

  @ApiProperty({
    description: 'A type of the event catalog, in any letter case; several entries may share one.',
    example: 'category.created',
  })
  @IsDefined({ message: 'eventType is required' })
  @ValidateDetails('eventType', eventTypeProblems)
  eventType!: string;

  @ApiPropertyOptional({
    description: 'Overrides the root destinationUrl (README "Destinations").',
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
    description: 'Write-only HMAC key (overrides the root one). Absent on a replace: the stored one is kept; null: removed.',
  })
  @IsOptional()
  @ValidateDetails('secretKey', secretKeyProblems)
  secretKey?: string | null;

  @ApiPropertyOptional(HEADERS_SCHEMA)
  @IsOptional()
  @ValidateDetails('headers', headersProblems)
  headers?: HttpHeaders;

  @ApiPropertyOptional({
    description: 'JsonPath predicate (README "Filters"); empty or absent matches every event.',
    example: "$[?(@.status == 'ACTIVE')]",
  })
  @IsOptional()
  @ValidateDetails('filter', filterProblems)
  filter?: string;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: 'Top-level data fields left out for this entry; null or absent: the subscription’s excludedFields apply; [] none.',
  })
  @ValidateDetails('excludedFields', excludedFieldsProblems)
  @IsOptional()
  excludedFields?: string[] | null;

  @ApiPropertyOptional({ default: true, description: 'false: events for this entry are dropped without delivery.' })
  @IsOptional()
  @ValidateDetails('active', activeProblems)
  active?: boolean;
}
