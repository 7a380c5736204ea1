import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomId } from '@suite/api-kit';
import { IsOptional } from 'class-validator';

/** Whom `GET /segments/{segmentId}/explanation` explains: `customerId` (and `legalEntityId` for B2B) or `sessionId`. */
export class ExplanationQueryDto {
  @ApiPropertyOptional({ description: 'The customer (ID-3).', example: 'c-100' })
  @IsOptional()
  @IsCustomId()
  customerId?: string;

  @ApiPropertyOptional({ description: 'The legal entity of a B2B customer (ID-3).', example: 'le-1' })
  @IsOptional()
  @IsCustomId()
  legalEntityId?: string;

  @ApiPropertyOptional({ description: 'A guest’s session id (ID-3); not together with `customerId`.' })
  @IsOptional()
  @IsCustomId()
  sessionId?: string;
}

/** A manual exclude as listed. */
export class ExclusionResponseDto {
  @ApiProperty({ example: 'c-100' })
  customerId!: string;

  @ApiPropertyOptional({ example: 'le-1' })
  legalEntityId?: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class RuleEvaluationResponseDto {
  @ApiProperty({ example: 'seg-de' })
  segmentId!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The rule applied; null when the rule was removed.' })
  rule!: string | null;

  @ApiProperty({ enum: ['RUNNING', 'DONE'] })
  state!: string;

  @ApiProperty({ description: 'Customer profiles evaluated so far.' })
  processed!: number;

  @ApiProperty({ description: 'Customer profiles of the tenant when the evaluation started (at least `processed`).' })
  total!: number;

  @ApiProperty({ description: 'Memberships the evaluation created.' })
  added!: number;

  @ApiProperty({ description: 'Memberships the evaluation ended.' })
  removed!: number;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;
}

export class ExplanationResponseDto {
  @ApiProperty({ example: 'seg-de' })
  segmentId!: string;

  @ApiPropertyOptional({ example: 'c-100' })
  customerId?: string;

  @ApiPropertyOptional({ example: 'le-1' })
  legalEntityId?: string;

  @ApiPropertyOptional()
  sessionId?: string;

  @ApiProperty({ description: 'Whether the customer is a member (has an assignment to the segment).' })
  member!: boolean;

  @ApiProperty({ description: 'Member, and the segment is effectively active now (segment §2.1): what storefront reads show.' })
  effective!: boolean;

  @ApiProperty({ type: String, nullable: true, enum: ['MANUAL', 'AUTOMATIC', null], description: 'The assignment’s type, or null.' })
  assignmentType!: string | null;

  @ApiProperty({ description: 'Whether a manual exclude keeps the segment’s rule from making the customer a member.' })
  excluded!: boolean;

  @ApiProperty({ description: 'Whether a profile is stored for the customer or guest.' })
  profileFound!: boolean;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description:
      '`{source, held, explanation}` with the clause tree (each clause: field, condition, the profile’s value, held); null without a rule.',
  })
  rule!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: '`{status, validity?, activeNow}` of the segment.' })
  segment!: Record<string, unknown>;

  @ApiProperty({ type: [String], description: 'Why, in words, most decisive first.' })
  reasons!: string[];
}
