import { renderMetadata, MetadataView } from '@suite/api-kit';
import { defaultLanguageValue, projectMap } from '../shared/languages';
import type { CategoryRecord, CategoryType, ClassificationMixin } from './category.types';

/** How a read renders localized data: the Accept-Language selection and the tenant's languages. */
export interface RenderContext {
  /** LOC-3 selection, `null` = all translations. */
  selection: readonly string[] | null;
  tenantLanguages: readonly string[];
}

export interface ClassificationMixinView {
  name: string;
  mixinPath: string;
  schemaUrl: string;
  required: boolean;
  sourceCategoryId: string;
}

/** Category as returned (§4.1). */
export interface CategoryView {
  id: string;
  type: CategoryType;
  parentId?: string;
  code?: string;
  localizedName: Record<string, string>;
  localizedDescription?: Record<string, string>;
  localizedSlug?: Record<string, string>;
  name: string;
  description?: string;
  ecn?: string[];
  validity?: { from?: string; to?: string };
  position: number;
  published: boolean;
  supercategoriesIds?: string[];
  ownClassificationMixins?: ClassificationMixin[];
  classificationMixins?: ClassificationMixinView[];
  mixins: Record<string, unknown>;
  metadata: MetadataView;
  media: unknown[];
}

/** Tree node (§4.7). */
export interface TreeNodeView {
  id: string;
  parentId?: string;
  type: CategoryType;
  code?: string;
  localizedName: Record<string, string>;
  name: string;
  localizedDescription?: Record<string, string>;
  description?: string;
  localizedSlug?: Record<string, string>;
  validity?: { from?: string; to?: string };
  position: number;
  published: boolean;
  ecn?: string[];
  subcategories: TreeNodeView[];
}

/** Legacy node of the deprecated op 4 (§6.5). */
export interface LegacyTreeNodeView {
  id: string;
  parentId?: string;
  name: string;
  code?: string;
  description?: string;
  position: number;
  published: boolean;
  ecn?: string[];
  media: unknown[];
  subcategories: LegacyTreeNodeView[];
}

function validityView(v: CategoryRecord['validity']): { from?: string; to?: string } | undefined {
  if (!v || (!v.from && !v.to)) return undefined;
  const out: { from?: string; to?: string } = {};
  if (v.from) out.from = new Date(v.from).toISOString();
  if (v.to) out.to = new Date(v.to).toISOString();
  return out;
}

/**
 * §4.4: the own mixins of every category from the root down to this one, root first. `chain` is
 * the path root → … → category (the category last).
 */
export function classificationMixinsOf(chain: readonly CategoryRecord[]): ClassificationMixinView[] {
  const out: ClassificationMixinView[] = [];
  for (const c of chain) {
    for (const m of c.ownClassificationMixins ?? []) {
      out.push({ name: m.name, mixinPath: `class_${c.code ?? ''}_${m.name}`, schemaUrl: m.schemaUrl, required: m.required === true, sourceCategoryId: c._id });
    }
  }
  return out;
}

/** A stored category as the API returns it; optional properties without value are omitted (HTTP-11). */
export function toCategoryView(
  r: CategoryRecord,
  ctx: RenderContext,
  extra: { chain?: readonly CategoryRecord[]; supercategoriesIds?: string[] } = {},
): CategoryView {
  const v: CategoryView = {
    id: r._id,
    type: r.type,
    localizedName: projectMap(r.localizedName, ctx.selection),
    name: defaultLanguageValue(r.localizedName, ctx.tenantLanguages) ?? '',
    position: r.position ?? 0,
    published: r.published === true,
    mixins: r.mixins ?? {},
    metadata: renderMetadata(r.metadata),
    media: [],
  };
  addOptionalFields(v, r, ctx);
  if (extra.supercategoriesIds) v.supercategoriesIds = extra.supercategoriesIds;
  if (r.type === 'CLASSIFICATION') {
    v.ownClassificationMixins = (r.ownClassificationMixins ?? []).map((m) => ({ name: m.name, schemaUrl: m.schemaUrl, required: m.required === true }));
    v.classificationMixins = classificationMixinsOf(extra.chain ?? [r]);
  }
  return reorder(v);
}

// Keep a stable, readable property order in responses.
const ORDER = ['id', 'type', 'parentId', 'code', 'localizedName', 'name', 'localizedDescription', 'description', 'localizedSlug', 'ecn', 'validity', 'position', 'published', 'supercategoriesIds', 'ownClassificationMixins', 'classificationMixins', 'mixins', 'metadata', 'media'];
function reorder(v: CategoryView): CategoryView {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) if ((v as unknown as Record<string, unknown>)[k] !== undefined) out[k] = (v as unknown as Record<string, unknown>)[k];
  return out as unknown as CategoryView;
}

/** One tree node without children (the caller attaches `subcategories`). */
export function toTreeNode(r: CategoryRecord, ctx: RenderContext): TreeNodeView {
  const n: TreeNodeView = {
    id: r._id,
    type: r.type,
    localizedName: projectMap(r.localizedName, ctx.selection),
    name: defaultLanguageValue(r.localizedName, ctx.tenantLanguages) ?? '',
    position: r.position ?? 0,
    published: r.published === true,
    subcategories: [],
  };
  addOptionalFields(n, r, ctx);
  return n;
}

/** The fields a category view and a tree node share that are present only when set (§4.1, §4.7). */
function addOptionalFields(out: Pick<CategoryView, 'parentId' | 'code' | 'localizedDescription' | 'description' | 'localizedSlug' | 'validity' | 'ecn'>, r: CategoryRecord, ctx: RenderContext): void {
  if (r.parentId !== undefined) out.parentId = r.parentId;
  if (r.code !== undefined) out.code = r.code;
  if (r.localizedDescription) {
    out.localizedDescription = projectMap(r.localizedDescription, ctx.selection);
    const d = defaultLanguageValue(r.localizedDescription, ctx.tenantLanguages);
    if (d !== undefined) out.description = d;
  }
  if (r.localizedSlug) out.localizedSlug = projectMap(r.localizedSlug, ctx.selection);
  const validity = validityView(r.validity);
  if (validity) out.validity = validity;
  if (r.ecn?.length) out.ecn = [...r.ecn];
}

export function toLegacyNode(r: CategoryRecord, tenantLanguages: readonly string[]): LegacyTreeNodeView {
  const n: LegacyTreeNodeView = {
    id: r._id,
    name: defaultLanguageValue(r.localizedName, tenantLanguages) ?? '',
    position: r.position ?? 0,
    published: r.published === true,
    media: [],
    subcategories: [],
  };
  if (r.parentId !== undefined) n.parentId = r.parentId;
  if (r.code !== undefined) n.code = r.code;
  const d = defaultLanguageValue(r.localizedDescription, tenantLanguages);
  if (d !== undefined) n.description = d;
  if (r.ecn?.length) n.ecn = [...r.ecn];
  return n;
}

/** EVT-3: created/updated events carry the full state with complete maps (no Accept-Language). */
export function categoryEventData(r: CategoryRecord, tenant: string, tenantLanguages: readonly string[]): Record<string, unknown> {
  const { media: _media, ...rest } = toCategoryView(r, { selection: null, tenantLanguages });
  return { ...rest, tenant };
}
