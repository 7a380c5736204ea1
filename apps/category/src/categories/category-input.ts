import { ApiError, ErrorDetail, isDateTimeWithOffset, validateMixins, validateMixinSchemas } from '@suite/api-kit';
import { CATEGORY_TYPES, CategoryContent, CategoryType, ClassificationMixin, LocalizedMap } from './category.types';

/** §4.1: the custom-id pattern of this service (a narrowing of ID-3) and its reserved ids. */
export const CATEGORY_ID_PATTERN = /^[A-Za-z0-9_-]{1,66}$/;
export const RESERVED_CATEGORY_IDS: readonly string[] = ['root', 'null', 'categoryTree'];

/** The message of every body validation failure of this service (category profile, ERR-2). */
export const CONSTRAINT_MESSAGE = 'Constraint validation failed';

/** Languages a body may use: the tenant's, narrowed by `Content-Language` when one was sent (LOC-4). */
export interface WriteLanguages {
  tenant: readonly string[];
  allowed: readonly string[] | null;
}

/** A full category body (POST, PUT) after validation. */
export interface CategoryWrite {
  id?: string;
  content: CategoryContent;
  /**
   * Whether the body named a `type`. Without one, `content.type` is the create default
   * (`STANDARD`); a PUT on an existing category keeps the stored type instead (§4.2).
   */
  typeGiven: boolean;
  /** PUT only: the optional lock of §4.5. */
  version?: number;
}

/** Marks a value the PATCH body set to JSON null (clear), as opposed to absent (keep). */
export const CLEAR = null;

/** A PATCH body after validation: `undefined` = unchanged, `null` = clear (merge patch, META-7). */
export interface CategoryPatch {
  version: number;
  type?: CategoryType;
  /** `null` = make root; a string = move under it. */
  parentId?: string | null;
  code?: string | null;
  localizedName?: Record<string, string | null>;
  localizedDescription?: Record<string, string | null> | null;
  localizedSlug?: Record<string, string | null> | null;
  ecn?: string[] | null;
  validity?: { from?: Date | null; to?: Date | null } | null;
  position?: number;
  published?: boolean;
  ownClassificationMixins?: ClassificationMixin[] | null;
  mixins?: Record<string, unknown> | null;
  metadataMixins?: Record<string, unknown> | null;
}

const LABELS: Record<string, string> = {
  localizedName: 'Category name',
  localizedDescription: 'Category description',
  localizedSlug: 'Category slug',
};
const MIXIN_NAME = /^[a-zA-Z0-9_]\S*$/;
const SCHEMA_URL = /^https?:\/\/[^\s/$.?#].\S*$/;
const COMBINING_MARK = /[\u0300-\u036f]/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `position` and `metadata.version`: integers >= 0 that a JSON number holds exactly. `1e20` is an
 * integer to JavaScript but would be stored rounded (and compared as such), so it is a 400.
 */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** §4.3: absent, null, blank, `root` and `null` all mean "root". */
export function isRootMarker(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && (v.trim() === '' || v === 'root' || v === 'null'));
}

function fail(details: ErrorDetail[]): never {
  throw ApiError.validation(details, CONSTRAINT_MESSAGE);
}

/** `prior`: the request's other problems (path, query, headers), reported with the body's (ERR-6). */
function requireObjectBody(body: unknown, prior: readonly ErrorDetail[]): Record<string, unknown> {
  if (body === undefined) fail([...prior, { type: 'missing_payload', message: 'a request body is required' }]);
  if (!isObject(body)) fail([...prior, { type: 'invalid_type', message: 'the request body must be a JSON object' }]);
  return body;
}

/**
 * LOC-4 with the category override: maps only. Keys must be tenant languages (stored in the
 * configured spelling) within `Content-Language`; values strings (or null in a PATCH).
 */
