import type { IncomingMessage } from 'node:http';
import { ApiError, ErrorDetail } from '../errors';

/** The two body-level problems of validation (a profile may word them its own way, see error-profiles). */
export const BODY_REQUIRED_MESSAGE = 'a request body is required';
export const BODY_NOT_OBJECT_MESSAGE = 'the request body must be a JSON object';

/** HTTP-3: the one body limit of the suite (10 MiB); not configurable. */
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

const JSON_MEDIA_TYPES = new Set(['application/json', 'application/merge-patch+json', 'application/json-patch+json']);

/** The media type of a Content-Type header without parameters, lowercased; undefined when absent. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  return contentType.split(';', 1)[0].trim().toLowerCase();
}

export function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return raw.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and parses a JSON request body after the guards have passed (ERR-10 step 5): `415`, then
 * `413`, then `400 malformed_json`. Returns `undefined` for a request without a body. The stream is
 * read here and nowhere else: the Fastify adapter's own body parsing is switched off at bootstrap.
 *
 * The problems of the body itself (forbidden keys, ERR-8; numbers JSON cannot carry back) are not
 * thrown here: they are recorded for {@link bodyProblemsOf}, and the input-validation step (ERR-10
 * step 6) lists them with every other problem of the request (ERR-6). The body returned has the
 * forbidden keys removed, so nothing after this point ever reads one.
 */
export async function readJsonBody(raw: IncomingMessage): Promise<unknown> {
  if (!hasBody(raw)) return undefined;
  const mediaType = mediaTypeOf(raw.headers['content-type']);
  if (!mediaType || !JSON_MEDIA_TYPES.has(mediaType)) {
    throw new ApiError(
      'unsupported_media_type',
      'The request body must be application/json, application/merge-patch+json or application/json-patch+json.',
      {
        details: [{ field: 'Content-Type', type: 'invalid_value', message: `unsupported media type ${mediaType || '(none)'}` }],
      },
    );
  }
  const declared = Number(raw.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) throw payloadTooLarge();
  const buffer = await readLimited(raw, BODY_LIMIT_BYTES);
  const parsed = parseJson(buffer.toString('utf8'));
  const { problems, tooDeep } = inspectBody(parsed, MAX_BODY_DEPTH, true);
  if (problems.length) BODY_PROBLEMS.set(raw, problems);
  return tooDeep ? boundDepth(parsed, MAX_BODY_DEPTH + 1) : parsed;
}

/**
 * The body of a route that takes newline-delimited JSON (`application/x-ndjson`, declared with
 * {@link NdjsonBody}): its lines as text, the last one without a newline included, blank lines
 * kept (each line's number is its position, counted by the route). The route parses and judges
 * each line itself: one bad line is that line's problem, not the request's. `415` for another
 * media type, `413` beyond the suite's one body limit (HTTP-3): a longer stream is sent in parts.
 */
