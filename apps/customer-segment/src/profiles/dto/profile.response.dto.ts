import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MetadataResponseDto } from '@suite/api-kit';

export class MoneyResponseDto {
  @ApiProperty({ example: 749.5 })
  amount!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;
}

/** The stored attributes; those never set are left out. */
export class ProfileAttributesResponseDto {
  @ApiPropertyOptional({ example: 'DE' })
  country?: string;

  @ApiPropertyOptional({ example: 'example.com' })
  emailDomain?: string;

  @ApiPropertyOptional({ example: 12 })
  orderCount?: number;

  @ApiPropertyOptional({ type: () => MoneyResponseDto })
  totalSpent?: MoneyResponseDto;

  @ApiPropertyOptional({ example: '2026-11-30T10:15:00.000Z' })
  lastOrderAt?: string;

  @ApiPropertyOptional({ type: [String], example: ['vip'] })
  tags?: string[];
}

/** A profile as returned: `customerId` (and `legalEntityId` for B2B) or `sessionId` for a guest. */
export class ProfileResponseDto {
  @ApiPropertyOptional({ example: 'c-100' })
  customerId?: string;

  @ApiPropertyOptional({ example: 'le-1' })
  legalEntityId?: string;

  @ApiPropertyOptional({ description: 'Guests only.' })
  sessionId?: string;

  @ApiProperty({ type: () => ProfileAttributesResponseDto })
  attributes!: ProfileAttributesResponseDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { loyalty: { tier: 'gold' } } })
  mixins?: Record<string, unknown>;

  @ApiProperty({ type: () => MetadataResponseDto })
  metadata!: MetadataResponseDto;
}
