import { ApiPropertyOptional } from '@nestjs/swagger';
import { isPlainObject } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import { IsOneOf } from '../../common/dto/body-values';
import { PRODUCT } from '../assignment.types';

/** The optional `ref` of op 16: the reference itself comes from the path. */
export class ReferenceExtrasDto {
  @ApiPropertyOptional({ enum: [PRODUCT], description: 'Implied; when sent it must be PRODUCT.' })
  @IsOptional()
  @IsOneOf([PRODUCT], 'must be PRODUCT', (s) => s.toUpperCase())
  type?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Suite extension: the product name per language; replaces the stored one.',
  })
  @IsOptional()
  @IsObject({ message: 'must be a map of language codes to texts' })
  localizedName?: Record<string, string> | null;
}

/**
 * PUT `/categories/{categoryId}/assignments/references/{referenceId}` (op 16): no body is needed;
 * the suite extension fields of §4.6 are accepted. A `ref` that is not an object is ignored.
 */
export class UpsertReferenceDto {
  @ApiPropertyOptional({ type: ReferenceExtrasDto })
  @ValidateIf((o: UpsertReferenceDto) => isPlainObject(o.ref))
  @ValidateNested()
  @Type(() => ReferenceExtrasDto)
  ref?: ReferenceExtrasDto;

  @ApiPropertyOptional({ type: Boolean, description: 'Suite extension: the publication state of the product; replaces the stored one.' })
  @IsOptional()
  @IsBoolean({ message: 'must be a boolean' })
  published?: boolean | null;
}
