import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsCustomId, IsDateTimeWithOffset, IsMixins, NestedObject } from '@suite/api-kit';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MetadataInputDto } from '../../common/dto/metadata-input.dto';

/** Money: a non-negative amount (at most 10^15) in an ISO 4217 currency. */
export class MoneyDto {
  @ApiProperty({ minimum: 0, example: 749.5 })
  @IsDefined({ message: 'amount is required' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'amount must be a number' })
  @Min(0)
  @Max(1e15)
  amount!: number;

  @ApiProperty({ description: 'ISO 4217, upper case.', example: 'EUR' })
  @IsDefined({ message: 'currency is required' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code in upper case' })
  currency!: string;
}

/** The built-in attributes (README "Shopper profiles"); `null` is the same as left out. */
export class ProfileAttributesDto {
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2, upper case.', example: 'DE' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code in upper case' })
  country?: string | null;

  @ApiPropertyOptional({ description: 'The domain of the shopper’s e-mail address, lower case.', example: 'example.com' })
  @IsOptional()
  @MaxLength(253)
  @Matches(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, {
    message: 'emailDomain must be a domain name in lower case',
  })
  emailDomain?: string | null;

  @ApiPropertyOptional({ minimum: 0, example: 12 })
  @IsOptional()
  @IsInt({ message: 'orderCount must be an integer' })
  @Min(0)
  @Max(1e9)
  orderCount?: number | null;

  @NestedObject(() => MoneyDto, { message: 'totalSpent must be an object', doc: { description: 'What the shopper spent in all.' } })
  totalSpent?: MoneyDto | null;

  @ApiPropertyOptional({ description: 'Date-time with offset (ISO 8601).', example: '2026-11-30T10:15:00Z' })
  @IsOptional()
  @IsDateTimeWithOffset()
  lastOrderAt?: string | null;

  @ApiPropertyOptional({
    type: [String],
    description: 'At most 100 tags of 1 to 64 characters; duplicates are stored once.',
    example: ['vip'],
  })
  @IsOptional()
  @IsArray({ message: 'tags must be an array of strings' })
  @ArrayMaxSize(100)
  @IsString({ each: true, message: 'each tag must be a string' })
  @Length(1, 64, { each: true, message: 'each tag must have 1 to 64 characters' })
  tags?: string[] | null;
}

/** The body of `PUT /profiles/{customerId}[/{legalEntityId}]` and `PUT /guest-profiles/{sessionId}`: a full replace. */
export class ProfileBodyDto {
  @NestedObject(() => ProfileAttributesDto, { message: 'attributes must be an object' })
  attributes?: ProfileAttributesDto | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Mixins (META-8): free data other systems push in, mixin name → JSON object; replaced in full (META-10).',
    example: { loyalty: { tier: 'gold' } },
  })
  @IsOptional()
  @IsMixins()
  mixins?: Record<string, unknown> | null;

  @NestedObject(() => MetadataInputDto, { message: 'metadata must be an object' })
  metadata?: MetadataInputDto;
}

/** One element of `PUT /profiles/bulk`: a customer (`customerId`, optional `legalEntityId`) or a guest (`sessionId`). */
export class BulkProfileDto extends ProfileBodyDto {
  @ApiPropertyOptional({ description: 'The customer (ID-3); not together with `sessionId`.', example: 'c-100' })
  @IsOptional()
  @IsCustomId()
  customerId?: string;

  @ApiPropertyOptional({ description: 'The legal entity of a B2B profile (ID-3).', example: 'le-1' })
  @IsOptional()
  @IsCustomId()
  legalEntityId?: string;

  @ApiPropertyOptional({ description: 'A guest’s session id, the `sid` of its tokens (ID-3); not together with `customerId`.' })
  @IsOptional()
  @IsCustomId()
  sessionId?: string;
}

/** The body of `POST /guest-profiles/{sessionId}/merge`: the customer the guest signed in as. */
export class MergeGuestProfileDto {
  @ApiProperty({ description: 'The customer (ID-3).', example: 'c-100' })
  @IsDefined({ message: 'customerId is required' })
  @IsCustomId()
  customerId!: string;

  @ApiPropertyOptional({ description: 'The legal entity, for a B2B customer (ID-3).', example: 'le-1' })
  @IsOptional()
  @IsCustomId()
  legalEntityId?: string;
}
