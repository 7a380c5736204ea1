import { ApiPropertyOptional } from '@nestjs/swagger';
import { integerText } from '@suite/api-kit';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';
import { decodeCursor } from '../feed-cursor';
import { canonicalEventType, typeListEntries } from '../feed-event-types';
import { FEED_PAGE_SIZE } from '../feed-settings';

const blankIsAbsent = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const PAGE_SIZE_RANGE = `pageSize must be between ${FEED_PAGE_SIZE.min} and ${FEED_PAGE_SIZE.max}`;

/** The query of `GET /webhook/{tenant}/events` (README "Event feed"). */
export class FeedQueryDto {
  @ApiPropertyOptional({
    description: 'The `cursor` of the previous page; absent (or empty) to start at the oldest event kept.',
    example: 'ZmVlZDoxMjM',
  })
  @Transform(blankIsAbsent)
  @IsOptional()
  @IsString({ message: 'after must be a cursor returned by the feed' })
  @ValidateBy(
    {
      name: 'isFeedCursor',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && decodeCursor(v) !== undefined,
        defaultMessage: () => 'after must be a cursor returned by the feed',
      },
    },
    { context: { type: 'invalid_value' } },
  )
  after?: string;

  @ApiPropertyOptional({
    description: 'Only events of these types: a comma-separated list, any letter case.',
    example: 'category.created,category.updated',
  })
  @Transform(blankIsAbsent)
  @IsOptional()
  @IsString({ message: 'type must be a comma-separated list of event types' })
  @ValidateBy(
    {
      name: 'isEventTypeList',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' && typeListEntries(v).length > 0 && typeListEntries(v).every((t) => canonicalEventType(t) !== undefined),
        defaultMessage: (args) => {
          const unknown = typeof args?.value === 'string' ? typeListEntries(args.value).filter((t) => !canonicalEventType(t)) : [];
          return unknown.length ? `unknown event type: ${unknown.join(', ')}` : 'type must name at least one event type';
        },
      },
    },
    { context: { type: 'invalid_value' } },
  )
  type?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: FEED_PAGE_SIZE.min,
    maximum: FEED_PAGE_SIZE.max,
    default: FEED_PAGE_SIZE.default,
    description: `Events per page, ${FEED_PAGE_SIZE.min} to ${FEED_PAGE_SIZE.max}.`,
  })
  @Transform(integerText)
  @IsOptional()
  @IsInt({ message: 'pageSize must be an integer' })
  @Min(FEED_PAGE_SIZE.min, { message: PAGE_SIZE_RANGE })
  @Max(FEED_PAGE_SIZE.max, { message: PAGE_SIZE_RANGE })
  pageSize?: number;
}
