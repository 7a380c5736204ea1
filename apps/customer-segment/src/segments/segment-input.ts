import { ApiError, ErrorDetail, assertCustomId, validateMixinSchemas, validateMixins } from '@suite/api-kit';
import { ContentLanguage, LocalizedInput, LocalizedMap, TenantLanguages, mergeLocalized, readLocalized } from '../common/localization';
import { isPlainObject, validateDto } from '../common/validate-dto';
import { SegmentBodyDto } from './dto/segment-body.dto';
import { RESERVED_SEGMENT_IDS, SegmentState, SegmentStatus } from './segment.types';

/** A validated segment body; localized fields still in LOC-4 form until merged with the stored ones. */
export interface SegmentInput {
  id?: string;
  name: LocalizedInput;
  description?: LocalizedInput;
  validity?: { from?: Date; to?: Date };
  status: SegmentStatus;
  siteCode: string;
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  /** The optimistic-lock precondition of an update (META-5); ignored on create. */
  expectedVersion?: number;
}

export interface SegmentInputContext {
  languages: TenantLanguages;
  contentLanguage: ContentLanguage;
  /** Create: a body `id` is a custom id (ID-3); upsert: the path id, a differing body id is a 400 (ERR-7). */
  mode: 'create' | 'upsert';
  pathId?: string;
  /** Bulk PUT elements must carry `id` (segment §3.9). */
  requireId?: boolean;
}

/**
 * Validates one segment body (segment §2.1) and reports every problem at once (ERR-6): DTO rules,
 * localized maps against the tenant languages and Content-Language (LOC-4), validity order,
 * mixins (META-8, META-9) and the custom id (ID-3). Throws `400 validation_failed`.
 */
export function parseSegmentInput(raw: unknown, ctx: SegmentInputContext): SegmentInput {
  if (raw === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'a request body is required' }]);
  if (!isPlainObject(raw)) throw ApiError.validation([{ type: 'invalid_type', message: 'the segment must be a JSON object' }]);
  const { value: dto, details } = validateDto(SegmentBodyDto, ctx.mode === 'create' ? withoutMetadataVersion(raw) : raw);
  const problems: ErrorDetail[] = [...details];
  const name = dto.name === undefined || dto.name === null ? undefined : readLocalized(dto.name, 'name', ctx.contentLanguage, ctx.languages, problems, { requireEntry: true });
  const description = dto.description === undefined || dto.description === null ? undefined : readLocalized(dto.description, 'description', ctx.contentLanguage, ctx.languages, problems);
  if (name?.kind === 'single' && name.value === '') problems.push({ field: 'name', type: 'missing_value', message: 'name must not be empty' });

  let validity: SegmentInput['validity'];
  if (dto.validity && !problems.some((d) => d.field?.startsWith('validity'))) {
    const from = dto.validity.from === undefined || dto.validity.from === null ? undefined : new Date(dto.validity.from);
    const to = dto.validity.to === undefined || dto.validity.to === null ? undefined : new Date(dto.validity.to);
    if (from && to && from.getTime() > to.getTime()) problems.push({ field: 'validity', type: 'invalid_value', message: 'validity.from must not be after validity.to' });
    validity = from || to ? { ...(from ? { from } : {}), ...(to ? { to } : {}) } : undefined;
  }
  if (dto.mixins !== undefined && dto.mixins !== null) problems.push(...validateMixins(dto.mixins));
  if (dto.metadata?.mixins !== undefined) problems.push(...validateMixinSchemas(dto.metadata.mixins));

  let id: string | undefined;
  if (ctx.mode === 'create') {
    if (typeof dto.id === 'string') id = checkedId(dto.id, 'id', problems);
  } else {
    if (ctx.pathId !== undefined && dto.id !== undefined && dto.id !== ctx.pathId) {
      problems.push({ field: 'id', type: 'invalid_value', message: 'id must equal the segment id of the path' });
    }
    if (ctx.pathId === undefined) {
      if (dto.id === undefined) problems.push({ field: 'id', type: 'missing_value', message: 'id is required' });
      else if (typeof dto.id === 'string') id = checkedId(dto.id, 'id', problems);
    } else id = ctx.pathId;
  }
  if (problems.length) throw ApiError.validation(problems);
  return {
    id,
    name: name!,
    description,
    validity,
    status: (dto.status as SegmentStatus | undefined) ?? 'INACTIVE',
    siteCode: dto.siteCode,
    mixins: (dto.mixins as Record<string, unknown> | undefined) ?? undefined,
    // `null` is no links, like every optional property sent as null (HTTP-11).
    metadataMixins: (dto.metadata?.mixins ?? undefined) as Record<string, string> | undefined,
    expectedVersion: ctx.mode === 'upsert' ? dto.metadata?.version : undefined,
  };
}

/** §3.1/§1.7: `metadata.version` is ignored on create, so it is not validated there either. */
function withoutMetadataVersion(raw: Record<string, unknown>): Record<string, unknown> {
  if (!isPlainObject(raw.metadata) || !('version' in raw.metadata)) return raw;
  const { version: _ignored, ...metadata } = raw.metadata;
  return { ...raw, metadata };
}

function checkedId(id: string, field: string, problems: ErrorDetail[]): string | undefined {
  try {
    assertCustomId(id, field, { reserved: RESERVED_SEGMENT_IDS });
    return id;
  } catch (e) {
    if (e instanceof ApiError) problems.push(...e.details);
    else throw e;
    return undefined;
  }
}

/** Path ids of upserts (ID-3): malformed `400 invalid_format`, reserved `400 invalid_value`. */
export function assertSegmentPathId(id: string, field = 'segmentId'): void {
  assertCustomId(id, field, { reserved: RESERVED_SEGMENT_IDS });
}

/** True when the stored translations are needed to apply the input (a string under LOC-5). */
export function needsStoredTranslations(input: SegmentInput): boolean {
  return input.name.kind === 'single' || input.description?.kind === 'single';
}

/** The state to store: LOC-5 merges of string inputs into the stored maps, the rest replaced (PUT is a full replace). */
export function stateFrom(input: SegmentInput, stored?: { name?: LocalizedMap; description?: LocalizedMap }): SegmentState {
  const state: SegmentState = { name: mergeLocalized(input.name, stored?.name), status: input.status, siteCode: input.siteCode };
  if (input.description) state.description = mergeLocalized(input.description, stored?.description);
  if (input.validity) state.validity = input.validity;
  if (input.mixins !== undefined) state.mixins = input.mixins;
  if (input.metadataMixins !== undefined && Object.keys(input.metadataMixins).length) state.metadataMixins = input.metadataMixins;
  return state;
}
