import type { StubAnswer, StubRequest } from './support';

// A stand-in for the category service, answering ops 5, 19 and 22 as category.md (§4.1, §4.7,
// §5.4, §6.2, §7.9) describes them, over the published categories only.

interface Cat {
  id: string;
  parentId?: string;
  code?: string;
  localizedName: Record<string, string>;
  localizedSlug?: Record<string, string>;
  position: number;
  published: boolean;
}

/** §8.5 worked example, plus an unpublished branch and a second root. */
export const CATEGORIES: Cat[] = [
  {
    id: 'cat-tools',
    code: 'T',
    localizedName: { en: 'Tools', de: 'Werkzeuge' },
    localizedSlug: { en: 'tools' },
    position: 0,
    published: true,
  },
  { id: 'cat-hammers', parentId: 'cat-tools', code: 'H', localizedName: { en: 'Hammers', de: 'Hämmer' }, position: 0, published: true },
  { id: 'cat-sledge', parentId: 'cat-hammers', code: 'S', localizedName: { en: 'Sledgehammers' }, position: 0, published: true },
  { id: 'cat-saws', parentId: 'cat-tools', code: 'W', localizedName: { en: 'Saws' }, position: 1, published: true },
  { id: 'cat-secret', parentId: 'cat-tools', localizedName: { en: 'Secret' }, position: 2, published: false },
  { id: 'cat-garden', localizedName: { en: 'Garden' }, position: 1, published: true },
];

/** Product → category ids it is assigned to (op 19). */
export const PRODUCT_CATEGORIES: Record<string, string[]> = {
  'p-sledge': ['cat-sledge'],
  'p-garden': ['cat-garden'],
  'p-saw': ['cat-saws'],
  'p-secret': ['cat-secret'],
};

function published(id: string): Cat | undefined {
  const c = CATEGORIES.find((x) => x.id === id);
  if (!c || !c.published) return undefined;
  // Anything reachable only through an unpublished category is hidden too.
  return c.parentId && !published(c.parentId) ? undefined : c;
}

function ancestors(c: Cat): string[] {
  const out: string[] = [];
  for (let p = c.parentId; p; p = CATEGORIES.find((x) => x.id === p)?.parentId) out.unshift(p);
  return out;
}

function node(c: Cat): Record<string, unknown> {
  const children = CATEGORIES.filter((x) => x.parentId === c.id && published(x.id)).sort((a, b) => a.position - b.position);
  return {
    id: c.id,
    ...(c.parentId ? { parentId: c.parentId } : {}),
    type: 'STANDARD',
    ...(c.code ? { code: c.code } : {}),
    localizedName: c.localizedName,
    name: c.localizedName.en,
    ...(c.localizedSlug ? { localizedSlug: c.localizedSlug } : {}),
    position: c.position,
    published: c.published,
    subcategories: children.map(node),
  };
}

function contains(n: Record<string, unknown>, ids: Set<string>): boolean {
  return ids.has(n.id as string) || (n.subcategories as Record<string, unknown>[]).some((c) => contains(c, ids));
}

/** The healthy category service. */
export function categoryService(req: StubRequest): StubAnswer {
  const m = /^\/category\/([a-z0-9]+)\/(.*)$/.exec(req.path);
  if (!m) return { status: 404, json: { code: 404 } };
  const rest = m[2];
  if (req.method === 'POST' && rest === 'category-trees/search') {
    const body = JSON.parse(req.body || '{}') as { categoryIds?: unknown };
    if (!Array.isArray(body.categoryIds))
      return { status: 400, json: { code: 400, details: ['searchRequest.categoryIds: must not be null'] } };
    const ids = new Set(body.categoryIds as string[]);
    const roots = CATEGORIES.filter((c) => !c.parentId && c.published)
      .sort((a, b) => a.position - b.position)
      .map(node);
    return { json: roots.filter((r) => contains(r, ids)) };
  }
  const ref = /^assignments\/references\/([^/]+)$/.exec(rest);
  if (req.method === 'GET' && ref) {
    const product = decodeURIComponent(ref[1]);
    const cats = PRODUCT_CATEGORIES[product];
    if (!cats) return { status: 404, json: { code: 404, message: 'Error while getting categories for assignment reference' } };
    const pageNumber = Number(req.query.get('pageNumber') ?? '1');
    const visible = cats.map(published).filter((c): c is Cat => c !== undefined);
    const page = pageNumber === 1 ? visible : [];
    return { json: page.map((c) => ({ ...node(c), subcategories: undefined, supercategoriesIds: ancestors(c) })) };
  }
  const one = /^categories\/([^/]+)$/.exec(rest);
  if (req.method === 'GET' && one) {
    const c = published(decodeURIComponent(one[1]));
    if (!c) return { status: 404, json: { code: 404, message: 'Error while getting category' } };
    return { json: { ...node(c), subcategories: undefined, mixins: {}, metadata: { version: 1 }, media: [] } };
  }
  return { status: 404, json: { code: 404 } };
}

/** Claims of the bearer token a stub request carried (no verification: only to read them). */
export function tokenClaims(req: StubRequest): Record<string, unknown> {
  const header = String(req.headers.authorization ?? '');
  const payload = header.replace(/^Bearer /, '').split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
