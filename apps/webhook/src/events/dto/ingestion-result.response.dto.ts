import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One event of an ingestion request that was not stored, and why. */
export class RejectedEventDto {
  @ApiProperty({ description: 'Zero-based position of the event in the request.', example: 3 })
  index!: number;

  @ApiPropertyOptional({ description: "The event's `id` as sent, when it sent a string.", example: '0a4cbe7a-8d1b-4a53-9d4e-6f0e1f7a3c21' })
  id?: string;

  @ApiProperty({
    description: 'Every problem of the event, `<attribute>: <problem>` joined by `; `.',
    example: "source: must be '/coupon' for this publisher",
  })
  message!: string;
}

/**
 * The outcome of `POST /webhook/{tenant}/events` (README "Ingestion"): every event of the request
 * is counted exactly once, in `accepted`, `duplicates` or `rejected`.
 */
export class IngestionResultDto {
  @ApiProperty({ description: 'Events stored for the first time.', example: 2 })
  accepted!: number;

  @ApiProperty({ description: 'Events stored before (the same `id`, in an earlier request or earlier in this one): nothing new stored.' })
  duplicates!: number;

  @ApiProperty({
    type: RejectedEventDto,
    isArray: true,
    description: 'Events that will never be accepted as sent: the publisher marks them done and logs them at error level.',
  })
  rejected!: RejectedEventDto[];
}
