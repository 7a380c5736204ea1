import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { IsCustomId, IsDateTimeWithOffset, IsMixins, NestedObject, isDateTimeWithOffset } from '@suite/api-kit';
import { Allow, IsDefined, IsIn, IsNotEmpty, IsOptional, IsString, ValidateBy, ValidateIf } from 'class-validator';
import { CreateMetadataDto } from '../../common/dto/metadata-input.dto';
import { RESERVED_SEGMENT_IDS, SEGMENT_STATUSES, SegmentStatus } from '../segment.types';

/** A localized value in a request (LOC-4): a map of language to text, or one text under `Content-Language`. */
export type LocalizedInputValue = string | Record<string, string>;

/** How OpenAPI shows a localized input. */
export const LOCALIZED_INPUT: ApiPropertyOptions = {
  oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
};

export class ValidityDto {
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    description: 'First moment the segment counts (inclusive).',
    example: '2024-01-01T00:00:00.000Z',
  })
  @IsOptional()
  @IsDateTimeWithOffset()
  from?: string | null;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    description: 'Last moment the segment counts (inclusive).',
    example: '2099-12-31T23:59:59.000Z',
  })
  @IsOptional()
  @IsDateTimeWithOffset()
  to?: string | null;
}

/** Segment §2.1: `validity.from` must not be after `validity.to`; judged once both are valid dates. */
function ValidityInOrder(): PropertyDecorator {
  return ValidateBy(
    {
      name: 'validityInOrder',
      validator: {
        validate: (v: unknown) => {
          const { from, to } = (v ?? {}) as ValidityDto;
          if (!isDateTimeWithOffset(from) || !isDateTimeWithOffset(to)) return true;
          return new Date(from).getTime() <= new Date(to).getTime();
        },
        defaultMessage: () => 'validity.from must not be after validity.to',
      },
    },
    { context: { type: 'invalid_value' } },
  );
}

/**
 * The fields of a segment body (segment §2.1), shared by every write direction. `name` and
 * `description` are localized: their keys are judged against the tenant's languages and
 * `Content-Language` by the service (segment-state.ts). Unknown properties are dropped (ERR-7).
 */
export abstract class SegmentFieldsDto {
  @ApiProperty({
    ...LOCALIZED_INPUT,
    description: 'Localized name (LOC-4); a text is stored under the Content-Language or default language.',
    example: { en: 'Gold customers' },
  })
  @IsDefined({ message: 'name is required' })
  @Allow()
  name!: LocalizedInputValue;

  @ApiPropertyOptional({
    ...LOCALIZED_INPUT,
    nullable: true,
    description: 'Localized description (LOC-4).',
    example: { en: 'Top spenders' },
  })
  @IsOptional()
  @Allow()
  description?: LocalizedInputValue | null;

  @NestedObject(() => ValidityDto, { message: 'validity must be an object', doc: { nullable: true } })
  @ValidityInOrder()
  validity?: ValidityDto | null;

  @ApiPropertyOptional({ enum: SEGMENT_STATUSES, default: 'INACTIVE', description: 'Left out means INACTIVE; `null` is refused.' })
  // Left out means INACTIVE (§2.1); `null` is not left out but a value, and no valid one.
  @ValidateIf((o: SegmentFieldsDto) => o.status !== undefined)
  @IsIn(SEGMENT_STATUSES as SegmentStatus[], { message: 'status must be ACTIVE or INACTIVE' })
  status?: SegmentStatus;

  @ApiProperty({ description: 'The site the segment belongs to.', example: 'main' })
  @IsDefined({ message: 'siteCode is required' })
  @IsString({ message: 'siteCode must be a string' })
  @IsNotEmpty({ message: 'siteCode must not be empty' })
  siteCode!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Mixins (META-8): mixin name → JSON object.',
    example: { loyalty: { tier: 2 } },
  })
  @IsOptional()
  @IsMixins()
  mixins?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Suite extension (README "Rule-based segments"): a `q` expression over shopper profiles; the customers whose ' +
      'profile satisfies it are members (AUTOMATIC assignments) besides the manual ones. `null` or left out: no rule.',
    example: 'attributes.country:DE attributes.totalSpent.amount:>500',
  })
  @IsOptional()
  @IsString({ message: 'rule must be a string' })
  rule?: string | null;
}

/** The body of `POST /segments` and of each `POST /segments/bulk` element (segment §3.1, §3.8). */
export class CreateSegmentDto extends SegmentFieldsDto {
  @ApiPropertyOptional({ description: 'A custom id (ID-3); left out, a 24-character hex id is generated (ID-2).', example: 'seg-gold' })
  @IsOptional()
  @IsCustomId({ reserved: RESERVED_SEGMENT_IDS })
  id?: string;

  @NestedObject(() => CreateMetadataDto, {
    message: 'metadata must be an object',
    doc: { description: 'Schema links; a `version` is ignored on create (§3.1).' },
  })
  metadata?: CreateMetadataDto;
}
