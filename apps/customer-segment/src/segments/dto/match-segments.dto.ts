import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsOptional, IsString, ValidateBy, ValidateNested, ValidationArguments } from 'class-validator';

export class MatchItemDto {
  @ApiProperty({ description: 'A product id.', example: 'p-hammer-1' })
  @IsDefined({ message: 'id is required' })
  @IsString({ message: 'id must be a string' })
  id!: string;
}

export const nonEmptyText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * The body of `POST /segments/match` (segment §3.11, §9). The site comes as `siteCode` (public
 * example) or `site` (public schema); both may be sent only when equal.
 */
export class MatchSegmentsDto {
  @ApiPropertyOptional({ description: 'The site; required unless `site` is sent.', example: 'main' })
  // No @IsOptional: the "site given" rule must also run when siteCode is left out.
  @ValidateBy(
    {
      name: 'optionalString',
      validator: {
        validate: (v: unknown) => v === undefined || v === null || typeof v === 'string',
        defaultMessage: () => 'siteCode must be a string',
      },
    },
    { context: { type: 'invalid_type' } },
  )
  @ValidateBy(
    {
      name: 'siteGiven',
      validator: {
        // A `site` of the wrong type is its own problem; the site is then not missing as well.
        validate: (_v: unknown, args?: ValidationArguments) => {
          const o = args?.object as MatchSegmentsDto;
          return (
            nonEmptyText(o.siteCode) || nonEmptyText(o.site) || (o.site !== undefined && o.site !== null && typeof o.site !== 'string')
          );
        },
        defaultMessage: () => 'siteCode (or site) is required and must not be empty',
      },
    },
    { context: { type: 'missing_value' } },
  )
  siteCode?: string;

  @ApiPropertyOptional({
    description: 'The site, as the public schema names it; must equal `siteCode` when both are sent.',
    example: 'main',
  })
  @IsOptional()
  @IsString({ message: 'site must be a string' })
  @ValidateBy(
    {
      name: 'sameSite',
      validator: {
        validate: (site: unknown, args?: ValidationArguments) => {
          const siteCode = (args?.object as MatchSegmentsDto).siteCode;
          return typeof site !== 'string' || typeof siteCode !== 'string' || site === siteCode;
        },
        defaultMessage: () => 'site and siteCode must be equal when both are sent',
      },
    },
    { context: { type: 'invalid_value' } },
  )
  site?: string;

  @ApiProperty({ type: () => [MatchItemDto], description: 'The products to match.' })
  @IsDefined({ message: 'items is required' })
  @IsArray({ message: 'items must be an array' })
  @ValidateNested({ each: true })
  @Type(() => MatchItemDto)
  items!: MatchItemDto[];

  @ApiProperty({ type: [String], description: 'The segments to match against; only active ones of the site count.', example: ['seg-gold'] })
  @IsDefined({ message: 'segmentIds is required' })
  @IsArray({ message: 'segmentIds must be an array' })
  @IsString({ each: true, message: 'segmentIds must hold strings' })
  segmentIds!: string[];
}

/** One matched product. */
export class MatchedItemResponseDto {
  @ApiProperty({ example: 'p-hammer-1' })
  id!: string;
}
