import { ApiError, CUSTOM_ID_PATTERN, ErrorDetail } from '@suite/api-kit';
import { parseLocalizedMap, WriteLanguages } from '../categories/category-input';

/** A validated assignment write (§4.6): the reference and the optional suite extension fields. */
export interface AssignmentInput {
  refId: string;
  localizedName?: Record<string, string>;
  published?: boolean;
}

export const ASSIGNMENT_MESSAGE = 'Assignment reference validation failed';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `ref.id` follows ID-3 because it also appears in paths (§4.6). */
export function isValidRefId(id: string): boolean {
  return CUSTOM_ID_PATTERN.test(id);
}

/**
 * One assignment item. `typeRequired`: op 12/14 need `ref.type`; op 15 implies PRODUCT. Problems
 * are appended to `details` with `prefix` (e.g. `[3].`) so a bulk request lists them all.
 */
export function parseAssignmentItem(item: unknown, langs: WriteLanguages, typeRequired: boolean, details: ErrorDetail[], prefix = ''): AssignmentInput | undefined {
  const before = details.length;
  if (!isObject(item)) {
    details.push({ field: prefix ? prefix.replace(/\.$/, '') : undefined, type: 'invalid_type', message: 'must be an object with ref' });
    return undefined;
  }
  const ref = item.ref;
  if (!isObject(ref)) {
    details.push({ field: `${prefix}ref`, type: ref === undefined || ref === null ? 'missing_value' : 'invalid_type', message: 'must not be null' });
    return undefined;
  }
  if (typeof ref.id !== 'string' || !isValidRefId(ref.id)) {
    details.push({ field: `${prefix}ref.id`, type: ref.id === undefined || ref.id === null ? 'missing_value' : 'invalid_format', message: `must match ${CUSTOM_ID_PATTERN.source}` });
  }
  if (ref.type === undefined || ref.type === null) {
    if (typeRequired) details.push({ field: `${prefix}ref.type`, type: 'missing_value', message: 'must not be null' });
  } else if (typeof ref.type !== 'string' || ref.type.toUpperCase() !== 'PRODUCT') {
    details.push({ field: `${prefix}ref.type`, type: 'invalid_value', message: 'must be PRODUCT' });
  }
  let localizedName: Record<string, string> | undefined;
  if (ref.localizedName !== undefined && ref.localizedName !== null) {
    const inner: ErrorDetail[] = [];
    localizedName = parseLocalizedMap('ref.localizedName', ref.localizedName, langs, { label: 'Assignment reference name' }, inner) as Record<string, string> | undefined;
    details.push(...inner.map((d) => ({ ...d, field: d.field ? `${prefix}${d.field}` : d.field })));
  }
  let published: boolean | undefined;
  if (item.published !== undefined && item.published !== null) {
    if (typeof item.published !== 'boolean') details.push({ field: `${prefix}published`, type: 'invalid_type', message: 'must be a boolean' });
    else published = item.published;
  }
  if (details.length > before) return undefined;
  return { refId: ref.id as string, localizedName, published };
}

export function assignmentValidation(details: ErrorDetail[]): ApiError {
  return ApiError.validation(details, ASSIGNMENT_MESSAGE);
}

/** Op 16's optional body: extension fields only (the reference comes from the path). */
export function parseReferenceBody(body: unknown, langs: WriteLanguages): { localizedName?: Record<string, string>; published?: boolean } {
  if (body === undefined || body === null) return {};
  const details: ErrorDetail[] = [];
  if (!isObject(body)) throw assignmentValidation([{ type: 'invalid_type', message: 'the request body must be a JSON object' }]);
  const ref = isObject(body.ref) ? body.ref : {};
  const item = parseAssignmentItem({ ...body, ref: { ...ref, id: 'x' } }, langs, false, details);
  if (details.length || !item) throw assignmentValidation(details);
  return { localizedName: item.localizedName, published: item.published };
}
