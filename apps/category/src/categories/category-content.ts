import { applyMergePatch } from '@suite/api-kit';
import { typeImmutable } from '../shared/category.errors';
import type { CategoryPatch } from './category-input';
import type { CategoryContent, CategoryRecord, LocalizedMap } from './category.types';

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
  if (p.ownClassificationMixins === null || (p.ownClassificationMixins && p.ownClassificationMixins.length === 0)) delete c.ownClassificationMixins;
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

const OPTIONAL_FIELDS = ['parentId', 'code', 'codeLower', 'localizedDescription', 'localizedSlug', 'ecn', 'validity', 'ownClassificationMixins', 'metadata.mixins'] as const;

/**
 * The `$set`/`$unset` of a full replacement of the content (PUT, and PATCH after merging),
 * `metadata.modifiedAt` included. The ancestry is set only when given (moves).
 */
export function contentUpdate(c: CategoryContent, now: Date, ancestry?: readonly string[]): { set: Record<string, unknown>; unset: string[] } {
  const set: Record<string, unknown> = {
    type: c.type,
    localizedName: c.localizedName,
    position: c.position,
    published: c.published,
    mixins: c.mixins,
    'metadata.modifiedAt': now,
  };
  if (c.parentId !== undefined) set.parentId = c.parentId;
  if (c.code !== undefined) {
    set.code = c.code;
    set.codeLower = c.code.toLowerCase();
  }
  if (c.localizedDescription) set.localizedDescription = c.localizedDescription;
  if (c.localizedSlug) set.localizedSlug = c.localizedSlug;
  if (c.ecn?.length) set.ecn = c.ecn;
  if (c.validity) set.validity = c.validity;
  if (c.ownClassificationMixins?.length) set.ownClassificationMixins = c.ownClassificationMixins;
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
  };
  if (c.parentId !== undefined) r.parentId = c.parentId;
  if (c.code !== undefined) {
    r.code = c.code;
    r.codeLower = c.code.toLowerCase();
  }
  if (c.localizedDescription) r.localizedDescription = c.localizedDescription;
  if (c.localizedSlug) r.localizedSlug = c.localizedSlug;
  if (c.ecn?.length) r.ecn = c.ecn;
  if (c.validity) r.validity = c.validity;
  if (c.ownClassificationMixins?.length) r.ownClassificationMixins = c.ownClassificationMixins;
  if (c.metadataMixins) r.metadata.mixins = c.metadataMixins;
  return r;
}
