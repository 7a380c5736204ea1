import { applyMergePatch, isPlainObject } from '@suite/api-kit';
import { typeImmutable } from '../common/category.errors';
import { LocalizedFieldRule, readLocalizedMap, WriteLanguages } from '../common/localization';
import type { CategoryContent, CategoryRecord, CategoryType, ClassificationMixin, LocalizedMap } from './category.types';
import type { CategoryFieldsDto, ClassificationMixinDto } from './dto/create-category.dto';
import type { PatchCategoryDto } from './dto/patch-category.dto';

/** The localized fields of a category body and their §3.4 names. */
export const CATEGORY_MAPS: readonly LocalizedFieldRule[] = [
  { field: 'localizedName', label: 'Category name', nonBlank: true },
  { field: 'localizedDescription', label: 'Category description' },
  { field: 'localizedSlug', label: 'Category slug', slug: true },
];
const [NAME, DESCRIPTION, SLUG] = CATEGORY_MAPS;

/** A PATCH body as changes: `undefined` = unchanged, `null` = clear (merge patch, META-7). */
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

/** §4.3: absent, null, blank, `root` and `null` all mean "root". */
export function isRootMarker(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && (v.trim() === '' || v === 'root' || v === 'null'));
}

// The builders below read bodies the validation step accepted (DTO rules and the request rules of
// the route): they only apply defaults and put map keys into the configured spelling.

function texts(map: Record<string, string | null>): LocalizedMap {
  const out: LocalizedMap = {};
  for (const [k, v] of Object.entries(map)) if (typeof v === 'string') out[k] = v;
  return out;
}

function mapOf(value: unknown, rule: LocalizedFieldRule, langs: WriteLanguages, allowNull = false): Record<string, string | null> {
  return isPlainObject(value) ? readLocalizedMap(value, rule, langs, [], { allowNull }) : {};
}

function ecnOf(ecn: readonly string[]): string[] {
  return [...new Set(ecn)];
}

function mixinsOf(items: readonly ClassificationMixinDto[]): ClassificationMixin[] {
  return items.map((m) => ({ name: m.name, schemaUrl: m.schemaUrl, required: m.required === true }));
}

/** A POST/PUT body as the content it writes (§4.2 defaults: STANDARD, root, position 0, no mixins). */
export function contentOfBody(
  b: CategoryFieldsDto,
  metadataMixins: Record<string, string> | null | undefined,
  langs: WriteLanguages,
): CategoryContent {
  const c: CategoryContent = {
    type: b.type ?? 'STANDARD',
    localizedName: texts(mapOf(b.localizedName, NAME, langs)),
    position: b.position ?? 0,
    published: b.published,
    mixins: b.mixins ?? {},
  };
  if (!isRootMarker(b.parentId)) c.parentId = b.parentId as string;
  if (b.code !== undefined && b.code !== null) c.code = b.code;
  const description = texts(mapOf(b.localizedDescription, DESCRIPTION, langs));
  if (Object.keys(description).length) c.localizedDescription = description;
  const slug = texts(mapOf(b.localizedSlug, SLUG, langs));
  if (Object.keys(slug).length) c.localizedSlug = slug;
  if (b.ecn?.length) c.ecn = ecnOf(b.ecn);
  if (b.validity) {
    const v: { from?: Date; to?: Date } = {};
    if (typeof b.validity.from === 'string') v.from = new Date(b.validity.from);
    if (typeof b.validity.to === 'string') v.to = new Date(b.validity.to);
    if (v.from || v.to) c.validity = v;
  }
  if (b.ownClassificationMixins?.length) c.ownClassificationMixins = mixinsOf(b.ownClassificationMixins);
  if (metadataMixins && Object.keys(metadataMixins).length) c.metadataMixins = metadataMixins;
  return c;
}

