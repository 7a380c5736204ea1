import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const LOCALIZED = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** An event of the catalog (Emporix WebhookEvent). */
export class WebhookEventResponseDto {
  @ApiProperty({ example: 'category.created' })
  type!: string;

  @ApiProperty({ ...LOCALIZED, description: 'Localized name (LOC-3).', example: { en: 'Category created' } })
  name!: Record<string, string>;

  @ApiProperty({ ...LOCALIZED, description: 'Localized group (LOC-3).', example: { en: 'Category' } })
  group!: Record<string, string>;

  @ApiProperty({ ...LOCALIZED, description: 'Localized description: when the event is emitted (LOC-3).' })
  description!: Record<string, string>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Top-level `data` fields → type name (String, Number, Boolean, Map, Object, Array); the fields a subscription may exclude.',
    example: { id: 'String', localizedName: 'Map' },
  })
  eventSchema!: Record<string, string>;
}

/** `metadata` of a subscription (Emporix Metadata); `{}` for an event never subscribed. */
export class SubscriptionMetadataResponseDto {
  @ApiPropertyOptional({ type: Number, minimum: 1 })
  version?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  createdAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  modifiedAt?: string;
}

/** One catalog event with the tenant's subscription to it (Emporix WebhookSubscription). */
export class WebhookSubscriptionResponseDto {
  @ApiProperty({ type: () => WebhookEventResponseDto })
  event!: WebhookEventResponseDto;

  @ApiProperty({ type: () => SubscriptionMetadataResponseDto })
  metadata!: SubscriptionMetadataResponseDto;

  @ApiProperty({ enum: ['SUBSCRIBED', 'UNSUBSCRIBED', 'NONE'], description: '`NONE`: never subscribed.' })
  subscription!: 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NONE';

  @ApiProperty({ type: [String], description: 'Top-level data fields left out of deliveries of this event.' })
  excludedFields!: string[];
}
