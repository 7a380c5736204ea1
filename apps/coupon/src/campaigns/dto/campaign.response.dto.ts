import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CAMPAIGN_STATUSES, CampaignStatus } from '../campaign.types';
import { CampaignTemplateDto } from './create-campaign.dto';

export class CodePatternResponseDto {
  @ApiPropertyOptional({ description: 'Upper case.', example: 'SPRING-' })
  prefix?: string;

  @ApiPropertyOptional({ description: 'Upper case.' })
  suffix?: string;

  @ApiProperty({ type: 'integer', example: 8 })
  length!: number;

  @ApiProperty({ example: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789' })
  alphabet!: string;
}

export class CampaignFailureDto {
  @ApiProperty({ example: 'code_space_exhausted' })
  type!: string;

  @ApiProperty()
  message!: string;
}

export class CampaignMetadataResponseDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Starts at 0, +1 per status change; progress does not change it.' })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'The last status change.' })
  modifiedAt!: string;
}

/** A code campaign: the job and its progress. */
export class CampaignResponseDto {
  @ApiProperty({ description: '24 lowercase hex characters.', example: '665f1c2b9a0e4d3f2a1b0c9d' })
  id!: string;

  @ApiPropertyOptional({ example: 'Spring mailing 2025' })
  name?: string;

  @ApiProperty({
    enum: [...CAMPAIGN_STATUSES],
    description:
      'RUNNING while codes are made; COMPLETED with exactly `requested` coupons; FAILED when the pattern ran out of free codes; ' +
      'DELETING, then DELETED, after a delete.',
  })
  status!: CampaignStatus;

  @ApiProperty({ type: 'integer', example: 10000 })
  requested!: number;

  @ApiProperty({ type: 'integer', description: 'Coupons made so far (progress); equals `requested` once COMPLETED.', example: 4000 })
  created!: number;

  @ApiProperty({ type: () => CodePatternResponseDto })
  codePattern!: CodePatternResponseDto;

  @ApiProperty({ type: () => CampaignTemplateDto, description: 'The template with the defaults of §3.1 applied.' })
  template!: Record<string, unknown>;

  @ApiPropertyOptional({ type: () => CampaignFailureDto, description: 'Why a FAILED campaign stopped.' })
  failure?: CampaignFailureDto;

  @ApiPropertyOptional({ format: 'date-time' })
  completedAt?: string;

  @ApiProperty({ type: () => CampaignMetadataResponseDto })
  metadata!: CampaignMetadataResponseDto;
}
