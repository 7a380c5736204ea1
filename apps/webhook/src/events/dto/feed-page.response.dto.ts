import { ApiProperty } from '@nestjs/swagger';
import { CloudEventDto } from './cloud-event.dto';

/** One page of the pull feed (README "Event feed"). */
export class FeedPageDto {
  @ApiProperty({ type: CloudEventDto, isArray: true, description: 'The envelopes as the services published them, oldest position first.' })
  events!: CloudEventDto[];

  @ApiProperty({
    description: 'Where the next read continues (`after`); always present, unchanged when nothing new was visible.',
    example: 'ZmVlZDoxMjM',
  })
  cursor!: string;
}
