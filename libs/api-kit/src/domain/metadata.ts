import { ApiError, ErrorDetail } from '../errors';

/** META-1 as stored. */
export interface StoredMetadata {
  version: number;
  createdAt: Date;
  modifiedAt: Date;
  mixins?: Record<string, string>;
}

/** META-1 as rendered. */
export interface MetadataView {
  version: number;
  createdAt: string;
  modifiedAt: string;
  mixins?: Record<string, string>;
}

/** META-2/META-3: metadata of a new resource (`initialVersion` 1 by default, coupon keeps 0). */
export function newMetadata(now: Date, mixins?: Record<string, string>, initialVersion = 1): StoredMetadata {
  const m: StoredMetadata = { version: initialVersion, createdAt: now, modifiedAt: now };
  if (mixins && Object.keys(mixins).length) m.mixins = mixins;
  return m;
}

export function renderMetadata(m: StoredMetadata): MetadataView {
  const view: MetadataView = {
    version: m.version,
    createdAt: new Date(m.createdAt).toISOString(),
    modifiedAt: new Date(m.modifiedAt).toISOString(),
  };
  if (m.mixins && Object.keys(m.mixins).length) view.mixins = { ...m.mixins };
  return view;
}

/**
 * META-4/META-5: the optional version precondition of an update body. Returns undefined when the
 * body carries none; a present but non-integer version is a 400.
 */
export function expectedVersionOf(body: unknown): number | undefined {
  const metadata = (body as { metadata?: unknown } | null | undefined)?.metadata;
  if (metadata === undefined || metadata === null || typeof metadata !== 'object') return undefined;
  const version = (metadata as { version?: unknown }).version;
  if (version === undefined || version === null) return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw ApiError.validation([
      { field: 'metadata.version', type: 'invalid_type', message: 'metadata.version must be a non-negative integer' },
    ]);
  }
  return version;
}

/**
 * META-5.4: after a guarded write (`{_id, "metadata.version": expected}`) matched nothing, a
 * follow-up read decides between 404 (gone) and 409 (moved). Throws accordingly.
 */
export function versionMiss(id: string, expected: number, stored: { version: number } | null | undefined): never {
  if (!stored) throw ApiError.notFound(id);
  throw ApiError.versionConflict(id, expected, stored.version);
}

/**
 * META-5.4 read-modify-write: the server read the resource itself (JSON Patch, single-language
 * merges) and writes guarded by the version it read. When the client supplied no version, a miss
 * is retried up to 3 times; with a client version, the first miss is a 409. `attempt` returns
 * true when its guarded write matched.
 */
export async function withVersionRetry(
  clientVersion: number | undefined,
  attempt: () => Promise<boolean>,
  onFinalMiss: () => Promise<never>,
): Promise<void> {
  const tries = clientVersion === undefined ? 4 : 1;
  for (let i = 0; i < tries; i++) {
    if (await attempt()) return;
  }
  await onFinalMiss();
}

const MIXIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAX_MIXIN_DEPTH = 10;
const MAX_MIXINS_BYTES = 512 * 1024;

/** META-8: mixin names, object values, nesting depth ≤ 10, serialized size ≤ 512 KiB. */
export function validateMixins(mixins: unknown, field = 'mixins'): ErrorDetail[] {
  if (mixins === undefined) return [];
  if (mixins === null || typeof mixins !== 'object' || Array.isArray(mixins)) {
    return [{ field, type: 'invalid_type', message: `${field} must be an object` }];
  }
  const details: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(mixins)) {
    if (!MIXIN_NAME.test(name))
      details.push({ field: `${field}.${name}`, type: 'invalid_key', message: `mixin names must match ${MIXIN_NAME.source}` });
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      details.push({ field: `${field}.${name}`, type: 'invalid_type', message: 'a mixin must be a JSON object' });
    } else if (depthOf(value) > MAX_MIXIN_DEPTH) {
      details.push({ field: `${field}.${name}`, type: 'out_of_range', message: `mixins may nest at most ${MAX_MIXIN_DEPTH} levels` });
    }
  }
  if (Buffer.byteLength(JSON.stringify(mixins)) > MAX_MIXINS_BYTES) {
    details.push({ field, type: 'too_long', message: 'mixins must not exceed 512 KiB' });
  }
  return details;
}

/** META-9: schema links are absolute http(s) URLs of at most 2048 characters. */
export function validateMixinSchemas(links: unknown, field = 'metadata.mixins'): ErrorDetail[] {
  if (links === undefined || links === null) return [];
  if (typeof links !== 'object' || Array.isArray(links)) return [{ field, type: 'invalid_type', message: `${field} must be an object` }];
  const details: ErrorDetail[] = [];
  for (const [name, url] of Object.entries(links)) {
    if (!MIXIN_NAME.test(name))
      details.push({ field: `${field}.${name}`, type: 'invalid_key', message: `mixin names must match ${MIXIN_NAME.source}` });
    if (typeof url !== 'string' || url.length > 2048 || !isHttpUrl(url)) {
      details.push({
        field: `${field}.${name}`,
        type: 'invalid_format',
        message: 'must be an absolute http or https URL of at most 2048 characters',
      });
    }
  }
  return details;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Iterative depth of a JSON value (a flat object has depth 1). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      max = Math.max(max, d);
      if (d > MAX_MIXIN_DEPTH + 1) break;
      for (const child of Object.values(v)) stack.push([child, d + 1]);
    }
  }
  return max;
}
