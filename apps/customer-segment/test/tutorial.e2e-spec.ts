import { categoryService } from './fake-category';
import { Harness, auth, client, customer, startHarness } from './support';

const T = 'tutorial';
const base = `/customer-segment/${T}`;

/** The seed tutorial of the public API, end to end over HTTP (as documented in the README). */
describe('tutorial: a segment, its items and customers, seen by the customer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.category.respond(categoryService);
  });
  afterAll(async () => h.close());

  it('runs the whole flow', async () => {
    const call = client(h.url);
    const admin = await auth(T);

    // 1. Create a segment.
    const created = await call('POST', `${base}/segments`, {
      headers: admin,
      body: {
        name: { en: 'Gold customers' },
        description: { en: 'Top spenders' },
        status: 'ACTIVE',
        siteCode: 'main',
        validity: { from: '2024-01-01T00:00:00.000Z' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // 2. Assign a product and a category.
    expect((await call('PUT', `${base}/segments/${id}/items/PRODUCT/p-hammer-1`, { headers: admin })).status).toBe(201);
    expect((await call('PUT', `${base}/segments/${id}/items/CATEGORY/cat-hammers`, { headers: admin })).status).toBe(201);

    // 3. Add a B2B and a B2C customer (both upserts: created, then an update answers 204).
    expect(
      (
        await call('PUT', `${base}/segments/${id}/customers/c-200/le-1`, {
          headers: admin,
          body: { mixins: { segmentAttributes: { membershipStatus: 'PREMIUM' } } },
        })
      ).status,
    ).toBe(201);
    expect((await call('PUT', `${base}/segments/${id}/customers/c-100`, { headers: admin })).status).toBe(201);
    expect(
      (await call('PUT', `${base}/segments/${id}/customers/c-100`, { headers: admin, body: { metadata: { version: 1 } } })).status,
    ).toBe(204);

    // 4. Search with q=siteCode:main.
    const found = await call('GET', `${base}/segments?q=siteCode:main`, { headers: { ...admin, 'x-total-count': 'true' } });
    expect(found.body.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(found.headers.get('x-total-count')).toBe('1');

    // 5. As the B2B customer: the items of my segments, products only.
    const me = await customer(T, 'c-200', 'le-1');
    const items = await call('GET', `${base}/segments/items?q=type:PRODUCT`, { headers: me });
    expect(items.status).toBe(200);
    expect(items.body).toEqual([
      { segmentId: id, type: 'PRODUCT', item: { id: 'p-hammer-1' }, metadata: expect.objectContaining({ version: 1 }) },
    ]);

    // 6. ... and the category tree of my segments.
    const trees = await call('GET', `${base}/segments/items/category-trees?siteCode=main`, { headers: { ...me, 'accept-language': 'en' } });
    expect(trees.status).toBe(200);
    expect(trees.body).toEqual([
      expect.objectContaining({
        id: 'cat-tools',
        isSegmentAssigned: false,
        subcategories: [
          expect.objectContaining({
            id: 'cat-hammers',
            name: { en: 'Hammers' },
            isSegmentAssigned: true,
            subcategories: [expect.objectContaining({ id: 'cat-sledge', isSegmentAssigned: true })],
          }),
        ],
      }),
    ]);

    // The B2C customer sees the same segment.
    expect((await call('GET', `${base}/segments`, { headers: await customer(T, 'c-100') })).body.map((s: { id: string }) => s.id)).toEqual([
      id,
    ]);
  });
});
