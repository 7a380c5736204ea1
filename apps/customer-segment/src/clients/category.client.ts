import { Inject, Injectable } from '@nestjs/common';
import { ApiError, LocalizedMap, PEER_MAX_PAGE_DEPTH, PEER_MAX_PAGE_SIZE, ServiceHttpClient, readAllPages } from '@suite/api-kit';
import { RequestContext, forwardHeaders } from '@suite/auth';
import { TreeBodyMemo } from './tree-body-memo';

/** Injection token of the category service's `ServiceHttpClient` (`null` when CATEGORY_URL is unset, S2S-11). */
export const CATEGORY_HTTP = Symbol.for('customer-segment.categoryHttp');

const SERVICE = 'category';

/**
 * A node of a published category tree, reduced to the fields segment §8.2 reads (tolerant reader).
 * Decoded answers are shared by the requests that receive identical bytes (`TreeBodyMemo`), so
 * every node is deeply frozen and typed read-only.
 */
export interface CategoryTreeNode {
  readonly id: string;
  readonly parentId?: string;
  readonly code?: string;
  readonly localizedName: Readonly<LocalizedMap>;
  readonly localizedDescription?: Readonly<LocalizedMap>;
  readonly localizedSlug?: Readonly<LocalizedMap>;
  readonly ecn?: readonly string[];
  readonly validity?: { readonly from?: string; readonly to?: string };
  readonly position?: number;
  readonly published?: boolean;
  readonly subcategories: readonly CategoryTreeNode[];
}

/** A category a product is assigned to, with its ancestors (category op 19). */
export interface ProductCategory {
  id: string;
  supercategoriesIds: string[];
}

/** Best-effort snapshot for item enrichment (segment §2.2). */
export interface CategorySnapshot {
  code?: string;
  name?: LocalizedMap;
}

/** Deepest tree we accept; a deeper answer is treated as garbage rather than recursed into. */
const MAX_TREE_DEPTH = 64;

/**
 * The three calls this service makes to the category service (README table, segment §2.2, §8, §9).
 * All are published-only reads: the service token carries no scope (S2S-3), `showUnpublished` is
 * never sent, and `Accept-Language: *` asks for complete maps that this service narrows itself.
 * Trees and product lookups fail closed with `503 upstream_unavailable` (S2S-10, S2S-11): an
 * unparseable or malformed body is a failure, never a partial answer. Enrichment never fails.
 */
@Injectable()
export class CategoryClient {
  private readonly treeBodies = new TreeBodyMemo<readonly CategoryTreeNode[]>();

  constructor(@Inject(CATEGORY_HTTP) private readonly http: ServiceHttpClient | null) {}

  /**
   * Category op 22: every published tree containing at least one of `categoryIds`, with
   * `branchesOnly=true` (the category service's suite extension): only the branches that lead to
   * those categories, which is all segment §8.3 keeps. A category service without the extension
   * answers the whole trees, which prune to the same result. Asked on every call (S2S-11); an
   * answer identical to the previous one for the same tenant and ids reuses its decoding.
   */
  async treesContaining(ctx: RequestContext, categoryIds: string[]): Promise<readonly CategoryTreeNode[]> {
    const http = this.require();
    const tenant = ctx.tenant;
    const asked = [...new Set(categoryIds)].sort();
    const memoKey = `${tenant}\u0000${asked.join('\u0000')}`;
    // Conditional when an earlier answer came with a tag: the category service's word, given now,
    // that the answer is that one (a 412 to this POST) lets its decoding be used (S2S-11 holds).
    const earlier = this.treeBodies.tagged(memoKey);
    const res = await http.request<unknown>({
      tenant,
      method: 'POST',
      path: `/category/${tenant}/category-trees/search`,
      pathTemplate: '/category/{tenant}/category-trees/search',
      query: { branchesOnly: true },
      body: { categoryIds: asked },
      scopes: [],
      headers: { ...forwardHeaders(ctx), 'accept-language': '*' },
      // A search only reads, so it may be retried (S2S-7).
      idempotent: true,
      decodeBody: (bytes) => this.treeBodies.decode(memoKey, bytes, decodeTrees),
      ifNoneMatch: earlier?.etag,
    });
    if (res.unchanged) return earlier!.value;
    const etag = res.headers.etag;
    this.treeBodies.tag(memoKey, res.body as readonly CategoryTreeNode[], typeof etag === 'string' ? etag : undefined);
    return res.body as readonly CategoryTreeNode[];
  }

  /**
   * Category op 19 with `expandSupercategoriesIds=true`, every page (S2S-14). `null` when the
   * category service answers 404: the product has no category assignment at all (segment §9).
   */
  async categoriesOfProduct(ctx: RequestContext, productId: string): Promise<ProductCategory[] | null> {
    const http = this.require();
    const tenant = ctx.tenant;
    let none = false;
    const rows = await readAllPages<unknown>(
      async (pageNumber, pageSize) => {
        const res = await http.request<unknown>({
          tenant,
          method: 'GET',
          path: `/category/${tenant}/assignments/references/${encodeURIComponent(productId)}`,
          pathTemplate: '/category/{tenant}/assignments/references/{referenceId}',
          query: { expandSupercategoriesIds: true, pageSize, pageNumber },
          scopes: [],
          headers: forwardHeaders(ctx),
          expect404: true,
        });
        if (res.status === 404) {
          // Only the first page may say "no assignment"; a 404 later means the list changed under us.
          if (pageNumber !== 1) throw garbage();
          none = true;
          return [];
        }
        return res.body as unknown[];
      },
      PEER_MAX_PAGE_SIZE,
      PEER_MAX_PAGE_DEPTH,
      SERVICE,
    );
    if (none) return null;
    return rows.map(readProductCategory);
  }

