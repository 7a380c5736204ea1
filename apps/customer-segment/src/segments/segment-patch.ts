import {
  ApiError,
  ContentLanguage,
  ErrorDetail,
  JsonPatchOperation,
  findLanguage,
  isPlainObject,
  normalizeLocalizedInput,
  validateJsonPatch,
} from '@suite/api-kit';
import { ReplaceSegmentDto } from './dto/replace-segment.dto';
import { renderValidity } from './segment.mapper';
import { readSegmentDocument, stateFrom } from './segment-state';
import { Segment, SegmentState } from './segment.types';

/** A validated operation with its decoded pointer. */
export interface SegmentPatchOp extends JsonPatchOperation {
  tokens: string[];
}

function decodePointer(path: string): string[] {
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// `constructor` and `prototype` are ordinary keys below /mixins (META-8): the patch is applied with
// own-property checks and defineProperty. `__proto__` never is (see toInstanceKeepingKeys).
const POISONED = new Set(['__proto__']);

/**
 * Segment §3.6 / META-6: validates a JSON Patch body. The shared rules (ops, `test` only on
 * `/metadata/version`, read-only paths) come from `validateJsonPatch`; on top, only the patchable
 * paths of §3.6 are accepted, and `/name/<lang>` must name a tenant language. Every problem is
 * reported (ERR-6).
 */
export function parseSegmentPatch(body: unknown, languages: readonly string[]): SegmentPatchOp[] {
  if (body === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'a JSON Patch array is required' }]);
  let shared: ErrorDetail[] = [];
  try {
    validateJsonPatch(body);
  } catch (e) {
    if (!(e instanceof ApiError) || !Array.isArray(body) || body.length === 0) throw e;
    shared = e.details;
  }
  const ops = body as JsonPatchOperation[];
  const details: ErrorDetail[] = [...shared];
  ops.forEach((op, i) => {
    const field = `[${i}].path`;
    if (!isPlainObject(op) || typeof op.path !== 'string' || !op.path.startsWith('/') || op.op === 'test') return;
    // ERR-6: report our own path rules next to the shared ones, once per operation.
    if (details.some((d) => d.field === field)) return;
    const problem = pathProblem(decodePointer(op.path), languages) ?? keyProblem(decodePointer(op.path), op.op);
    if (problem) details.push({ field, type: problem.type, message: problem.message });
  });
  if (details.length) throw ApiError.validation(details);
  return ops.map((op) => ({ ...op, tokens: decodePointer(op.path) }));
}

/**
 * ERR-8: below `/mixins` and `/metadata/mixins` the last pointer token becomes an object key when the
 * operation adds it, so it must obey the key rules of a request body (the body check only sees keys
 * inside `value`). Every token is checked, since a missing intermediate is created as a key too. A
 * `remove` creates nothing, so it may still clean up such a key stored before this rule.
 */
function keyProblem(tokens: string[], op: unknown): { type: string; message: string } | undefined {
  const inMixins = tokens[0] === 'mixins' || (tokens[0] === 'metadata' && tokens[1] === 'mixins');
  if (!inMixins || op === 'remove') return undefined;
  const bad = tokens.find((t) => t.startsWith('$') || t.includes('.') || t.includes('\0'));
  return bad === undefined
    ? undefined
    : { type: 'invalid_key', message: `keys must not start with $ or contain . or NUL: '${bad.slice(0, 100).replace(/\0/g, '\\0')}'` };
}

function pathProblem(tokens: string[], languages: readonly string[]): { type: string; message: string } | undefined {
  if (tokens.some((t) => POISONED.has(t) || t === '')) return { type: 'invalid_value', message: 'this path cannot be patched' };
  const [head, ...rest] = tokens;
  switch (head) {
    case 'name':
    case 'description':
      if (rest.length === 0) return undefined;
      if (rest.length === 1) {
        return findLanguage(rest[0], languages) !== undefined
          ? undefined
          : { type: 'unsupported_language', message: `'${rest[0]}' is not a language of this tenant` };
      }
      return { type: 'invalid_value', message: 'this path cannot be patched' };
    case 'status':
    case 'siteCode':
    case 'rule':
      return rest.length === 0 ? undefined : { type: 'invalid_value', message: 'this path cannot be patched' };
    case 'validity':
      return rest.length === 0 || (rest.length === 1 && (rest[0] === 'from' || rest[0] === 'to'))
        ? undefined
        : { type: 'invalid_value', message: 'this path cannot be patched' };
    case 'mixins':
      return undefined;
    case 'metadata':
      return rest[0] === 'mixins' ? undefined : { type: 'invalid_value', message: 'this path cannot be patched' };
    default:
      return { type: 'invalid_value', message: 'this path cannot be patched' };
  }
}

