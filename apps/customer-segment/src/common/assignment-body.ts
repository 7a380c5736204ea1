import { ApiError, ErrorDetail, validateMixinSchemas, validateMixins } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { Allow, IsInt, IsObject, IsOptional, Min, ValidateIf, ValidateNested } from 'class-validator';
import { isPlainObject, validateDto } from './validate-dto';

/**
 * `metadata` in every write body of this service (segments and assignments): `version` is never
 * stored, only the optimistic-lock precondition (META-4, META-5); `mixins` are schema links checked
 * by validateMixinSchemas (META-9).
 */
export class MetadataInputDto {
  // A precondition of `null` is no version at all; it is refused like any non-integer instead of
  // being compared (a 409) or dropped (an unconditional write the client did not ask for).
  @ValidateIf((o: MetadataInputDto) => o.version !== undefined)
  @IsInt({ message: 'metadata.version must be an integer' })
  @Min(0)
  version?: number;

  @IsOptional()
  @IsObject({ message: 'metadata.mixins must be an object' })
  mixins?: Record<string, unknown>;
}

/** Body of the assignment upserts (segment §3.15, §3.27); also the base of their bulk elements. */
export class AssignmentBodyDto {
  @IsOptional()
  @Allow()
  mixins?: unknown;

  @IsOptional()
  @IsObject({ message: 'metadata must be an object' })
  @ValidateNested()
  @Type(() => MetadataInputDto)
  metadata?: MetadataInputDto;
}

/** What an assignment upsert writes: mixins replaced in full (META-10), optional version precondition. */
export interface AssignmentInput {
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  expectedVersion?: number;
}

/**
 * Validates an assignment body or bulk element against `cls` (an {@link AssignmentBodyDto}
 * subclass) and the mixin rules (META-8, META-9). An absent body means `{}` when `optional`.
 * Every problem is reported at once; throws `400 validation_failed`.
 */
export function parseAssignmentBody<T extends AssignmentBodyDto>(
  raw: unknown,
  cls: new () => T,
  options: { optional?: boolean; extra?: (dto: T, problems: ErrorDetail[]) => void } = {},
): { dto: T; input: AssignmentInput } {
  if (raw === undefined && options.optional) raw = {};
  if (raw === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'a request body is required' }]);
  if (!isPlainObject(raw)) throw ApiError.validation([{ type: 'invalid_type', message: 'the body must be a JSON object' }]);
  const { value: dto, details } = validateDto(cls, raw);
  const problems: ErrorDetail[] = [...details];
  if (dto.mixins !== undefined && dto.mixins !== null) problems.push(...validateMixins(dto.mixins));
  if (dto.metadata?.mixins !== undefined) problems.push(...validateMixinSchemas(dto.metadata.mixins));
  options.extra?.(dto, problems);
  if (problems.length) throw ApiError.validation(problems);
  const input: AssignmentInput = {};
  if (dto.mixins !== undefined && dto.mixins !== null) input.mixins = dto.mixins as Record<string, unknown>;
  const links = dto.metadata?.mixins as Record<string, string> | undefined;
  if (links && Object.keys(links).length) input.metadataMixins = links;
  if (dto.metadata?.version !== undefined) input.expectedVersion = dto.metadata.version;
  return { dto, input };
}