  /**
   * Category op 5, best-effort (S2S-11, segment §2.2): `undefined` on a 404 (unknown or
   * unpublished) and on any failure, so a write never fails because of enrichment. Bounded to
   * 1 s and no retry: it sits on the write path and is only decoration (HTTP-8 item 15).
   */
  async snapshot(ctx: RequestContext, categoryId: string): Promise<CategorySnapshot | undefined> {
    if (!this.http) return undefined;
    const tenant = ctx.tenant;
    try {
      const res = await this.http.request<unknown>({
        tenant,
        method: 'GET',
        path: `/category/${tenant}/categories/${encodeURIComponent(categoryId)}`,
        pathTemplate: '/category/{tenant}/categories/{categoryId}',
        scopes: [],
        headers: { ...forwardHeaders(ctx), 'accept-language': '*' },
        expect404: true,
        timeouts: { attemptMs: 1000, deadlineMs: 1000 },
        maxRetries: 0,
      });
      if (res.status === 404 || !isObject(res.body)) return undefined;
      const out: CategorySnapshot = {};
      if (typeof res.body.code === 'string') out.code = res.body.code;
      const name = readMap(res.body.localizedName);
      if (name) out.name = name;
      return out.code === undefined && out.name === undefined ? undefined : out;
    } catch {
      return undefined;
    }
  }

  private require(): ServiceHttpClient {
    // No CATEGORY_URL: the category service is unreachable by configuration (fail closed).
    if (!this.http) throw ApiError.upstreamUnavailable(SERVICE);
    return this.http;
  }
}

function garbage(): ApiError {
  return ApiError.upstreamUnavailable(SERVICE);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A localized map of strings; non-string entries are dropped (tolerant reader). */
function readMap(v: unknown): LocalizedMap | undefined {
  if (!isObject(v)) return undefined;
  const out: LocalizedMap = {};
  for (const [k, text] of Object.entries(v)) if (typeof text === 'string') out[k] = text;
  return out;
}

/** Strict UTF-8 JSON, an array of well-formed root nodes, deeply frozen; anything else throws. */
function decodeTrees(bytes: Buffer): readonly CategoryTreeNode[] {
  const raw: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  if (!Array.isArray(raw)) throw garbage();
  return Object.freeze(raw.map((n) => readNode(n, 0)));
}

function readNode(raw: unknown, depth: number): CategoryTreeNode {
  if (depth > MAX_TREE_DEPTH || !isObject(raw) || typeof raw.id !== 'string' || raw.id === '') throw garbage();
  if (raw.subcategories !== undefined && raw.subcategories !== null && !Array.isArray(raw.subcategories)) throw garbage();
  if (raw.localizedName !== undefined && !isObject(raw.localizedName)) throw garbage();
  const node: { -readonly [K in keyof CategoryTreeNode]: CategoryTreeNode[K] } = {
    id: raw.id,
    localizedName: Object.freeze(readMap(raw.localizedName) ?? {}),
    subcategories: Object.freeze(((raw.subcategories as unknown[] | undefined) ?? []).map((c) => readNode(c, depth + 1))),
  };
  if (typeof raw.parentId === 'string') node.parentId = raw.parentId;
  if (typeof raw.code === 'string') node.code = raw.code;
  const description = readMap(raw.localizedDescription);
  if (description) node.localizedDescription = Object.freeze(description);
  const slug = readMap(raw.localizedSlug);
  if (slug) node.localizedSlug = Object.freeze(slug);
  if (Array.isArray(raw.ecn)) node.ecn = Object.freeze(raw.ecn.filter((e): e is string => typeof e === 'string'));
  if (isObject(raw.validity)) {
    const v: { from?: string; to?: string } = {};
    if (typeof raw.validity.from === 'string') v.from = raw.validity.from;
    if (typeof raw.validity.to === 'string') v.to = raw.validity.to;
    node.validity = Object.freeze(v);
  }
  if (typeof raw.position === 'number') node.position = raw.position;
  if (typeof raw.published === 'boolean') node.published = raw.published;
  return Object.freeze(node);
}

function readProductCategory(raw: unknown): ProductCategory {
  if (!isObject(raw) || typeof raw.id !== 'string') throw garbage();
  const supers = raw.supercategoriesIds;
  if (supers !== undefined && supers !== null && (!Array.isArray(supers) || supers.some((s) => typeof s !== 'string'))) throw garbage();
  return { id: raw.id, supercategoriesIds: (supers as string[] | undefined) ?? [] };
}