export function parseLocalizedMap(
  field: string,
  value: unknown,
  langs: WriteLanguages,
  opts: { nonBlank?: boolean; slug?: boolean; allowNull?: boolean; label?: string },
  details: ErrorDetail[],
): Record<string, string | null> | undefined {
  const label = opts.label ?? LABELS[field] ?? field;
  if (!isObject(value)) {
    details.push({ field, type: 'invalid_type', message: 'must be a map of language codes to texts' });
    return undefined;
  }
  const out: Record<string, string | null> = {};
  const unsupported: string[] = [];
  const seen = new Set<string>();
  for (const [key, text] of Object.entries(value)) {
    const lang = langs.tenant.find((l) => l.toLowerCase() === key.toLowerCase());
    if (!lang || (langs.allowed !== null && !langs.allowed.includes(lang))) {
      unsupported.push(key);
      continue;
    }
    // `en` and `EN` name one language (LOC-2): refuse rather than silently keep only one text.
    if (seen.has(lang)) {
      details.push({ field: `${field}.${key}`, type: 'invalid_key', message: `duplicates the language '${lang}'` });
      continue;
    }
    seen.add(lang);
    if (text === null && opts.allowNull) {
      out[lang] = null;
      continue;
    }
    if (typeof text !== 'string') {
      details.push({ field: `${field}.${key}`, type: 'invalid_type', message: 'must be a string' });
      continue;
    }
    if (opts.nonBlank && text.trim() === '') {
      details.push({ field: `${field}.${key}`, type: 'missing_value', message: 'must not be blank' });
      continue;
    }
    if (opts.slug && COMBINING_MARK.test(text.normalize('NFD'))) {
      details.push({ field: `${field}.${key}`, type: 'invalid_value', message: `${label} must not contain diacritics` });
      continue;
    }
    out[lang] = text;
  }
  if (unsupported.length) {
    details.push({ field, type: 'unsupported_language', message: `${label} contains unsupported languages: ${unsupported.map((u) => `'${u}'`).join(', ')}` });
  }
  return out;
}

function parseEcn(value: unknown, details: ErrorDetail[]): string[] | undefined {
  if (!Array.isArray(value)) {
    details.push({ field: 'ecn', type: 'invalid_type', message: 'must be an array of strings' });
    return undefined;
  }
  const out: string[] = [];
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v.trim() === '') details.push({ field: `ecn[${i}]`, type: 'invalid_value', message: 'must be a non-blank string' });
    else if (!out.includes(v)) out.push(v);
  });
  return out;
}

function parseValidity(value: unknown, allowNull: boolean, details: ErrorDetail[]): { from?: Date | null; to?: Date | null } | undefined {
  if (!isObject(value)) {
    details.push({ field: 'validity', type: 'invalid_type', message: 'must be an object with from and/or to' });
    return undefined;
  }
  const out: { from?: Date | null; to?: Date | null } = {};
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'from' && key !== 'to') {
      details.push({ field: `validity.${key}`, type: 'invalid_key', message: 'only from and to are allowed' });
      continue;
    }
    if (v === null && allowNull) out[key] = null;
    else if (v === undefined) continue;
    else if (!isDateTimeWithOffset(v)) details.push({ field: `validity.${key}`, type: 'invalid_format', message: 'must be an ISO 8601 date-time with offset' });
    else out[key] = new Date(v);
  }
  return out;
}

function parseClassificationMixins(value: unknown, details: ErrorDetail[]): ClassificationMixin[] | undefined {
  if (!Array.isArray(value)) {
    details.push({ field: 'ownClassificationMixins', type: 'invalid_type', message: 'must be an array' });
    return undefined;
  }
  const out: ClassificationMixin[] = [];
  const names = new Set<string>();
  value.forEach((item, i) => {
    const f = `ownClassificationMixins[${i}]`;
    if (!isObject(item)) {
      details.push({ field: f, type: 'invalid_type', message: 'must be an object' });
      return;
    }
    const { name, schemaUrl, required } = item;
    let ok = true;
    if (typeof name !== 'string' || !MIXIN_NAME.test(name)) {
      details.push({ field: `${f}.name`, type: name === undefined ? 'missing_value' : 'invalid_format', message: `must match ${MIXIN_NAME.source}` });
      ok = false;
    } else if (names.has(name)) {
      details.push({ field: `${f}.name`, type: 'invalid_value', message: `duplicate mixin name '${name}'` });
      ok = false;
    }
    if (typeof schemaUrl !== 'string' || !SCHEMA_URL.test(schemaUrl)) {
      details.push({ field: `${f}.schemaUrl`, type: schemaUrl === undefined ? 'missing_value' : 'invalid_format', message: 'must be an http(s) URL' });
      ok = false;
    }
    if (required !== undefined && required !== null && typeof required !== 'boolean') {
      details.push({ field: `${f}.required`, type: 'invalid_type', message: 'must be a boolean' });
      ok = false;
    }
    if (ok) {
      names.add(name as string);
      out.push({ name: name as string, schemaUrl: schemaUrl as string, required: required === true });
    }
  });
  return out;
}

