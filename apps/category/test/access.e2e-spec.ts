import { RouteAccessInspector } from '@suite/auth';
import { MongoClient } from 'mongodb';
import { CATEGORY_SCOPES } from '../src/category.scopes';
import { Client, expectCategoryError, Harness, startHarness } from './support';

const M = CATEGORY_SCOPES.manage;
const P = '/category/:tenant';

/** The operation index of category §2: method, path, scopes always needed (none = any valid token). */
const SPEC_TABLE: Array<[string, string, string[]]> = [
  ['GET', `${P}/categories`, []],
  ['POST', `${P}/categories`, [M]],
  ['POST', `${P}/categories/search`, []],
  ['GET', `${P}/categories/categoryTree`, []],
  ['GET', `${P}/categories/:categoryId`, []],
  ['PUT', `${P}/categories/:categoryId`, [M]],
  ['PATCH', `${P}/categories/:categoryId`, [M]],
  ['DELETE', `${P}/categories/:categoryId`, [M]],
  ['GET', `${P}/categories/:categoryId/parents`, []],
  ['GET', `${P}/categories/:categoryId/subcategories`, []],
  ['GET', `${P}/categories/:categoryId/assignments`, []],
  ['POST', `${P}/categories/:categoryId/assignments`, [M]],
  ['DELETE', `${P}/categories/:categoryId/assignments`, [M]],
  ['POST', `${P}/categories/:categoryId/assignments/bulk`, [M]],
  ['PUT', `${P}/categories/:categoryId/assignments/references/bulk`, [M]],
  ['PUT', `${P}/categories/:categoryId/assignments/references/:referenceId`, [M]],
  ['DELETE', `${P}/categories/:categoryId/assignments/references/:referenceId`, [M]],
  ['DELETE', `${P}/categories/:categoryId/assignments/:assignmentId`, [M]],
  ['GET', `${P}/assignments/references/:referenceId`, []],
  ['DELETE', `${P}/assignments/references/:referenceId`, [M]],
  ['GET', `${P}/category-trees`, []],
  ['POST', `${P}/category-trees/search`, []],
  ['GET', `${P}/category-trees/:categoryId`, []],
  ['POST', `${P}/category-trees/:rootCategoryId/rebuild`, [M]],
];

/**
 * Suite extensions on routes of the index: the same route row (scopes as listed), with what the
 * extension adds. Op 22 `branchesOnly` (README "Branches of the category trees").
 */
const EXTENSIONS: Array<[string, string, string[]]> = [['POST', `${P}/category-trees/search?branchesOnly=true`, []]];

/** The two public documentation routes of every service (conventions AUTH-8). */
const DOCUMENTATION_ROUTES = [
  ['GET', '/category/openapi.json', ['<public>']],
  ['GET', '/category/docs', ['<public>']],
];

const concrete = (path: string, tenant: string) =>
  path
    .replace(':tenant', tenant)
    .replace(':categoryId', 'A')
    .replace(':rootCategoryId', 'A')
    .replace(':referenceId', 'p-1')
    .replace(':assignmentId', 'x');