/** A PATCH body as the changes it asks for (§4.2 "merged"/"replaced", `null` clears). */
export function patchOfBody(b: PatchCategoryDto, langs: WriteLanguages): CategoryPatch {
  const p: CategoryPatch = { version: b.metadata.version };
  if (b.type !== undefined && b.type !== null) p.type = b.type;
  if (b.parentId !== undefined) p.parentId = isRootMarker(b.parentId) ? null : (b.parentId as string);
  if (b.code !== undefined) p.code = b.code;
  if (b.localizedName !== undefined) p.localizedName = mapOf(b.localizedName, NAME, langs, true);
  if (b.localizedDescription !== undefined)
    p.localizedDescription = b.localizedDescription === null ? null : mapOf(b.localizedDescription, DESCRIPTION, langs, true);
  if (b.localizedSlug !== undefined) p.localizedSlug = b.localizedSlug === null ? null : mapOf(b.localizedSlug, SLUG, langs, true);
  if (b.ecn !== undefined) p.ecn = b.ecn === null ? null : ecnOf(b.ecn);
  if (b.validity !== undefined) {
    if (b.validity === null) p.validity = null;
    else {
      const v: { from?: Date | null; to?: Date | null } = {};
      for (const key of ['from', 'to'] as const) {
        const value = b.validity[key];
        if (value === null) v[key] = null;
        else if (typeof value === 'string') v[key] = new Date(value);
      }
      p.validity = v;
    }
  }
  if (b.position !== undefined) p.position = b.position ?? 0;
  if (typeof b.published === 'boolean') p.published = b.published;
  if (b.ownClassificationMixins !== undefined)
    p.ownClassificationMixins = b.ownClassificationMixins === null ? null : mixinsOf(b.ownClassificationMixins);
  if (b.mixins !== undefined) p.mixins = b.mixins;
  if (b.metadata.mixins !== undefined) p.metadataMixins = b.metadata.mixins;
  return p;
}

/** The API content of a stored category (what a PUT would have to send to keep it). */
export function contentOf(r: CategoryRecord): CategoryContent {
  const c: CategoryContent = {
    type: r.type,
    localizedName: { ...r.localizedName },
    position: r.position ?? 0,
    published: r.published === true,
    mixins: r.mixins ?? {},
  };
  if (r.parentId !== undefined) c.parentId = r.parentId;
  if (r.code !== undefined) c.code = r.code;
  if (r.localizedDescription) c.localizedDescription = { ...r.localizedDescription };
  if (r.localizedSlug) c.localizedSlug = { ...r.localizedSlug };
  if (r.ecn?.length) c.ecn = [...r.ecn];
  if (r.validity) c.validity = { ...r.validity };
  if (r.ownClassificationMixins?.length) c.ownClassificationMixins = r.ownClassificationMixins.map((m) => ({ ...m }));
  if (r.metadata.mixins && Object.keys(r.metadata.mixins).length) c.metadataMixins = { ...r.metadata.mixins };
  return c;
}

function mergeMap(current: LocalizedMap | undefined, patch: Record<string, string | null> | null | undefined): LocalizedMap | undefined {
  if (patch === undefined) return current;
  if (patch === null) return undefined;
  const out = applyMergePatch(current ?? {}, patch) as LocalizedMap;
  return Object.keys(out).length ? out : undefined;
}

/**
 * META-7 merge patch of a stored category (§4.2 "merged"/"replaced" column): maps, mixins,
 * `metadata.mixins` and `validity` merge; arrays and scalars replace; `null` clears. A `type`
 * different from the stored one is a 400 (§4.2).
 */