/** The `publish` query parameter must equal the body's `published` when present (§4.2). */
export function checkPublishParam(publish: boolean | undefined, published: unknown, details: ErrorDetail[]): void {
  if (publish === undefined) return;
  if (typeof published !== 'boolean' || published !== publish) {
    details.push({ field: 'publish', type: 'invalid_value', message: 'must equal the published value of the body' });
  }
}

/**
 * POST and PUT bodies (§4.2): every problem listed (ERR-6), after the request's other problems
 * (`prior`). `pathId` is the PUT path id: a body id that differs from it is a 400 (ERR-7); on POST
 * a body id is a custom id (§4.1).
 */
export function parseCategoryWrite(
  body: unknown,
  mode: 'create' | 'replace',
  langs: WriteLanguages,
  publish: boolean | undefined,
  pathId?: string,
  prior: readonly ErrorDetail[] = [],
): CategoryWrite {
  const b = requireObjectBody(body, prior);
  const details: ErrorDetail[] = [...prior];
  let id: string | undefined;
  if (mode === 'create' && b.id !== undefined && b.id !== null) {
    if (typeof b.id !== 'string' || !CATEGORY_ID_PATTERN.test(b.id)) details.push({ field: 'id', type: 'invalid_format', message: `must match ${CATEGORY_ID_PATTERN.source}` });
    else if (RESERVED_CATEGORY_IDS.includes(b.id)) details.push({ field: 'id', type: 'invalid_value', message: `'${b.id}' is reserved` });
    else id = b.id;
  }
  if (mode === 'replace' && b.id !== undefined && b.id !== null && b.id !== pathId) {
    details.push({ field: 'id', type: 'invalid_value', message: 'must equal the id in the path' });
  }
  const content = parseContent(b, langs, details);
  checkPublishParam(publish, b.published, details);
  let version: number | undefined;
  if (mode === 'replace') version = parseVersion(b, false, details);
  if (details.length) fail(details);
  return { id, content: content as CategoryContent, typeGiven: b.type !== undefined && b.type !== null, version };
}