export async function readNdjsonLines(raw: IncomingMessage, maxLines: number): Promise<string[]> {
  if (!hasBody(raw)) return [];
  const mediaType = mediaTypeOf(raw.headers['content-type']);
  if (mediaType !== 'application/x-ndjson') {
    throw new ApiError('unsupported_media_type', 'The request body must be application/x-ndjson.', {
      details: [{ field: 'Content-Type', type: 'invalid_value', message: `unsupported media type ${mediaType || '(none)'}` }],
    });
  }
  const declared = Number(raw.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES) throw payloadTooLarge();
  const text = (await readLimited(raw, BODY_LIMIT_BYTES)).toString('utf8');
  // Counted before splitting: 10 MiB of line breaks must not become ten million strings.
  let breaks = 0;
  for (let at = text.indexOf('\n'); at !== -1 && breaks <= maxLines; at = text.indexOf('\n', at + 1)) breaks++;
  const count = breaks + (text.length > 0 && !text.endsWith('\n') ? 1 : 0);
  if (count > maxLines) {
    throw ApiError.validation([
      { type: 'too_many_items', message: `a body carries at most ${maxLines} lines; send the rest in further requests` },
    ]);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * One JSON document judged by the same rules as a request body (an NDJSON line): `malformed_json`
 * when it does not parse, `validation_failed` for forbidden keys (ERR-8) or numbers JSON cannot
 * carry back, and containers deeper than {@link MAX_BODY_DEPTH} emptied, so a hostile line cannot
 * overflow the recursive readers after it.
 */
export function parseJsonDocument(text: string): unknown {
  const parsed = parseJson(text);
  const { problems, tooDeep } = inspectBody(parsed, MAX_BODY_DEPTH, true);
  if (problems.length) throw ApiError.validation([...problems]);
  return tooDeep ? boundDepth(parsed, MAX_BODY_DEPTH + 1) : parsed;
}

const BODY_PROBLEMS = new WeakMap<object, readonly ErrorDetail[]>();

/**
 * The problems {@link readJsonBody} found in the body of `raw` (the request's `IncomingMessage`):
 * forbidden keys (`invalid_key`, ERR-8) and numbers that are not finite after parsing
 * (`invalid_value`; `1e400` overflows to Infinity, which JSON cannot carry back). Empty when the
 * body had none or was not read. Any problem here makes the request a 400.
 */
export function bodyProblemsOf(raw: object | undefined): readonly ErrorDetail[] {
  return (raw && BODY_PROBLEMS.get(raw)) ?? [];
}

/**
 * How deep a request body is looked at. The deepest meaningful path of any contract is a mixin
 * (META-8: 10 levels) under `metadata.mixins.<name>` inside a bulk array or a JSON Patch value, 15
 * levels at most. A container deeper than this is emptied before anything else reads the body:
 * what sits that deep is either an unknown property, dropped anyway (ERR-7), or part of a value
 * that is still too deep and refused by its own rule (META-8 gives its `400`). Without the bound,
 * a 10 MiB body nested thousands of levels deep overflows the stack of recursive readers
 * (class-transformer, merge patch, mixin checks) and answers `500`.
 */
export const MAX_BODY_DEPTH = 32;

/** A copy of `value` in which every object or array `depth` or more levels deep is emptied (recursion bounded by `depth`). */
function boundDepth(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return depth <= 1 ? [] : value.map((v) => boundDepth(v, depth - 1));
  const out: Record<string, unknown> = {};
  if (depth <= 1) return out;
  for (const [k, v] of Object.entries(value)) out[k] = boundDepth(v, depth - 1);
  return out;
}

function payloadTooLarge(): ApiError {
  return new ApiError('payload_too_large', `The request body exceeds the limit of ${BODY_LIMIT_BYTES} bytes.`, {
    // Do not drain a huge body through a keep-alive connection.
    headers: { Connection: 'close' },
  });
}

function readLimited(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering as soon as the limit is crossed (HTTP-3); the rest is discarded.
        cleanup();
        raw.resume();
        reject(payloadTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(
        new ApiError('validation_failed', 'The request body could not be read.', {
          details: [{ type: 'missing_payload', message: err.message }],
        }),
      );
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
    raw.on('aborted', onAborted);
  });
}

/** ERR-9: the parser message without the body echoed back. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : 'invalid JSON';
    // V8 appends an excerpt of the input (`..., "<text>" is not valid JSON`); never echo it.
    const cut = message.indexOf(', "');
    const clean = (cut >= 0 ? message.slice(0, cut) : message).replace(/"[^"]*" is not valid JSON/, 'the body is not valid JSON');
    throw new ApiError('malformed_json', 'The request body is not valid JSON.', { details: [{ type: 'syntax_error', message: clean }] });
  }
}

/**
 * ERR-8: any object key anywhere in the body that is empty, starts with `$`, contains `.` or a NUL
 * character (or is `__proto__`) is rejected, so stored documents are safe for Mongo update paths
 * and the q compiler.
 */
export function forbiddenKeys(value: unknown): ErrorDetail[] {
  return inspectBody(value, Infinity, false).problems.filter((p) => p.type === 'invalid_key');
}

/** The detail of a number JSON cannot carry back (see {@link bodyProblemsOf}). */
export const NOT_FINITE_MESSAGE = 'must be a finite number';

/**
 * One iterative walk over a parsed body (a deeply nested body cannot overflow the stack): the
 * ERR-8 key problems (the keys are deleted from `value` when `removeKeys`), the numbers that are
 * not finite, and whether any object or array sits more than `depthLimit` levels deep.
 */
function inspectBody(value: unknown, depthLimit: number, removeKeys: boolean): { problems: ErrorDetail[]; tooDeep: boolean } {
  const problems: ErrorDetail[] = [];
  let tooDeep = false;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 1 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    // JSON.parse turns a number beyond the double range (`1e400`) into ±Infinity, which would be
    // stored and read back as `null`.
    if (typeof v === 'number' && !Number.isFinite(v)) {
      problems.push({ ...(path ? { field: path } : {}), type: 'invalid_value', message: NOT_FINITE_MESSAGE });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > depthLimit) tooDeep = true;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(v)) {
      const field = path ? `${path}.${key}` : key;
      // `__proto__` too: a plain copy would set a prototype instead of a property.
      if (key === '' || key.startsWith('$') || key.includes('.') || key.includes('\0') || key === '__proto__') {
        problems.push({ field, type: 'invalid_key', message: 'keys must not be empty, start with $, contain . or NUL, or be __proto__' });
        if (removeKeys) delete (v as Record<string, unknown>)[key];
      } else {
        stack.push({ value: (v as Record<string, unknown>)[key], path: field, depth: depth + 1 });
      }
    }
  }
  return { problems, tooDeep };
}
