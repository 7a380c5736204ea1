import { ApiPropertyOptional } from '@nestjs/swagger';
import { NestedObject } from '@suite/api-kit';
import { Allow, IsOptional } from 'class-validator';
import { IsCount } from '../../common/dto/body-values';
import { CategoryFieldsDto, CreateCategoryMetadataDto } from './create-category.dto';

/** `metadata` of a PUT body: the optional lock of §4.5 besides the schema links. */
export class ReplaceCategoryMetadataDto extends CreateCategoryMetadataDto {
  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    description: 'Optional lock: the version the client read (409 when stale, §4.5); ignored on PUT-create.',
  })
  @IsOptional()
  @IsCount('must be a non-negative integer', 'invalid_type')
  version?: number | null;
}

/** PUT `/categories/{categoryId}` (op 6): the whole category; absent optional fields are cleared. */
export class ReplaceCategoryDto extends CategoryFieldsDto {
  /** Checked against the path id by a request rule (any value but the path id is a 400). */
  @ApiPropertyOptional({ type: String, description: 'Ignored when equal to the path id; any other value is a 400.' })
  @Allow()
  id?: unknown;

  @NestedObject(() => ReplaceCategoryMetadataDto, { message: 'must be an object' })
  metadata?: ReplaceCategoryMetadataDto | null;
}