export function applyCategoryPatch(r: CategoryRecord, p: CategoryPatch): CategoryContent {
  if (p.type !== undefined && p.type !== r.type) throw typeImmutable(r.type);
  const c = contentOf(r);
  if (p.parentId !== undefined) {
    if (p.parentId === null) delete c.parentId;
    else c.parentId = p.parentId;
  }
  if (p.code === null) delete c.code;
  else if (p.code !== undefined) c.code = p.code;
  c.localizedName = mergeMap(c.localizedName, p.localizedName) ?? {};
  const description = mergeMap(c.localizedDescription, p.localizedDescription);
  if (description) c.localizedDescription = description;
  else delete c.localizedDescription;
  const slug = mergeMap(c.localizedSlug, p.localizedSlug);
  if (slug) c.localizedSlug = slug;
  else delete c.localizedSlug;
  if (p.ecn === null || (p.ecn && p.ecn.length === 0)) delete c.ecn;
  else if (p.ecn !== undefined) c.ecn = p.ecn;
  if (p.validity === null) delete c.validity;
  else if (p.validity !== undefined) {
    const v = { ...(c.validity ?? {}) } as Record<string, Date | null | undefined>;
    for (const [k, val] of Object.entries(p.validity)) {
      if (val === null) delete v[k];
      else if (val !== undefined) v[k] = val;
    }
    if (v.from || v.to) c.validity = v as { from?: Date; to?: Date };
    else delete c.validity;
  }
  if (p.position !== undefined) c.position = p.position;
  if (p.published !== undefined) c.published = p.published;
  if (p.ownClassificationMixins === null || (p.ownClassificationMixins && p.ownClassificationMixins.length === 0))
    delete c.ownClassificationMixins;
  else if (p.ownClassificationMixins !== undefined) c.ownClassificationMixins = p.ownClassificationMixins;
  if (p.mixins === null) c.mixins = {};
  else if (p.mixins !== undefined) c.mixins = applyMergePatch(c.mixins, p.mixins) as Record<string, unknown>;
  if (p.metadataMixins === null) delete c.metadataMixins;
  else if (p.metadataMixins !== undefined) {
    const m = applyMergePatch(c.metadataMixins ?? {}, p.metadataMixins) as Record<string, string>;
    if (Object.keys(m).length) c.metadataMixins = m;
    else delete c.metadataMixins;
  }
  return c;
}

const OPTIONAL_FIELDS = [
  'parentId',
  'code',
  'codeLower',
  'localizedDescription',
  'localizedSlug',
  'ecn',
  'validity',
  'ownClassificationMixins',
  'metadata.mixins',
] as const;

type StoredOptionals = Partial<Pick<CategoryRecord, Exclude<(typeof OPTIONAL_FIELDS)[number], 'metadata.mixins'>>>;

/**
 * The optional content fields as stored, for a new category and a replacement alike: those
 * without a value (and empty lists) are left out; `codeLower` goes with `code`.
 */
function storedOptionals(c: CategoryContent): StoredOptionals {
  const out: StoredOptionals = {};
  if (c.parentId !== undefined) out.parentId = c.parentId;
  if (c.code !== undefined) {
    out.code = c.code;
    out.codeLower = c.code.toLowerCase();
  }
  if (c.localizedDescription) out.localizedDescription = c.localizedDescription;
  if (c.localizedSlug) out.localizedSlug = c.localizedSlug;
  if (c.ecn?.length) out.ecn = c.ecn;
  if (c.validity) out.validity = c.validity;
  if (c.ownClassificationMixins?.length) out.ownClassificationMixins = c.ownClassificationMixins;
  return out;
}

/**
 * The `$set`/`$unset` of a full replacement of the content (PUT, and PATCH after merging),
 * `metadata.modifiedAt` included. The ancestry is set only when given (moves).
 */
export function contentUpdate(
  c: CategoryContent,
  now: Date,
  ancestry?: readonly string[],
): { set: Record<string, unknown>; unset: string[] } {
  const set: Record<string, unknown> = {
    type: c.type,
    localizedName: c.localizedName,
    position: c.position,
    published: c.published,
    mixins: c.mixins,
    'metadata.modifiedAt': now,
    ...storedOptionals(c),
  };
  if (c.metadataMixins) set['metadata.mixins'] = c.metadataMixins;
  if (ancestry) {
    set.ancestorIds = [...ancestry];
    set.depth = ancestry.length;
  }
  const unset = OPTIONAL_FIELDS.filter((f) => !(f in set));
  return { set, unset };
}

/** A new stored category from validated content. */
export function newRecord(id: string, c: CategoryContent, ancestry: readonly string[], now: Date): CategoryRecord {
  const r: CategoryRecord = {
    _id: id,
    type: c.type,
    ancestorIds: [...ancestry],
    depth: ancestry.length,
    localizedName: c.localizedName,
    position: c.position,
    published: c.published,
    mixins: c.mixins,
    metadata: { version: 1, createdAt: now, modifiedAt: now },
    ...storedOptionals(c),
  };
  if (c.metadataMixins) r.metadata.mixins = c.metadataMixins;
  return r;
}
