import { ApiProperty } from '@nestjs/swagger';
import { CUSTOM_ID_PATTERN, TenantParamsDto } from '@suite/api-kit';
import { IsString, Matches } from 'class-validator';
import { CategoryParamsDto } from '../../categories/dto/category-params.dto';

// Ids in read and delete paths that break their pattern name nothing: a 404 of the operation
// (§4.6, ID-3). Only the upsert by reference creates with its path id, so only it checks it.

/** `/{tenant}/categories/{categoryId}/assignments/{assignmentId}` (op 18). */
export class AssignmentParamsDto extends CategoryParamsDto {
  @ApiProperty({ description: 'The assignment id.', example: '4a5c3b9e-1f2d-4c8b-9a7e-2f1d3c4b5a6e' })
  @IsString()
  assignmentId!: string;
}

/** `/{tenant}/categories/{categoryId}/assignments/references/{referenceId}` (op 17). */
export class CategoryReferenceParamsDto extends CategoryParamsDto {
  @ApiProperty({ description: 'The referenced product id.', example: 'p-1' })
  @IsString()
  referenceId!: string;
}

/** The same path for the upsert (op 16): the reference id is written, so it follows ID-3. */
export class UpsertReferenceParamsDto extends CategoryParamsDto {
  @ApiProperty({
    description: 'The referenced product id (1 to 128 URL-safe characters, ID-3).',
    pattern: CUSTOM_ID_PATTERN.source,
    example: 'p-1',
  })
  @Matches(CUSTOM_ID_PATTERN, { message: 'must be 1 to 128 URL-safe characters', context: { type: 'invalid_format' } })
  referenceId!: string;
}

/** `/{tenant}/assignments/references/{referenceId}` (ops 19, 20). */
export class ReferenceParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The referenced product id.', example: 'p-1' })
  @IsString()
  referenceId!: string;
}
