import { ApiPropertyOptional } from '@nestjs/swagger';
import { PagingQueryDto } from '@suite/api-kit';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DELIVERY_STATES, DeliveryState } from '../delivery.types';

const emptyIsAbsent = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The query of `GET /webhook/{tenant}/deliveries`: paging and exact-match filters (all must match). */
export class ListDeliveriesQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ description: 'Only the deliveries of this event (its CloudEvents `id`, sent as `ce-id`).' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(256, { message: 'eventId must be at most 256 characters long' })
  eventId?: string;

  @ApiPropertyOptional({ description: 'Only the deliveries to this `eventsConfiguration` entry.' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(256, { message: 'entryId must be at most 256 characters long' })
  entryId?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: 'Only the deliveries in this state (`FAILED`: the dead letters).' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(DELIVERY_STATES, { message: `state must be one of ${DELIVERY_STATES.join(', ')}` })
  state?: DeliveryState;

  @ApiPropertyOptional({ description: 'Only the deliveries of this event type (exact, as sent in `ce-type`).' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(256, { message: 'eventType must be at most 256 characters long' })
  eventType?: string;
}
