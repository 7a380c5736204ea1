import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * A CloudEvents 1.0 envelope in structured JSON mode (conventions EVT-1), as the services' outboxes
 * store it. Documentation of ingestion's elements and the feed's events: ingestion judges each
 * element itself (README "Ingestion"), so that one bad event does not refuse the batch.
 */
export class CloudEventDto {
  @ApiProperty({ enum: ['1.0'] })
  specversion!: '1.0';

  @ApiProperty({ format: 'uuid', description: 'Lowercase UUID; the deduplication key.', example: '0a4cbe7a-8d1b-4a53-9d4e-6f0e1f7a3c21' })
  id!: string;

  @ApiProperty({ enum: ['/customer-segment', '/category', '/coupon'], description: 'The publishing service.' })
  source!: string;

  @ApiProperty({ description: 'An EVT-2 type of the source.', example: 'customer-segment.segment-updated' })
  type!: string;

  @ApiProperty({ description: 'Id (or path-like key) of the affected entity.', example: '628cd20c6e8b2432b6346ca6' })
  subject!: string;

  @ApiProperty({ format: 'date-time', example: '2024-06-01T08:30:00.000Z' })
  time!: string;

  @ApiPropertyOptional({ enum: ['application/json'] })
  datacontenttype?: string;

  @ApiProperty({ description: 'The tenant; must be the tenant of the path.', example: 'acme' })
  tenant!: string;

  @ApiPropertyOptional({ description: "The entity's version after the change." })
  entityversion?: number;

  @ApiPropertyOptional({ enum: ['service', 'employee', 'customer', 'anonymous'] })
  actortype?: string;

  @ApiPropertyOptional()
  actorid?: string;

  @ApiPropertyOptional({ description: 'X-Request-Id of the causing request.' })
  requestid?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The Emporix-shaped payload (EVT-3).' })
  data!: Record<string, unknown>;
}
