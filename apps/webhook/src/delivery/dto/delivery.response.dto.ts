import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DELIVERY_STATES, DeliveryState } from '../delivery.types';

/** One attempt of a delivery. */
export class DeliveryAttemptDto {
  @ApiProperty({ format: 'date-time', description: 'When the request was started.' })
  at!: string;

  @ApiProperty({ description: 'From the start of the request to its end, in milliseconds.' })
  durationMs!: number;

  @ApiProperty({ description: 'The URL the attempt went to.' })
  url!: string;

  @ApiPropertyOptional({ description: 'The status the receiver answered.' })
  statusCode?: number;

  @ApiPropertyOptional({ description: 'Why the attempt failed: the status, a timeout, a refused connection, the destination policy.' })
  error?: string;

  @ApiPropertyOptional({ description: 'The first 200 characters of a non-2xx answer.' })
  responseExcerpt?: string;

  @ApiProperty({ type: [String], description: 'The names of the headers sent; values are never shown (they may hold credentials).' })
  headerNames!: string[];
}

/** A delivery as the log lists it. */
export class DeliverySummaryDto {
  @ApiProperty({ description: '32 lowercase hex characters.' })
  id!: string;

  @ApiProperty({ description: 'The event (`ce-id`).' })
  eventId!: string;

  @ApiProperty({ description: 'The event type (`ce-type`).' })
  eventType!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "The `eventsConfiguration` entry; null for the config's root `destinationUrl`.",
  })
  entryId!: string | null;

  @ApiProperty({ description: 'The destination (the current one of its target, once it is attempted).' })
  url!: string;

  @ApiProperty({ enum: DELIVERY_STATES })
  state!: DeliveryState;

  @ApiProperty({ description: 'Attempts made so far.' })
  attemptCount!: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the next attempt is due (PENDING only).' })
  nextAttemptAt?: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it reached its final state; it is removed 7 days later.' })
  completedAt?: string;

  @ApiPropertyOptional({ description: 'Why it was cancelled or dead-lettered.' })
  reason?: string;

  @ApiPropertyOptional({ type: DeliveryAttemptDto, description: 'The last attempt.' })
  lastAttempt?: DeliveryAttemptDto;

  @ApiPropertyOptional({ description: 'The delivery this one replays.' })
  replayOf?: string;

  @ApiPropertyOptional({ description: 'The replay that superseded this one.' })
  replayedBy?: string;
}

/** A delivery with everything but secrets: its body and its kept attempts. */
export class DeliveryResponseDto extends DeliverySummaryDto {
  @ApiProperty({ description: 'The event time (`ce-time`).' })
  eventTime!: string;

  @ApiProperty({ description: 'The exact body sent (JSON text); the signature is computed over these bytes.' })
  body!: string;

  @ApiProperty({ type: [DeliveryAttemptDto], description: 'The last 20 attempts, oldest first.' })
  attempts!: DeliveryAttemptDto[];

  @ApiPropertyOptional({ format: 'date-time', description: 'When it was replayed.' })
  replayedAt?: string;
}

/** The answer of a bulk replay. */
export class ReplayResultDto {
  @ApiProperty({ description: 'Dead letters replayed: each has a new PENDING delivery.' })
  replayed!: number;

  @ApiProperty({ description: 'Dead letters left as they are: their target is gone or inactive now.' })
  skipped!: number;

  @ApiProperty({ description: 'Whether more matching dead letters are left (at most 1000 are looked at per request).' })
  more!: boolean;
}
