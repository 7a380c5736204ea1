import { ServiceHttpClient } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { HttpStub } from '@suite/testing';
import { CategoryClient } from './category.client';

describe('CategoryClient.treesContaining (segment §8.2)', () => {
  let stub: HttpStub;
  let http: ServiceHttpClient;
  let client: CategoryClient;
  const ctx = (tenant: string) => ({ tenant, requestId: 'req-1' }) as RequestContext;
  const forest = (name: string) => [{ id: 'tools', localizedName: { en: name }, subcategories: [{ id: 'hammers', subcategories: [] }] }];

  beforeAll(async () => {
    stub = await HttpStub.start();
    http = new ServiceHttpClient({ service: 'category', baseUrl: stub.url, tokenProvider: async () => 'token' });
    client = new CategoryClient(http);
  });
  afterAll(async () => {
    await http.close();
    await stub.close();
  });

  it('asks op 22 for the branches of the distinct ids, sorted, every time', async () => {
    stub.respond(() => ({ json: forest('Tools') }));
    await client.treesContaining(ctx('acme'), ['hammers', 'drills', 'hammers']);
    await client.treesContaining(ctx('acme'), ['drills', 'hammers']);
    expect(stub.requests).toHaveLength(2);
    for (const req of stub.requests) {
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/category/acme/category-trees/search');
      expect(Object.fromEntries(req.query)).toEqual({ branchesOnly: 'true' });
      expect(JSON.parse(req.body)).toEqual({ categoryIds: ['drills', 'hammers'] });
      expect(req.headers['accept-language']).toBe('*');
    }
  });

  it('reuses a decoding only for identical bytes asked with the same tenant and ids', async () => {
    let name = 'Tools';
    stub.respond(() => ({ json: forest(name) }));
    const a = await client.treesContaining(ctx('acme'), ['hammers']);
    expect(await client.treesContaining(ctx('acme'), ['hammers'])).toBe(a);
    // Other ids or another tenant: asked and decoded on their own, even for the same bytes.
    const other = await client.treesContaining(ctx('acme'), ['tools']);
    expect(other).not.toBe(a);
    expect(other).toEqual(a);
    expect(await client.treesContaining(ctx('beta'), ['hammers'])).not.toBe(a);
    expect(await client.treesContaining(ctx('acme'), ['hammers'])).toBe(a);
    name = 'Tools v2';
    expect((await client.treesContaining(ctx('acme'), ['hammers']))[0].localizedName).toEqual({ en: 'Tools v2' });
  });
});
