import {
  ApiError,
  ContentLanguage,
  ErrorDetail,
  LocalizedMap,
  LocalizedUpdate,
  applyLocalizedUpdate,
  isPlainObject,
  normalizeLocalizedInput,
  parseContentLanguage,
  RuleInput,
  validateAll,
  validateDto,
} from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { compileRule } from '../rules/profile-rule';
import { SegmentFieldsDto } from './dto/create-segment.dto';
import { SegmentContent, SegmentState } from './segment.types';

/** A validated segment body; localized fields as LOC-5 updates until merged with the stored ones. */
export interface SegmentInput extends SegmentContent<LocalizedUpdate> {
  id?: string;
  metadataMixins?: Record<string, string>;
  /** The optimistic-lock precondition of an update (META-5); create bodies carry none. */
  expectedVersion?: number;
}

/** A segment body of any direction, after its DTO rules. */
export type SegmentBody = SegmentFieldsDto & {
  id?: string | null;
  metadata?: { mixins?: Record<string, string> | null; version?: number };
};

export interface SegmentInputContext {
  languages: readonly string[];
  contentLanguage: ContentLanguage;
  /** Upserts: the path id, which a body `id` must equal (ERR-7). */
  pathId?: string;
}

/**
 * The rules of a segment body that need the request: its localized values against the tenant's
 * languages and `Content-Language` (LOC-4; the customer-segment contract reports each offending
 * key), and a body `id` against the path id (ERR-7). Everything else was judged by the DTO (the
 * pipe, or `validateDto` for bulk elements and patch results). Throws `400 validation_failed`.
 */
export function readSegmentInput(body: SegmentBody, ctx: SegmentInputContext): SegmentInput {
  const problems: ErrorDetail[] = [];
  const localized = (value: unknown, field: string, requireEntry: boolean): LocalizedUpdate | undefined => {
    if (value === undefined || value === null) return undefined;
    const r = normalizeLocalizedInput(value, field, ctx.contentLanguage, ctx.languages, {
      allowString: true,
      keyDetails: true,
      requireEntry,
    });
    if (r.ok) return r.update;
    problems.push(...r.details);
    return undefined;
  };
  const name = localized(body.name, 'name', true);
  const description = localized(body.description, 'description', false);
  if (name?.kind === 'set' && name.value === '') problems.push({ field: 'name', type: 'missing_value', message: 'name must not be empty' });
  if (typeof body.rule === 'string') {
    try {
      compileRule(body.rule);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      problems.push(...e.details);
    }
  }
  if (ctx.pathId !== undefined && body.id !== undefined && body.id !== ctx.pathId) {
    problems.push({ field: 'id', type: 'invalid_value', message: 'id must equal the segment id of the path' });
  }
  if (problems.length) throw ApiError.validation(problems);
  const from = body.validity?.from ? new Date(body.validity.from) : undefined;
  const to = body.validity?.to ? new Date(body.validity.to) : undefined;
  const input: SegmentInput = {
    id: ctx.pathId ?? body.id ?? undefined,
    name: name!,
    status: body.status ?? 'INACTIVE',
    siteCode: body.siteCode,
  };
  if (description) input.description = description;
  if (from || to) input.validity = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  if (body.mixins !== undefined && body.mixins !== null) input.mixins = body.mixins;
  if (typeof body.rule === 'string') input.rule = body.rule;
  // `null` is no links, like every optional property sent as null (HTTP-11).
  if (body.metadata?.mixins) input.metadataMixins = body.metadata.mixins;
  if (body.metadata?.version !== undefined) input.expectedVersion = body.metadata.version;
  return input;
}

/**
 * A segment document that did not pass the pipe (a bulk element, the result of a JSON Patch):
 * the DTO of its direction through `validateDto`, then {@link readSegmentInput}, every problem
 * at once (ERR-6).
 */
export function readSegmentDocument(dto: new () => SegmentBody, plain: unknown, ctx: SegmentInputContext): SegmentInput {
  if (!isPlainObject(plain)) throw ApiError.validation([{ type: 'invalid_type', message: 'the segment must be a JSON object' }]);
  const { value, details } = validateDto(dto, plain);
  const [, input] = validateAll(
    () => {
      if (details.length) throw ApiError.validation(details);
    },
    () => readSegmentInput(value, ctx),
  );
  return input;
}

/**
 * A POST/PUT body with its `Content-Language`, reported together (ERR-6): under an unknown
 * `Content-Language` the body is still judged, with the default language.
 */
export function readSegmentWrite(
  ctx: Pick<RequestContext, 'contentLanguage'>,
  languages: readonly string[],
  body: SegmentBody,
  pathId?: string,
): SegmentInput {
  let contentLanguage: ContentLanguage = { kind: 'absent', language: languages[0] };
  const [, input] = validateAll(
    () => {
      contentLanguage = parseContentLanguage(ctx.contentLanguage, languages);
    },
    () => readSegmentInput(body, { languages, contentLanguage, pathId }),
  );
  return input;
}

/** {@link readSegmentWrite} as the input check of `POST /segments` and `PUT /segments/{segmentId}`. */
export function segmentWriteCheck(input: RuleInput): void {
  const pathId = input.params.segmentId;
  // An object body is the DTO instance the validation step made, possibly with invalid values.
  const body = input.dto.body as SegmentBody;
  if (!isPlainObject(body)) parseContentLanguage(input.ctx.contentLanguage, input.languages);
  else readSegmentWrite(input.ctx, input.languages, body, typeof pathId === 'string' ? pathId : undefined);
}

/** True when the stored translations are needed to apply the input (a string under LOC-5). */
export function needsStoredTranslations(input: SegmentInput): boolean {
  return input.name.kind === 'set' || input.description?.kind === 'set';
}

/** The state to store: LOC-5 merges of string inputs into the stored maps, the rest replaced (PUT is a full replace). */
export function stateFrom(input: SegmentInput, stored?: { name?: LocalizedMap; description?: LocalizedMap }): SegmentState {
  const state: SegmentState = { name: applyLocalizedUpdate(stored?.name, input.name), status: input.status, siteCode: input.siteCode };
  if (input.description) state.description = applyLocalizedUpdate(stored?.description, input.description);
  if (input.validity) state.validity = input.validity;
  if (input.mixins !== undefined) state.mixins = input.mixins;
  if (input.rule !== undefined) state.rule = input.rule;
  if (input.metadataMixins !== undefined && Object.keys(input.metadataMixins).length) state.metadataMixins = input.metadataMixins;
  return state;
}