describe('access control, tenancy and the error profile', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('wires every route exactly as the operation index says', () => {
    const routes = h.app.app
      .get(RouteAccessInspector)
      .listRouteAccess()
      .filter((r) => r.path.startsWith('/category/'))
      .map((r) => [r.method, r.path, r.access === 'scopes' ? r.scopes : r.access === 'authenticated' ? [] : [`<${r.access}>`]]);
    const sortKey = (r: unknown[]) => `${r[1]} ${r[0]}`;
    expect(routes.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [...SPEC_TABLE, ...DOCUMENTATION_ROUTES].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    );
  });

  it.each([...SPEC_TABLE, ...EXTENSIONS])(
    '%s %s: 401 without a token, 403 for another tenant, scope as listed',
    async (method, path, scopes) => {
      const url = `${h.url}${concrete(path, 'acc')}`;
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{}' : undefined;
      const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const noToken = await fetch(url, { method, headers, body });
      expect(noToken.status).toBe(401);
      expect(await noToken.json()).toEqual({
        fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
      });
      const garbage = await fetch(url, { method, headers: { ...headers, authorization: 'Bearer not.a.jwt' }, body });
      expect(garbage.status).toBe(401);
      // Another tenant's token on this tenant's path, with every scope: 403 tenant_mismatch.
      const foreign = await fetch(url, { method, headers: { ...headers, ...(await authOf(await Client.as(h.url, 'other'))) }, body });
      expect(foreign.status).toBe(403);
      expect((await foreign.json()).errorCode).toBe('tenant_mismatch');
      const anon = await Client.as(h.url, 'acc', [], { principalType: 'anonymous', sid: 'v' } as never);
      const res = await anon.call(method, concrete(path, 'acc').replace('/category/acc', ''), body ? {} : undefined);
      if (scopes.length) {
        expectCategoryError(res, 403, 'insufficient_scope');
        expect(res.body.details).toEqual([`Required scope(s): ${scopes.join(', ')}`]);
        const allowed = await Client.as(h.url, 'acc', scopes);
        const ok = await allowed.call(method, concrete(path, 'acc').replace('/category/acc', ''), body ? {} : undefined);
        expect(ok.status).not.toBe(403);
        expect(ok.status).not.toBe(401);
      } else {
        expect([401, 403]).not.toContain(res.status);
      }
    },
  );

  it('ignores showUnpublished where the operation has none (writes, op 4); reads still need the scope', async () => {
    const admin = await Client.as(h.url, 'shw');
    await admin.category({ id: 'A' });
    const manager = await Client.as(h.url, 'shw', [M]);
    const q = '?showUnpublished=true';
    expect((await manager.post(`/categories${q}`, { id: 'B', localizedName: { en: 'B' }, published: false })).status).toBe(201);
    expect((await manager.put(`/categories/B${q}`, { localizedName: { en: 'B2' }, published: false })).status).toBe(204);
    expect((await manager.patch(`/categories/B${q}`, { position: 1, metadata: { version: 2 } })).status).toBe(204);
    const created = await manager.post(`/categories/A/assignments${q}`, { ref: { id: 'p-1', type: 'PRODUCT' } });
    expect(created.status).toBe(201);
    expect((await manager.post(`/categories/A/assignments/bulk${q}`, [{ ref: { id: 'p-2', type: 'PRODUCT' } }])).status).toBe(207);
    expect((await manager.put(`/categories/A/assignments/references/bulk${q}`, [{ ref: { id: 'p-3' } }])).status).toBe(207);
    expect((await manager.put(`/categories/A/assignments/references/p-4${q}`)).status).toBe(201);
    expect((await manager.delete(`/categories/A/assignments/references/p-4${q}`)).status).toBe(204);
    expect((await manager.delete(`/categories/A/assignments/${created.body.id}${q}`)).status).toBe(204);
    expect((await manager.delete(`/assignments/references/p-3${q}`)).status).toBe(204);
    expect((await manager.delete(`/categories/A/assignments${q}`)).status).toBe(204);
    expect((await manager.delete(`/categories/B${q}`)).status).toBe(204);
    const anon = await Client.as(h.url, 'shw', [], { principalType: 'anonymous', sid: 'v' } as never);
    expect((await anon.get(`/categories/categoryTree${q}`)).status).toBe(200);
    // The reads that take the parameter keep their scope check (§3.2).
    for (const path of [
      '/categories',
      '/categories/A',
      '/categories/A/parents',
      '/categories/A/subcategories',
      '/categories/A/assignments',
      '/assignments/references/p-2',
      '/category-trees',
      '/category-trees/A',
    ]) {
      expectCategoryError(await manager.get(`${path}${q}`), 403, 'insufficient_scope');
    }
    expectCategoryError(await manager.post(`/categories/search${q}`, {}), 403, 'insufficient_scope');
    expectCategoryError(await manager.post(`/category-trees/search${q}`, { categoryIds: ['A'] }), 403, 'insufficient_scope');
    expectCategoryError(
      await manager.post(`/category-trees/search${q}&branchesOnly=true`, { categoryIds: ['A'] }),
      403,
      'insufficient_scope',
    );
    expectCategoryError(await manager.post(`/category-trees/A/rebuild${q}`), 403, 'insufficient_scope');
  });

  it('answers 403 tenant_mismatch for another or a malformed path tenant, before reading the body', async () => {
    const beta = await Client.as(h.url, 'beta');
    for (const tenant of ['alpha', 'ALPHA', 'a_b', 'x']) {
      const res = await fetch(`${h.url}/category/${tenant}/categories`, {
        method: 'POST',
        headers: { ...(await authOf(beta)), 'content-type': 'application/json' },
        body: '{broken',
      });
      expect(res.status).toBe(403);
      const body = await res.json();
      expect(body).toMatchObject({ code: 403, status: 'Forbidden', errorCode: 'tenant_mismatch' });
    }
  });

  it('TEN-9: isolation between tenants, with the same custom id, and no collection created by a refused request', async () => {
    const alpha = await Client.as(h.url, 'alpha');
    const beta = await Client.as(h.url, 'beta');
    expect((await alpha.post('/categories', { id: 'SAME', localizedName: { en: 'alpha' }, published: true })).status).toBe(201);
    // 1. alpha's resource is simply not found in beta.
    expectCategoryError(await beta.get('/categories/SAME'), 404, 'resource_not_found');
    expectCategoryError(await beta.get('/category-trees/SAME'), 404, 'resource_not_found');
    expect(await beta.get('/category-trees')).toMatchObject({ status: 200, body: [] });
    // 2. beta's token on alpha's path: 403, and nothing is created for anyone.
    const mc = await MongoClient.connect(h.db.uri);
    const names = async () => (await mc.db('category').listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    const before = await names();
    const res = await fetch(`${h.url}/category/gamma/categories`, {
      method: 'POST',
      headers: { ...(await authOf(beta)), 'content-type': 'application/json' },
      body: JSON.stringify({ localizedName: { en: 'x' }, published: true }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).errorCode).toBe('tenant_mismatch');
    expect(await names()).toEqual(before);
    expect(before.filter((n) => n.startsWith('gamma_'))).toEqual([]);
    // Reads of an unknown tenant create nothing either.
    const gamma = await Client.as(h.url, 'gamma');
    await gamma.get('/categories');
    await gamma.get('/category-trees');
    await gamma.get('/categories/SAME');
    expect(await names()).toEqual(before);
    // 3. the same custom id in both tenants, each reads its own.
    expect((await beta.post('/categories', { id: 'SAME', localizedName: { en: 'beta' }, published: true })).status).toBe(201);
    expect((await alpha.get('/categories/SAME')).body.localizedName).toEqual({ en: 'alpha' });
    expect((await beta.get('/categories/SAME')).body.localizedName).toEqual({ en: 'beta' });
    await mc.close();
  });

  it('renders every other 4xx in the category profile', async () => {
    const c = await Client.as(h.url, 'prof');
    await c.category({ id: 'A' });
    expectCategoryError(await c.post('/categories', 'nope', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    const big = await c.post('/categories', `{"x":"${'a'.repeat(10 * 1024 * 1024)}"}`);
    expectCategoryError(big, 413, 'payload_too_large');
    expectCategoryError(await c.post('/categories', '{"a":'), 400, 'malformed_json');
    expectCategoryError(await c.get('/categories?q[$ne]=1'), 400, 'validation_failed');
    expectCategoryError(await c.get('/nowhere'), 404, 'route_not_found');
    expectCategoryError(await c.call('PATCH', '/category-trees'), 404, 'route_not_found');
    expectCategoryError(await c.post('/categories', { localizedName: { en: 'x' }, published: true, $where: 1 }), 400, 'validation_failed');
    expect((await c.get('/categories/A', { 'x-version': 'v2' })).status).toBe(200);
    const tooLongTotal = await c.get('/categories', { 'x-total-count': 'maybe' });
    expect(tooLongTotal.status).toBe(200);
  }, 30_000);

  it('serves what customer-segment calls with a service token holding no scope (ops 5, 19, 22)', async () => {
    const admin = await Client.as(h.url, 'peer');
    await admin.category({ id: 'R', localizedName: { en: 'Root', de: 'Wurzel' }, code: 'r' });
    await admin.category({ id: 'R1', parentId: 'R', localizedName: { en: 'One' }, localizedSlug: { en: 'one' }, ecn: ['e-1'] });
    await admin.category({ id: 'H', parentId: 'R', published: false });
    await admin.post('/categories/R1/assignments', { ref: { id: 'prod-1', type: 'PRODUCT' } });
    const svc = await Client.as(h.url, 'peer', [], { principalType: 'service', client_id: 'customer-segment' } as never);
    const one = await svc.get('/categories/R1', { 'accept-language': '*' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 'R1', localizedName: { en: 'One' } });
    expectCategoryError(await svc.get('/categories/H', { 'accept-language': '*' }), 404, 'resource_not_found');
    const byRef = await svc.get('/assignments/references/prod-1?expandSupercategoriesIds=true&pageSize=1000&pageNumber=1');
    expect(byRef.body.map((c: any) => [c.id, c.supercategoriesIds])).toEqual([['R1', ['R']]]);
    expect((await svc.get('/assignments/references/unknown?expandSupercategoriesIds=true&pageSize=1000&pageNumber=1')).status).toBe(404);
    const trees = await svc.post('/category-trees/search', { categoryIds: ['R1', 'H'] }, { 'accept-language': '*' });
    expect(trees.status).toBe(200);
    expect(trees.body).toEqual([
      {
        id: 'R',
        type: 'STANDARD',
        code: 'r',
        localizedName: { en: 'Root', de: 'Wurzel' },
        name: 'Root',
        position: 0,
        published: true,
        subcategories: [
          {
            id: 'R1',
            parentId: 'R',
            type: 'STANDARD',
            localizedName: { en: 'One' },
            name: 'One',
            localizedSlug: { en: 'one' },
            position: 0,
            published: true,
            ecn: ['e-1'],
            subcategories: [],
          },
        ],
      },
    ]);
    expect((await svc.post('/category-trees/search', { categoryIds: ['H'] })).body).toEqual([]);
    // What it asks since the suite extension: the branches only, the same nodes here.
    const branches = await svc.post('/category-trees/search?branchesOnly=true', { categoryIds: ['H', 'R1'] }, { 'accept-language': '*' });
    expect(branches.body).toEqual(trees.body);
    expectCategoryError(
      await svc.post('/category-trees/search?branchesOnly=true&showUnpublished=true', { categoryIds: ['H'] }),
      403,
      'insufficient_scope',
    );
    // Another tenant's categories are never in the branches, whatever ids are asked for.
    const other = await Client.as(h.url, 'peer2', [], { principalType: 'service', client_id: 'customer-segment' } as never);
    expect((await other.post('/category-trees/search?branchesOnly=true', { categoryIds: ['R1', 'R'] })).body).toEqual([]);
    expectCategoryError(await svc.post('/category-trees/search', {}), 400, 'validation_failed');
    expect((await svc.post('/category-trees/search', { categoryIds: 'R' })).body.details).toEqual([
      'searchRequest.categoryIds: must not be null',
    ]);
  });
});

async function authOf(c: Client): Promise<Record<string, string>> {
  return (c as unknown as { auth: Record<string, string> }).auth;
}
