import { filterLocalized, renderMetadata } from '@suite/api-kit';
import type { RenderContext } from '../common/list-request';
import { defaultLanguageValue } from '../common/localization';
import type { CategoryRecord } from './category.types';
import type { CategoryTreeNodeDto, LegacyTreeNodeDto } from './dto/category-tree.response.dto';
import type { CategoryResponseDto, ClassificationMixinResponseDto } from './dto/category.response.dto';

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
export function classificationMixinsOf(chain: readonly CategoryRecord[]): ClassificationMixinResponseDto[] {
  const out: ClassificationMixinResponseDto[] = [];
  for (const c of chain) {
    for (const m of c.ownClassificationMixins ?? []) {
      out.push({
        name: m.name,
        mixinPath: `class_${c.code ?? ''}_${m.name}`,
        schemaUrl: m.schemaUrl,
        required: m.required === true,
        sourceCategoryId: c._id,
      });
    }
  }
  return out;
}

/** What a category view and a tree node both begin with. */
function summaryOf(r: CategoryRecord, ctx: RenderContext) {
  return {
    id: r._id,
    type: r.type,
    localizedName: filterLocalized(r.localizedName, ctx.selection),
    name: defaultLanguageValue(r.localizedName, ctx.tenantLanguages) ?? '',
    position: r.position ?? 0,
    published: r.published === true,
  };
}

/** A stored category as the API returns it; optional properties without value are omitted (HTTP-11). */
export function toCategoryView(
  r: CategoryRecord,
  ctx: RenderContext,
  extra: { chain?: readonly CategoryRecord[]; supercategoriesIds?: string[] } = {},
): CategoryResponseDto {
  const v: CategoryResponseDto = {
    ...summaryOf(r, ctx),
    mixins: r.mixins ?? {},
    metadata: renderMetadata(r.metadata),
    media: [],
  };
  addOptionalFields(v, r, ctx);
  if (extra.supercategoriesIds) v.supercategoriesIds = extra.supercategoriesIds;
  if (r.type === 'CLASSIFICATION') {
    v.ownClassificationMixins = (r.ownClassificationMixins ?? []).map((m) => ({
      name: m.name,
      schemaUrl: m.schemaUrl,
      required: m.required === true,
    }));
    v.classificationMixins = classificationMixinsOf(extra.chain ?? [r]);
  }
  return reorder(v);
}

// Keep a stable, readable property order in responses.
const ORDER: ReadonlyArray<keyof CategoryResponseDto> = [
  'id',
  'type',
  'parentId',
  'code',
  'localizedName',
  'name',
  'localizedDescription',
  'description',
  'localizedSlug',
  'ecn',
  'validity',
  'position',
  'published',
  'supercategoriesIds',
  'ownClassificationMixins',
  'classificationMixins',
  'mixins',
  'metadata',
  'media',
];
function reorder(v: CategoryResponseDto): CategoryResponseDto {
  const source: Partial<Record<keyof CategoryResponseDto, unknown>> = v;
  const out: Partial<Record<keyof CategoryResponseDto, unknown>> = {};
  for (const k of ORDER) if (source[k] !== undefined) out[k] = source[k];
  return out as CategoryResponseDto;
}

/** One tree node without children (the caller attaches `subcategories`). */
export function toTreeNode(r: CategoryRecord, ctx: RenderContext): CategoryTreeNodeDto {
  const n: CategoryTreeNodeDto = { ...summaryOf(r, ctx), subcategories: [] };
  addOptionalFields(n, r, ctx);
  return n;
}

/** The fields a category view and a tree node share that are present only when set (§4.1, §4.7). */
function addOptionalFields(
  out: Pick<CategoryResponseDto, 'parentId' | 'code' | 'localizedDescription' | 'description' | 'localizedSlug' | 'validity' | 'ecn'>,
  r: CategoryRecord,
  ctx: RenderContext,
): void {
  if (r.parentId !== undefined) out.parentId = r.parentId;
  if (r.code !== undefined) out.code = r.code;
  if (r.localizedDescription) {
    out.localizedDescription = filterLocalized(r.localizedDescription, ctx.selection);
    const d = defaultLanguageValue(r.localizedDescription, ctx.tenantLanguages);
    if (d !== undefined) out.description = d;
  }
  if (r.localizedSlug) out.localizedSlug = filterLocalized(r.localizedSlug, ctx.selection);
  const validity = validityView(r.validity);
  if (validity) out.validity = validity;
  if (r.ecn?.length) out.ecn = [...r.ecn];
}

export function toLegacyNode(r: CategoryRecord, tenantLanguages: readonly string[]): LegacyTreeNodeDto {
  const n: LegacyTreeNodeDto = {
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
