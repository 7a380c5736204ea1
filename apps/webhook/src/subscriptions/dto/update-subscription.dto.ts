import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NestedObject, ValidateDetails } from '@suite/api-kit';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { fieldNamesProblems } from '../../configs/config-rules';

/** `metadata` of an update item: the version precondition (Emporix MetadataForUpdate). */
export class SubscriptionVersionDto {
  @ApiPropertyOptional({ type: Number, minimum: 1, description: 'The stored version; absent or 1 for an event never subscribed.' })
  @IsOptional()
  @IsInt({ message: 'metadata.version must be an integer' })
  @Min(1, { message: 'metadata.version must be at least 1' })
  version?: number;
}

/** One item of `PATCH /webhook/{tenant}/event-subscriptions` (Emporix WebhookSubscriptionUpdateItem). */
export class UpdateSubscriptionItemDto {
  @ApiProperty({ description: 'A type of the event catalog, in any letter case.', example: 'category.created' })
  @IsString({ message: 'eventType must be a string' })
  eventType!: string;

  @ApiPropertyOptional({
    enum: ['SUBSCRIBE', 'UNSUBSCRIBE'],
    description: 'Required for an event never subscribed; otherwise absent keeps the status.',
  })
  @IsOptional()
  @IsIn(['SUBSCRIBE', 'UNSUBSCRIBE'], { message: 'action must be SUBSCRIBE or UNSUBSCRIBE' })
  action?: 'SUBSCRIBE' | 'UNSUBSCRIBE';

  @NestedObject(() => SubscriptionVersionDto, { message: 'metadata must be an object' })
  metadata?: SubscriptionVersionDto;

  @ApiPropertyOptional({
    type: [String],
    description: 'Top-level fields of the event’s eventSchema to leave out (added to excludedFields).',
  })
  @IsOptional()
  @ValidateDetails('fieldsToUnsubscribe', fieldNamesProblems)
  fieldsToUnsubscribe?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Fields to deliver again (removed from excludedFields).' })
  @IsOptional()
  @ValidateDetails('fieldsToSubscribe', fieldNamesProblems)
  fieldsToSubscribe?: string[];
}

/** The result of one item (Emporix UpdateSubscriptionResponse), in request order. */
export class UpdateSubscriptionResultDto {
  @ApiProperty({ description: 'As sent.' })
  eventType!: string;

  @ApiProperty({ example: 200, description: '200, or the item’s 400, 404 or 409.' })
  code!: number;

  @ApiProperty({ example: 'OK', description: 'OK, BAD_REQUEST, NOT_FOUND, CONFLICT (Emporix’s spelling).' })
  status!: string;

  @ApiPropertyOptional({ description: 'Suite extension: the error code of a failed item (ERR-3).', example: 'version_conflict' })
  errorCode?: string;

  @ApiPropertyOptional()
  message?: string;
}
