import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateTimeWithOffset } from '@suite/api-kit';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The optional body of `POST /webhook/{tenant}/deliveries/replay`: which dead letters to replay (all must match). */
export class ReplayFilterDto {
  @ApiPropertyOptional({ description: 'Only the dead letters of this `eventsConfiguration` entry.' })
  @IsOptional()
  @IsString()
  @MaxLength(256, { message: 'entryId must be at most 256 characters long' })
  entryId?: string;

  @ApiPropertyOptional({ description: 'Only the dead letters of this event type (exact).' })
  @IsOptional()
  @IsString()
  @MaxLength(256, { message: 'eventType must be at most 256 characters long' })
  eventType?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only the dead letters of deliveries created at or after this instant.' })
  @IsOptional()
  @IsDateTimeWithOffset({ message: 'since must be an RFC 3339 date-time such as 2024-06-01T00:00:00Z' })
  since?: string;
}
