import { IsDateTimeWithOffset } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { Allow, IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { SEGMENT_STATUSES } from '../segment.types';
import { MetadataInputDto } from '../../common/assignment-body';

export class ValidityDto {
  @IsOptional()
  @IsDateTimeWithOffset()
  from?: string;

  @IsOptional()
  @IsDateTimeWithOffset()
  to?: string;
}

/**
 * The body of POST/PUT /segments and of each bulk element (segment §2.1, §3.1, §3.5). `name` and
 * `description` are localized (map or string, LOC-4) and checked with the Content-Language
 * header by the service; unknown properties are dropped (ERR-7).
 */
export class SegmentBodyDto {
  @IsOptional()
  @IsString({ message: 'id must be a string' })
  id?: string;

  @IsDefined({ message: 'name is required' })
  @Allow()
  name!: unknown;

  @IsOptional()
  @Allow()
  description?: unknown;

  @IsOptional()
  @IsObject({ message: 'validity must be an object' })
  @ValidateNested()
  @Type(() => ValidityDto)
  validity?: ValidityDto;

  // Left out means INACTIVE (§2.1); `null` is not left out but a value, and no valid one.
  @ValidateIf((o: SegmentBodyDto) => o.status !== undefined)
  @IsIn(SEGMENT_STATUSES as string[], { message: 'status must be ACTIVE or INACTIVE' })
  status?: string;

  @IsDefined({ message: 'siteCode is required' })
  @IsString({ message: 'siteCode must be a string' })
  @IsNotEmpty({ message: 'siteCode must not be empty' })
  siteCode!: string;

  @IsOptional()
  @Allow()
  mixins?: unknown;

  @IsOptional()
  @IsObject({ message: 'metadata must be an object' })
  @ValidateNested()
  @Type(() => MetadataInputDto)
  metadata?: MetadataInputDto;
}
