import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomId } from '@suite/api-kit';
import { IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { Transform } from 'class-transformer';
import { integerText } from '@suite/api-kit';

/** `POST /imports`: what the job imports. */
export class CreateImportDto {
  @ApiProperty({ enum: ['profiles', 'members'], description: 'Profile lines, or member lines of one segment.' })
  @IsDefined({ message: 'kind is required' })
  @IsIn(['profiles', 'members'], { message: 'kind must be profiles or members' })
  kind!: 'profiles' | 'members';

  @ApiPropertyOptional({
    description: 'The segment the member lines join (required for `members`, refused for `profiles`).',
    example: 'seg-gold',
  })
  @ValidateIf((o: CreateImportDto) => o.kind === 'members' || o.segmentId !== undefined)
  @IsDefined({ message: 'segmentId is required for a members import' })
  @IsCustomId()
  segmentId?: string;
}

/** `POST /imports/{importId}/lines`: where the lines of this part start. */
export class ImportLinesQueryDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    description:
      'The number of the first line of this part (1-based); left out, the import’s `nextLine`. ' +
      'Lines before `nextLine` are not applied again.',
  })
  @Transform(integerText)
  @IsOptional()
  @IsInt({ message: 'from must be an integer' })
  @Min(1, { message: 'from must be at least 1' })
  @Max(1e12)
  from?: number;
}

export class ImportResponseDto {
  @ApiProperty({ example: '6752a1f0c3e4b5a6d7e8f901' })
  id!: string;

  @ApiProperty({ enum: ['profiles', 'members'] })
  kind!: string;

  @ApiPropertyOptional({ example: 'seg-gold' })
  segmentId?: string;

  @ApiProperty({ description: 'The number of the next line to send (1-based).' })
  nextLine!: number;

  @ApiProperty({ description: 'Lines applied.' })
  applied!: number;

  @ApiProperty({ description: 'Lines refused (their results said why).' })
  failed!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  modifiedAt!: string;
}
