import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CUSTOM_ID_PATTERN, NestedObject } from '@suite/api-kit';
import { IsBoolean, IsDefined, IsObject, IsOptional, Matches } from 'class-validator';
import { IsOneOf } from '../../common/dto/body-values';
import { PRODUCT } from '../assignment.types';

// The assignment bodies of §4.6 and §7. `ref.localizedName` follows LOC-4 with maps only; its keys
// need the tenant's languages and `Content-Language`, so they are a request rule of the route.

const ID_MESSAGE = `must match ${CUSTOM_ID_PATTERN.source}`;
const MAP_MESSAGE = 'must be a map of language codes to texts';
const TYPE_MESSAGE = 'must be PRODUCT';
const upper = (s: string) => s.toUpperCase();

/** What every `ref` of an assignment body has: the product and its optional name. */
export abstract class AssignmentRefFieldsDto {
  @ApiProperty({
    type: String,
    pattern: CUSTOM_ID_PATTERN.source,
    description: 'The product id (ID-3: it also appears in paths).',
    example: 'p-1',
  })
  @IsDefined({ message: ID_MESSAGE })
  @Matches(CUSTOM_ID_PATTERN, { message: ID_MESSAGE, context: { type: 'invalid_format' } })
  id!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Suite extension: the product name per language (§4.6).',
  })
  @IsOptional()
  @IsObject({ message: MAP_MESSAGE })
  localizedName?: Record<string, string> | null;
}

/** `ref` of ops 12 and 14: the type is required. */
export class AssignmentRefDto extends AssignmentRefFieldsDto {
  @ApiProperty({ enum: [PRODUCT], description: 'The only reference type; any letter case.' })
  @IsDefined({ message: 'must not be null' })
  @IsOneOf([PRODUCT], TYPE_MESSAGE, upper)
  type!: string;
}

/** `ref` of a bulk upsert element (op 15): the type is implied. */
export class UpsertAssignmentRefDto extends AssignmentRefFieldsDto {
  @ApiPropertyOptional({ enum: [PRODUCT], description: 'Implied; when sent it must be PRODUCT.' })
  @IsOptional()
  @IsOneOf([PRODUCT], TYPE_MESSAGE, upper)
  type?: string | null;
}

/** An assignment body: a `ref` of the given kind, then the publication state of the product. */
function AssignmentBody<R extends AssignmentRefFieldsDto>(refType: new () => R) {
  abstract class AssignmentBodyDto {
    @NestedObject(() => refType, { required: true, message: 'must not be null' })
    ref!: R;

    @ApiPropertyOptional({ type: Boolean, default: true, description: 'Suite extension: the publication state of the product.' })
    @IsOptional()
    @IsBoolean({ message: 'must be a boolean' })
    published?: boolean | null;
  }
  return AssignmentBodyDto;
}

/** POST `/categories/{categoryId}/assignments` (op 12) and one element of op 14. */
export class CreateAssignmentDto extends AssignmentBody(AssignmentRefDto) {}

/** One element of PUT `/categories/{categoryId}/assignments/references/bulk` (op 15). */
export class UpsertAssignmentDto extends AssignmentBody(UpsertAssignmentRefDto) {}
