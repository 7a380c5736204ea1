import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsOptional, IsString, ValidateNested } from 'class-validator';

export class MatchItemDto {
  @IsDefined({ message: 'id is required' })
  @IsString({ message: 'id must be a string' })
  id!: string;
}

/** Segment §3.11: the site as `siteCode` (public example) or `site` (public schema). */
export class MatchBodyDto {
  @IsOptional()
  @IsString({ message: 'siteCode must be a string' })
  siteCode?: string;

  @IsOptional()
  @IsString({ message: 'site must be a string' })
  site?: string;

  @IsDefined({ message: 'items is required' })
  @IsArray({ message: 'items must be an array' })
  @ValidateNested({ each: true })
  @Type(() => MatchItemDto)
  items!: MatchItemDto[];

  @IsDefined({ message: 'segmentIds is required' })
  @IsArray({ message: 'segmentIds must be an array' })
  @IsString({ each: true, message: 'segmentIds must hold strings' })
  segmentIds!: string[];
}