/**
 * Applies the operations in order to a copy of the stored segment and validates the result as a
 * full segment (§3.6): the DTO rules of a PUT body through `validateDto`, then the localized
 * values. Nothing is stored unless every operation succeeds and the result is valid. Returns the
 * state to write; the caller guards the write with the version it read.
 */
export function applySegmentPatch(
  stored: Segment,
  ops: SegmentPatchOp[],
  languages: readonly string[],
  contentLanguage: ContentLanguage,
): SegmentState {
  const doc: Record<string, unknown> = {
    name: { ...stored.name },
    status: stored.status,
    siteCode: stored.siteCode,
    metadata: stored.metadata.mixins ? { mixins: structuredClone(stored.metadata.mixins) } : {},
  };
  if (stored.description) doc.description = { ...stored.description };
  if (stored.validity && (stored.validity.from || stored.validity.to)) doc.validity = renderValidity(stored.validity);
  if (stored.mixins !== undefined) doc.mixins = structuredClone(stored.mixins);
  if (stored.rule !== undefined && stored.rule !== null) doc.rule = stored.rule;

  const problems: ErrorDetail[] = [];
  ops.forEach((op, i) => {
    if (op.op === 'test') return;
    const tokens = [...op.tokens];
    const wholeLocalized = (tokens[0] === 'name' || tokens[0] === 'description') && tokens.length === 1 && op.op !== 'remove';
    // LOC-4: a whole localized field obeys Content-Language exactly as on PUT: a map's keys within
    // the header's languages (the final validation only knows the tenant languages), a text sets
    // one language (LOC-5), the header's or the default.
    if (wholeLocalized && (isPlainObject(op.value) || typeof op.value === 'string')) {
      const r = normalizeLocalizedInput(op.value, `[${i}].value`, contentLanguage, languages, { allowString: true, keyDetails: true });
      if (!r.ok) {
        if (typeof op.value === 'string') throw ApiError.validation(r.details);
        problems.push(...r.details);
      } else if (r.update.kind === 'set') {
        const existing = isPlainObject(doc[tokens[0]]) ? (doc[tokens[0]] as Record<string, unknown>) : {};
        doc[tokens[0]] = { ...existing, [r.update.language]: r.update.value };
        return;
      }
    }
    if ((tokens[0] === 'name' || tokens[0] === 'description') && tokens.length === 2) {
      tokens[1] = findLanguage(tokens[1], languages) ?? tokens[1];
    }
    applyOne(doc, op, tokens, i);
  });
  if (problems.length) throw ApiError.validation(problems);

  const metadata = doc.metadata as Record<string, unknown> | undefined;
  const merged = { ...doc, metadata: metadata && metadata.mixins !== undefined ? { mixins: metadata.mixins } : undefined };
  const input = readSegmentDocument(ReplaceSegmentDto, merged, {
    languages,
    contentLanguage: { kind: 'absent', language: languages[0] },
    pathId: stored.id,
  });
  return stateFrom(input);
}

function applyOne(root: Record<string, unknown>, op: SegmentPatchOp, tokens: string[], i: number): void {
  const last = tokens.pop()!;
  // §3.6: missing intermediate objects are created below /mixins and /metadata/mixins only.
  const createsIntermediates = tokens[0] === 'mixins' || (tokens[0] === 'metadata' && tokens[1] === 'mixins');
  let parent: unknown = root;
  for (const t of tokens) {
    if (Array.isArray(parent)) {
      if (!/^\d+$/.test(t) || Number(t) >= parent.length) throw unresolved(i, op.path);
      parent = parent[Number(t)];
    } else if (isPlainObject(parent)) {
      if (!Object.prototype.hasOwnProperty.call(parent, t)) {
        if (op.op === 'remove' || !createsIntermediates) throw unresolved(i, op.path);
        parent[t] = {};
      }
      parent = parent[t];
    } else throw unresolved(i, op.path);
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : /^\d+$/.test(last) ? Number(last) : -1;
    if (index < 0 || index > parent.length || (op.op !== 'add' && index >= parent.length)) throw unresolved(i, op.path);
    if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
    else if (op.op === 'remove') parent.splice(index, 1);
    else parent[index] = structuredClone(op.value);
    return;
  }
  if (!isPlainObject(parent)) throw unresolved(i, op.path);
  if (op.op === 'remove') {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw unresolved(i, op.path);
    delete parent[last];
    return;
  }
  // §3.6 decision: `replace` on a missing member acts like `add`.
  Object.defineProperty(parent, last, { value: structuredClone(op.value), enumerable: true, writable: true, configurable: true });
}

function unresolved(i: number, path: string): ApiError {
  return ApiError.validation([{ field: `[${i}].path`, type: 'invalid_value', message: `${path} does not exist in the segment` }]);
}