function parseContent(b: Record<string, unknown>, langs: WriteLanguages, details: ErrorDetail[]): Partial<CategoryContent> {
  const c: Partial<CategoryContent> = {};
  c.type = 'STANDARD';
  if (b.type !== undefined && b.type !== null) {
    if (!CATEGORY_TYPES.includes(b.type as CategoryType)) details.push({ field: 'type', type: 'invalid_value', message: 'must be STANDARD or CLASSIFICATION' });
    else c.type = b.type as CategoryType;
  }
  if (!isRootMarker(b.parentId)) {
    if (typeof b.parentId !== 'string') details.push({ field: 'parentId', type: 'invalid_type', message: 'must be a string' });
    else c.parentId = b.parentId;
  }
  if (b.code !== undefined && b.code !== null) {
    if (typeof b.code !== 'string' || b.code.trim() === '') details.push({ field: 'code', type: 'invalid_value', message: 'must be a non-blank string' });
    else c.code = b.code;
  }
  if (b.localizedName === undefined || b.localizedName === null) {
    details.push({ field: 'localizedName', type: 'missing_value', message: 'must not be null' });
  } else {
    const name = parseLocalizedMap('localizedName', b.localizedName, langs, { nonBlank: true }, details);
    if (name && Object.keys(name).length === 0 && isObject(b.localizedName) && Object.keys(b.localizedName).length === 0) {
      details.push({ field: 'localizedName', type: 'missing_value', message: 'must contain at least one translation' });
    }
    if (name) c.localizedName = name as LocalizedMap;
  }
  for (const f of ['localizedDescription', 'localizedSlug'] as const) {
    if (b[f] === undefined || b[f] === null) continue;
    const m = parseLocalizedMap(f, b[f], langs, { slug: f === 'localizedSlug' }, details);
    if (m && Object.keys(m).length) c[f] = m as LocalizedMap;
  }
  if (b.ecn !== undefined && b.ecn !== null) {
    const ecn = parseEcn(b.ecn, details);
    if (ecn && ecn.length) c.ecn = ecn;
  }
  if (b.validity !== undefined && b.validity !== null) {
    const v = parseValidity(b.validity, false, details) as { from?: Date; to?: Date } | undefined;
    if (v && (v.from || v.to)) c.validity = v;
  }
  c.position = 0;
  if (b.position !== undefined && b.position !== null) {
    if (!isCount(b.position)) details.push({ field: 'position', type: 'invalid_value', message: 'must be an integer >= 0' });
    else c.position = b.position;
  }
  if (typeof b.published !== 'boolean') {
    details.push({ field: 'published', type: b.published === undefined || b.published === null ? 'missing_value' : 'invalid_type', message: 'must be a boolean' });
  } else c.published = b.published;
  if (b.ownClassificationMixins !== undefined && b.ownClassificationMixins !== null) {
    const m = parseClassificationMixins(b.ownClassificationMixins, details);
    if (m && m.length) c.ownClassificationMixins = m;
  }
  c.mixins = {};
  if (b.mixins !== undefined && b.mixins !== null) {
    const problems = validateMixins(b.mixins);
    details.push(...problems);
    if (!problems.length) c.mixins = b.mixins as Record<string, unknown>;
  }
  const metadata = b.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    details.push({ field: 'metadata', type: 'invalid_type', message: 'must be an object' });
  } else if (isObject(metadata) && metadata.mixins !== undefined && metadata.mixins !== null) {
    const problems = validateMixinSchemas(metadata.mixins);
    details.push(...problems);
    if (!problems.length && Object.keys(metadata.mixins as object).length) c.metadataMixins = metadata.mixins as Record<string, string>;
  }
  return c;
}

function parseVersion(b: Record<string, unknown>, required: boolean, details: ErrorDetail[]): number | undefined {
  const metadata = b.metadata;
  const version = isObject(metadata) ? metadata.version : undefined;
  if (version === undefined || version === null) {
    if (required) details.push({ field: 'metadata.version', type: 'missing_value', message: 'must not be null' });
    return undefined;
  }
  if (!isCount(version)) {
    details.push({ field: 'metadata.version', type: 'invalid_type', message: 'must be a non-negative integer' });
    return undefined;
  }
  return version;
}

/**
 * PATCH bodies (§4.2, §5.6): merge-patch semantics, mandatory `metadata.version` (§4.5); listed
 * after the request's other problems (`prior`, ERR-6).
 */
