import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsMixinSchemas } from '@suite/api-kit';
import { IsInt, IsOptional, Min, ValidateIf } from 'class-validator';

const SCHEMA_LINKS_EXAMPLE = { segmentAttributes: 'https://schemas.example.com/segment-attributes.json' };

/** `metadata` of a create body: schema links only; a `version` is ignored on create (segment §3.1, §1.7). */
export class CreateMetadataDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uri' },
    nullable: true,
    description: 'Mixin name → URL of the JSON schema of that mixin (META-9). `null` means no links.',
    example: SCHEMA_LINKS_EXAMPLE,
  })
  @IsOptional()
  @IsMixinSchemas()
  mixins?: Record<string, string> | null;
}

/**
 * `metadata` of an update body: `version` is never stored, only the optimistic-lock precondition
 * (META-4, META-5); `mixins` are the schema links (META-9).
 */
export class MetadataInputDto extends CreateMetadataDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    description: 'The version the update expects (META-5); `409 version_conflict` when the stored one differs.',
    example: 1,
  })
  // A precondition of `null` is no version at all; it is refused like any non-integer instead of
  // being compared (a 409) or dropped (an unconditional write the client did not ask for).
  @ValidateIf((o: MetadataInputDto) => o.version !== undefined)
  @IsInt({ message: 'metadata.version must be an integer' })
  @Min(0)
  version?: number;
}