export function parseCategoryPatch(body: unknown, langs: WriteLanguages, publish: boolean | undefined, prior: readonly ErrorDetail[] = []): CategoryPatch {
  const b = requireObjectBody(body, prior);
  const details: ErrorDetail[] = [...prior];
  const p: Partial<CategoryPatch> = {};
  if (b.type !== undefined && b.type !== null) {
    if (!CATEGORY_TYPES.includes(b.type as CategoryType)) details.push({ field: 'type', type: 'invalid_value', message: 'must be STANDARD or CLASSIFICATION' });
    else p.type = b.type as CategoryType;
  }
  if (Object.prototype.hasOwnProperty.call(b, 'parentId')) {
    if (isRootMarker(b.parentId)) p.parentId = null;
    else if (typeof b.parentId !== 'string') details.push({ field: 'parentId', type: 'invalid_type', message: 'must be a string' });
    else p.parentId = b.parentId;
  }
  if (b.code === null) p.code = null;
  else if (b.code !== undefined) {
    if (typeof b.code !== 'string' || b.code.trim() === '') details.push({ field: 'code', type: 'invalid_value', message: 'must be a non-blank string' });
    else p.code = b.code;
  }
  if (b.localizedName === null) details.push({ field: 'localizedName', type: 'missing_value', message: 'must contain at least one translation' });
  else if (b.localizedName !== undefined) p.localizedName = parseLocalizedMap('localizedName', b.localizedName, langs, { nonBlank: true, allowNull: true }, details);
  for (const f of ['localizedDescription', 'localizedSlug'] as const) {
    if (b[f] === null) p[f] = null;
    else if (b[f] !== undefined) p[f] = parseLocalizedMap(f, b[f], langs, { slug: f === 'localizedSlug', allowNull: true }, details);
  }
  if (b.ecn === null) p.ecn = null;
  else if (b.ecn !== undefined) p.ecn = parseEcn(b.ecn, details);
  if (b.validity === null) p.validity = null;
  else if (b.validity !== undefined) p.validity = parseValidity(b.validity, true, details);
  if (b.position === null) p.position = 0;
  else if (b.position !== undefined) {
    if (!isCount(b.position)) details.push({ field: 'position', type: 'invalid_value', message: 'must be an integer >= 0' });
    else p.position = b.position;
  }
  if (b.published !== undefined && b.published !== null) {
    if (typeof b.published !== 'boolean') details.push({ field: 'published', type: 'invalid_type', message: 'must be a boolean' });
    else p.published = b.published;
  }
  if (publish !== undefined) checkPublishParam(publish, b.published, details);
  if (b.ownClassificationMixins === null) p.ownClassificationMixins = null;
  else if (b.ownClassificationMixins !== undefined) p.ownClassificationMixins = parseClassificationMixins(b.ownClassificationMixins, details);
  if (b.mixins === null) p.mixins = null;
  else if (b.mixins !== undefined) {
    // Merge-patch nulls are removals; validate the non-null parts only.
    if (!isObject(b.mixins)) details.push({ field: 'mixins', type: 'invalid_type', message: 'mixins must be an object' });
    else {
      const present = Object.fromEntries(Object.entries(b.mixins).filter(([, v]) => v !== null));
      details.push(...validateMixins(present));
      p.mixins = b.mixins;
    }
  }
  const metadata = b.metadata;
  if (!isObject(metadata)) {
    details.push({ field: 'metadata', type: metadata === undefined || metadata === null ? 'missing_value' : 'invalid_type', message: 'must be an object with version' });
  } else {
    p.version = parseVersion(b, true, details);
    if (metadata.mixins === null) p.metadataMixins = null;
    else if (metadata.mixins !== undefined) {
      if (!isObject(metadata.mixins)) details.push({ field: 'metadata.mixins', type: 'invalid_type', message: 'must be an object' });
      else {
        const present = Object.fromEntries(Object.entries(metadata.mixins).filter(([, v]) => v !== null));
        details.push(...validateMixinSchemas(present));
        p.metadataMixins = metadata.mixins;
      }
    }
  }
  if (details.length) fail(details);
  return p as CategoryPatch;
}

/**
 * Rules that hold for the resulting category whatever the write (§4.2, §4.4): a name, a code for
 * CLASSIFICATION, own mixins only on CLASSIFICATION, `validity.from <= validity.to`.
 */
export function checkResultingContent(c: CategoryContent): void {
  const details: ErrorDetail[] = [];
  if (Object.keys(c.localizedName).length === 0) details.push({ field: 'localizedName', type: 'missing_value', message: 'must contain at least one translation' });
  if (c.type === 'CLASSIFICATION' && (c.code === undefined || c.code.trim() === '')) {
    details.push({ field: 'code', type: 'missing_value', message: 'is required for CLASSIFICATION categories' });
  }
  if (c.type !== 'CLASSIFICATION' && c.ownClassificationMixins?.length) {
    details.push({ field: 'ownClassificationMixins', type: 'invalid_value', message: 'only CLASSIFICATION categories may have classification mixins' });
  }
  if (c.validity?.from && c.validity.to && c.validity.from.getTime() > c.validity.to.getTime()) {
    details.push({ field: 'validity', type: 'invalid_value', message: 'from must not be after to' });
  }
  if (details.length) fail(details);
}
