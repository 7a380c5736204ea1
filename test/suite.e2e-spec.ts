/**
 * Issue 7: the three services working as one suite, over real HTTP only.
 *
 * One launch of the suite exactly as `npm start` runs it (embedded database, three app processes on
 * free ports, one gateway base URL) carries the storefront flow of the contracts:
 *   1. a published category tree of four levels with product assignments (category service);
 *   2. segments with category/product items and B2B/B2C customers (customer-segment service);
 *   3. the customer's segment category tree and segment items (segment §3.22, §3.23, §8);
 *   4. category assignments filtered by `segmentsIds` (category §7.1, §9);
 *   5. segment-restricted coupons validated and redeemed by members and non-members (coupon §8 R12,
 *      §10), with expired and INACTIVE segments not counting;
 *   6. the segment service stopped: both callers answer 503 fast and fail closed (S2S-8, S2S-10,
 *      S2S-11), nothing is redeemed; then restarted: both recover once the breaker lets a probe through;
 * plus tenant isolation across services. A second, small launch puts a recording stub in place of
 * the peers of every app to prove the service-token rule (S2S-3, S2S-4, S2S-5).
 *
 * Assertions follow the contracts in /shared/spec, not the current implementation.
 */
import { jwtVerify } from 'jose';
import { HttpStub, RecordedRequest } from '@suite/testing';
import { launchSuite, RunningSuite } from '../tools/launcher';
import { authEnv, Call, httpClient, jwtPayload, Reply, Signing, sleep, tokens } from './support/suite-http';

const SIGNING: Signing = { secret: 'suite-e2e-secret-not-for-production', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const mint = tokens(SIGNING);

const SCOPES = {
  segManage: 'customersegment.segment_manage',
  segRead: 'customersegment.segment_read',
  segReadOwn: 'customersegment.segment_read_own',
  catManage: 'category.category_manage',
  catPublish: 'category.category_publish',
  catUnpublish: 'category.category_unpublish',
  catReadUnpublished: 'category.category_read_unpublished',
  couponManage: 'coupon.coupon_manage',
  couponRead: 'coupon.coupon_read',
  couponRedeem: 'coupon.coupon_redeem',
  profileManage: 'customersegment.profile_manage',
} as const;
const ADMIN_SCOPES = Object.values(SCOPES).filter((s) => s !== SCOPES.segReadOwn && s !== SCOPES.couponRedeem);
/** What a storefront customer token carries (segment §1.2.1, coupon §2.2). */
const CUSTOMER_SCOPES = [SCOPES.segReadOwn, SCOPES.couponRedeem];

/**
 * S2S-8: an open breaker fails calls for 30 s before one probe. The apps take the window from
 * PEER_BREAKER_OPEN_MS (S2S-13), so this launch shortens it to keep the recovery step quick.
 */
const BREAKER_OPEN_MS = 5_000;

// Children's output is kept in memory and printed when a launch fails (or live with SUITE_E2E_LOGS=1).
const logLines: string[] = [];
const output = (service: string, line: string) => {
  logLines.push(`[${service}] ${line}`);
  if (logLines.length > 2000) logLines.splice(0, logLines.length - 2000);
  if (process.env.SUITE_E2E_LOGS) process.stdout.write(`[${service}] ${line}\n`);
};
function dumpLogs(e: unknown): never {
  process.stderr.write(`${logLines.slice(-60).join('\n')}\n`);
  throw e;
}

// ---------------------------------------------------------------------------------------------
// The data of the main flow.
// ---------------------------------------------------------------------------------------------

const A = 'suitea';
const B = 'suiteb';

interface Cat {
  id: string;
  parentId?: string;
  code?: string;
  localizedName: Record<string, string>;
  localizedDescription?: Record<string, string>;
  localizedSlug?: Record<string, string>;
  ecn?: string[];
  validity?: { from?: string; to?: string };
  position: number;
  published: boolean;
}

/**
 * The category forest, in creation order. Creation order deliberately disagrees with sibling order
 * (position, then creation time, then id; category §3.6) so the trees prove the ordering:
 *
 *   Tools (0)                         Garden (1)            Paint (2)
 *   ├── Hammers (0)                   ├── Hoses (0)
 *   │   ├── Claw hammers (0)          └── Mowers (1)
 *   │   │   └── Fibreglass (0)   ← level 4, no code, English name only
 *   │   ├── Sledgehammers (1)
 *   │   └── Hidden (2, UNPUBLISHED)
 *   │       └── Hidden child (0, published, but under an unpublished node)
 *   └── Saws (1)
 *       ├── Hand saws (3)     ← created before Bow saws: same position, earlier creation wins over id
 *       └── Bow saws (3)
 */
const CATEGORIES: Cat[] = [
  { id: 'cat-paint', code: 'PAINT', localizedName: { en: 'Paint', de: 'Farbe' }, position: 2, published: true },
  { id: 'cat-garden', code: 'GARDEN', localizedName: { en: 'Garden', de: 'Garten' }, position: 1, published: true },
  { id: 'cat-tools', code: 'TOOLS', localizedName: { en: 'Tools', de: 'Werkzeuge' }, position: 0, published: true },
  { id: 'cat-saws', parentId: 'cat-tools', code: 'SAWS', localizedName: { en: 'Saws', de: 'Sägen' }, position: 1, published: true },
  {
    id: 'cat-hammers',
    parentId: 'cat-tools',
    code: 'HAMMERS',
    localizedName: { en: 'Hammers', de: 'Hämmer' },
    localizedDescription: { en: 'All hammers', de: 'Alle Hämmer' },
    localizedSlug: { en: 'hammers', de: 'haemmer' },
    ecn: ['ECN-HAMMERS'],
    validity: { from: '2024-01-01T00:00:00.000Z' },
    position: 0,
    published: true,
  },
  {
    id: 'cat-sledge',
    parentId: 'cat-hammers',
    code: 'SLEDGE',
    localizedName: { en: 'Sledgehammers', de: 'Vorschlaghämmer' },
    position: 1,
    published: true,
  },
  {
    id: 'cat-claw',
    parentId: 'cat-hammers',
    code: 'CLAW',
    localizedName: { en: 'Claw hammers', de: 'Klauenhämmer' },
    position: 0,
    published: true,
  },
  { id: 'cat-fibre', parentId: 'cat-claw', localizedName: { en: 'Fibreglass claw hammers' }, position: 0, published: true },
  {
    id: 'cat-hidden',
    parentId: 'cat-hammers',
    code: 'HIDDEN',
    localizedName: { en: 'Hidden', de: 'Versteckt' },
    position: 2,
    published: false,
  },
  {
    id: 'cat-hidden-child',
    parentId: 'cat-hidden',
    code: 'HIDDENCHILD',
    localizedName: { en: 'Hidden child', de: 'Verstecktes Kind' },
    position: 0,
    published: true,
  },
  {
    id: 'cat-handsaws',
    parentId: 'cat-saws',
    code: 'HANDSAWS',
    localizedName: { en: 'Hand saws', de: 'Handsägen' },
    position: 3,
    published: true,
  },
  {
    id: 'cat-bowsaws',
    parentId: 'cat-saws',
    code: 'BOWSAWS',
    localizedName: { en: 'Bow saws', de: 'Bügelsägen' },
    position: 3,
    published: true,
  },
  { id: 'cat-hoses', parentId: 'cat-garden', code: 'HOSES', localizedName: { en: 'Hoses', de: 'Schläuche' }, position: 0, published: true },
  { id: 'cat-mowers', parentId: 'cat-garden', code: 'MOWERS', localizedName: { en: 'Mowers', de: 'Mäher' }, position: 1, published: true },
];
const CAT = new Map(CATEGORIES.map((c) => [c.id, c]));

/** Product assignments in the category service: category → products. */
const PRODUCTS: Record<string, string[]> = {
  'cat-tools': ['p-tools-catalog'],
  'cat-hammers': ['p-hammer-generic'],
  'cat-claw': ['p-claw-1'],
  'cat-fibre': ['p-fibre-1'],
  'cat-sledge': ['p-sledge-1'],
  'cat-hidden': ['p-hidden-1'],
  'cat-hidden-child': ['p-hidden-child-1'],
  'cat-handsaws': ['p-handsaw-1'],
  'cat-bowsaws': ['p-bowsaw-1'],
  'cat-garden': ['p-garden-catalog'],
  'cat-hoses': ['p-hose-1', 'p-hose-2'],
  'cat-mowers': ['p-mower-1'],
  'cat-paint': ['p-paint-1'],
};

interface Seg {
  id: string;
  status: 'ACTIVE' | 'INACTIVE';
  validity?: { from?: string; to?: string };
  categories: string[];
  products: string[];
  b2c: string[];
  b2b: Array<[customerId: string, legalEntityId: string]>;
}

/**
 * Customers: C-B2B acts for legal entity LE-1 (B2B member of seg-pro, B2C member of seg-garden);
 * C-B2C is a consumer (member of seg-garden only among the effectively active segments). Both are
 * also members of an expired and of an INACTIVE segment, which must never count.
 */
const SEGMENTS: Seg[] = [
  {
    id: 'seg-pro',
    status: 'ACTIVE',
    validity: { from: '2024-01-01T00:00:00.000Z' },
    // cat-claw lies inside cat-hammers' subtree, cat-hoses is shared with seg-garden and
    // cat-ghost does not exist in the category service: each must appear at most once, or not at all.
    categories: ['cat-hammers', 'cat-saws', 'cat-claw', 'cat-hoses', 'cat-ghost'],
    products: ['p-pro-special'],
    b2c: [],
    b2b: [['C-B2B', 'LE-1']],
  },
  { id: 'seg-garden', status: 'ACTIVE', categories: ['cat-hoses'], products: ['p-garden-special'], b2c: ['C-B2B', 'C-B2C'], b2b: [] },
  {
    id: 'seg-old',
    status: 'ACTIVE',
    validity: { from: '2020-01-01T00:00:00.000Z', to: '2021-01-01T00:00:00.000Z' },
    categories: ['cat-paint'],
    products: ['p-old-special'],
    b2c: ['C-B2C'],
    b2b: [['C-B2B', 'LE-1']],
  },
  { id: 'seg-off', status: 'INACTIVE', categories: ['cat-garden'], products: ['p-off-special'], b2c: ['C-B2C'], b2b: [['C-B2B', 'LE-1']] },
  { id: 'seg-other', status: 'ACTIVE', categories: ['cat-mowers'], products: [], b2c: ['C-OTHER'], b2b: [] },
];

const usd = (amount: number) => ({ amount, currency: 'USD' });
const order = (total: number, discount: number, orderCode?: string) => ({
  ...(orderCode ? { orderCode } : {}),
  orderTotal: usd(total),
  discount: usd(discount),
});

/** The coupons of step 5; all segment-restricted except PLAIN5. */
const COUPONS = {
  // The seed tutorial's coupon, restricted to the B2B segment.
  ENG2OC0: {
    code: 'ENG2OC0',
    name: 'Winter Sale 2022',
    description: 'Absolute coupon',
    discountType: 'ABSOLUTE',
    discountAbsolute: usd(24.99),
    maxRedemptions: -1,
    maxRedemptionsPerCustomer: 1,
    segmentRestricted: true,
    restrictions: { validFor: [], minOrderValue: usd(49.99), segments: ['seg-pro'] },
  },
  OLDSEG: {
    code: 'OLDSEG',
    name: 'Expired segment only',
    discountAbsolute: usd(5),
    segmentRestricted: true,
    restrictions: { segments: ['seg-old'] },
  },
  OFFSEG: {
    code: 'OFFSEG',
    name: 'Inactive segment only',
    discountAbsolute: usd(5),
    segmentRestricted: true,
    restrictions: { segments: ['seg-off'] },
  },
  // ANY of the listed segments counts; only seg-garden is effectively active.
  ANYSEG: {
    code: 'ANYSEG',
    name: 'Any of three',
    discountAbsolute: usd(5),
    segmentRestricted: true,
    restrictions: { segments: ['seg-off', 'seg-old', 'seg-garden'] },
  },
  // Names a segment id that exists only in tenant B.
  XTENANT: {
    code: 'XTENANT',
    name: 'Other tenant segment',
    discountAbsolute: usd(5),
    segmentRestricted: true,
    restrictions: { segments: ['seg-bonly'] },
  },
  PLAIN5: { code: 'PLAIN5', name: 'No restriction', discountAbsolute: usd(5) },
};

// ---------------------------------------------------------------------------------------------
// Expected shapes.
// ---------------------------------------------------------------------------------------------

/** Narrows a localized map as LOC-3 does for a single-language `Accept-Language`. */
function narrow(map: Record<string, string> | undefined, lang: string | undefined): Record<string, string> | undefined {
  if (!map || !lang) return map;
  return lang in map ? { [lang]: map[lang] } : {};
}

/** One node of a segment category tree as segment §3.22/§8.4 defines it. */
function treeNode(id: string, isSegmentAssigned: boolean, lang: string | undefined, subcategories?: unknown[]): Record<string, unknown> {
  const c = CAT.get(id)!;
  const node: Record<string, unknown> = {
    id,
    code: c.code ?? '',
    name: narrow(c.localizedName, lang),
    isSegmentAssigned,
    position: c.position,
    published: true,
  };
  if (c.parentId) node.parentId = c.parentId;
  if (c.localizedDescription) node.localizedDescription = narrow(c.localizedDescription, lang);
  if (c.localizedSlug) node.localizedSlug = narrow(c.localizedSlug, lang);
  if (c.ecn) node.ecn = c.ecn;
  if (c.validity) node.validity = c.validity;
  if (subcategories?.length) node.subcategories = subcategories;
  return node;
}

/** (segmentId, type, item.id) of every item row, in answer order. */
const itemKeys = (rows: Array<{ segmentId: string; type: string; item: { id: string } }>) =>
  rows.map((r) => `${r.segmentId} ${r.type} ${r.item.id}`);
/** (categoryId, product id) of every assignment, sorted (the default order is creation time). */
const assignmentKeys = (rows: Array<{ categoryId: string; ref: { id: string; type: string } }>) =>
  rows.map((r) => `${r.categoryId}/${r.ref.id}`).sort();
const expectedAssignments = (categoryIds: string[]) => categoryIds.flatMap((c) => (PRODUCTS[c] ?? []).map((p) => `${c}/${p}`)).sort();

function expectNotRedeemable(res: Reply, reason: string, field: string) {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 400,
    body: {
      status: 400,
      type: 'coupon_not_redeemable',
      message: expect.any(String),
      details: [{ field, type: reason, message: expect.any(String) }],
    },
  });
}

/** coupon §10.3: the one 503 of an undecidable membership. */
function expectSegmentUnavailable(res: Reply) {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 503,
    body: {
      status: 503,
      type: 'service_unavailable',
      message: expect.any(String),
      details: [{ field: 'restrictions.segments', type: 'segment_service_unavailable', message: expect.any(String) }],
    },
  });
}

/** category §9: the one 503 of an unavailable segment filter, and no product data in it. */
function expectFilterUnavailable(res: Reply) {
  expect(res.status).toBe(503);
  expect(Array.isArray(res.body)).toBe(false);
  expect(res.body).toEqual(
    expect.objectContaining({
      code: 503,
      status: 'Service Unavailable',
      errorCode: 'upstream_unavailable',
      details: expect.arrayContaining([expect.any(String)]),
    }),
  );
  expect(res.text).not.toMatch(/"p-[a-z]/);
}

// ---------------------------------------------------------------------------------------------
// The second launch (service tokens), started lazily: the recovery step kicks it off while it waits
// for the breaker, so its boot overlaps that wait; run alone, its own beforeAll starts it.
// ---------------------------------------------------------------------------------------------

interface TokenLaunch {
  suite: RunningSuite;
  peers: HttpStub;
}
let tokenLaunch: Promise<TokenLaunch> | undefined;

const T = 'tokencheck';

/** Answers as the customer-segment and category contracts say, for the fixed ids of the token check. */
function peerContracts(req: RecordedRequest) {
  const segmentList = `/customer-segment/${T}/segments`;
  if (req.method === 'GET' && req.path === segmentList) {
    return {
      json: [
        {
          id: 'seg-stub',
          name: { en: 'Stub' },
          status: 'ACTIVE',
          siteCode: 'main',
          metadata: { version: 1, createdAt: '2024-01-01T00:00:00.000Z', modifiedAt: '2024-01-01T00:00:00.000Z' },
        },
      ],
    };
  }
  if (req.method === 'GET' && req.path === `${segmentList}/items`) {
    return {
      json: [
        {
          segmentId: 'seg-stub',
          type: 'CATEGORY',
          item: { id: 'cat-path' },
          metadata: { version: 1, createdAt: '2024-01-01T00:00:00.000Z', modifiedAt: '2024-01-01T00:00:00.000Z' },
        },
      ],
    };
  }
  if (req.method === 'POST' && req.path === `/category/${T}/category-trees/search`) {
    return {
      json: [
        {
          id: 'cat-root',
          type: 'STANDARD',
          code: 'ROOT',
          localizedName: { en: 'Root' },
          name: 'Root',
          position: 0,
          published: true,
          subcategories: [],
        },
      ],
    };
  }
  if (req.method === 'GET' && req.path.startsWith(`/category/${T}/categories/`)) {
    return {
      status: 404,
      json: { code: 404, status: 'Not Found', errorCode: 'resource_not_found', message: 'Error while getting category', details: [] },
    };
  }
  return { status: 404, json: { code: 404, status: 'Not Found', errorCode: 'resource_not_found', message: 'no such route', details: [] } };
}

function startTokenLaunch(): Promise<TokenLaunch> {
  tokenLaunch ??= (async () => {
    const peers = await HttpStub.start(peerContracts);
    try {
      // The launcher gives every app these peer URLs (conventions §12): coupon and category call the
      // stub instead of the segment service, customer-segment calls it instead of the category service.
      const suite = await launchSuite({
        port: 0,
        env: { ...authEnv(SIGNING), LOG_LEVEL: 'warn', CUSTOMER_SEGMENT_URL: peers.url, CATEGORY_URL: peers.url },
        output,
      });
      return { suite, peers };
    } catch (e) {
      await peers.close();
      throw e;
    }
  })();
  // Awaited by the token-check describe; a failure is reported there, not as an unhandled rejection.
  tokenLaunch.catch(() => undefined);
  return tokenLaunch;
}

afterAll(async () => {
  if (!tokenLaunch) return;
  const launched = await tokenLaunch.catch(() => undefined);
  await launched?.suite.stop();
  await launched?.peers.close();
}, 60000);

// ---------------------------------------------------------------------------------------------
// The main flow.
// ---------------------------------------------------------------------------------------------

describe('the suite as one: category → customer-segment ← coupon over real HTTP (issue 7)', () => {
  let suite: RunningSuite;
  let call: Call;
  let adminA: string;
  let adminB: string;
  let b2b: string; // C-B2B acting for LE-1
  let b2c: string; // C-B2C
  let other: string; // C-OTHER

  beforeAll(async () => {
    suite = await launchSuite({
      port: 0,
      // What `npm start` runs: the four apps in one process, from the bundle (tools/build.js).
      hosting: 'shared',
      env: { ...authEnv(SIGNING), LOG_LEVEL: 'warn', PEER_BREAKER_OPEN_MS: String(BREAKER_OPEN_MS) },
      output,
    }).catch(dumpLogs);
    call = httpClient(suite.baseUrl);
    adminA = await mint.employee(A, ADMIN_SCOPES);
    adminB = await mint.employee(B, ADMIN_SCOPES);
    b2b = await mint.customer(A, 'C-B2B', CUSTOMER_SCOPES, 'LE-1');
    b2c = await mint.customer(A, 'C-B2C', CUSTOMER_SCOPES);
    other = await mint.customer(A, 'C-OTHER', CUSTOMER_SCOPES);
  }, 120000);

  afterAll(async () => {
    await suite?.stop();
  }, 60000);

  it('1. builds a published category tree of four levels and assigns products (category service)', async () => {
    for (const c of CATEGORIES) {
      const res = await call('POST', `/category/${A}/categories`, { token: adminA, body: c });
      expect([c.id, res.status, res.body]).toEqual([c.id, 201, { id: c.id }]);
      // Siblings with equal positions are ordered by creation time: keep creations apart.
      await sleep(3);
    }
    for (const [categoryId, products] of Object.entries(PRODUCTS)) {
      for (const productId of products) {
        const res = await call('POST', `/category/${A}/categories/${categoryId}/assignments`, {
          token: adminA,
          body: { ref: { id: productId, type: 'PRODUCT' } },
        });
        expect([categoryId, productId, res.status]).toEqual([categoryId, productId, 201]);
      }
    }
    // The category service's own published tree: hidden subtree pruned, sibling order by position.
    const tree = await call('GET', `/category/${A}/category-trees/cat-tools`, { token: b2c, headers: { 'accept-language': 'en' } });
    expect(tree.status).toBe(200);
    const ids = (n: { id: string; subcategories: any[] }): unknown => [n.id, n.subcategories.map(ids)];
    expect(ids(tree.body)).toEqual([
      'cat-tools',
      [
        [
          'cat-hammers',
          [
            ['cat-claw', [['cat-fibre', []]]],
            ['cat-sledge', []],
          ],
        ],
        [
          'cat-saws',
          [
            ['cat-handsaws', []],
            ['cat-bowsaws', []],
          ],
        ],
      ],
    ]);
  }, 60000);

  it('2. creates segments with category and product items and B2B/B2C customers (segment service)', async () => {
    for (const s of SEGMENTS) {
      const created = await call('POST', `/customer-segment/${A}/segments`, {
        token: adminA,
        body: { id: s.id, name: { en: s.id }, status: s.status, siteCode: 'main', ...(s.validity ? { validity: s.validity } : {}) },
      });
      expect([s.id, created.status, created.body]).toEqual([s.id, 201, { id: s.id }]);
      for (const [type, ids] of [
        ['CATEGORY', s.categories],
        ['PRODUCT', s.products],
      ] as const) {
        if (!ids.length) continue;
        const bulk = await call('PUT', `/customer-segment/${A}/segments/${s.id}/items/${type}/bulk`, {
          token: adminA,
          body: ids.map((id) => ({ id })),
        });
        expect([s.id, type, bulk.status]).toEqual([s.id, type, 207]);
        expect(bulk.body.map((r: { code: number }) => r.code)).toEqual(ids.map(() => 201));
      }
      for (const customerId of s.b2c) {
        expect([
          s.id,
          customerId,
          (await call('PUT', `/customer-segment/${A}/segments/${s.id}/customers/${customerId}`, { token: adminA })).status,
        ]).toEqual([s.id, customerId, 201]);
      }
      for (const [customerId, le] of s.b2b) {
        expect([
          s.id,
          customerId,
          le,
          (await call('PUT', `/customer-segment/${A}/segments/${s.id}/customers/${customerId}/${le}`, { token: adminA })).status,
        ]).toEqual([s.id, customerId, le, 201]);
      }
    }
    // An upsert of an existing assignment is an update (the seed tutorial's second PUT).
    expect(
      (
        await call('PUT', `/customer-segment/${A}/segments/seg-garden/customers/C-B2C`, {
          token: adminA,
          body: { metadata: { version: 1 } },
        })
      ).status,
    ).toBe(204);

    // Tenant B: a segment id that exists only there, holding a customer number that also shops in A.
    expect(
      (
        await call('POST', `/customer-segment/${B}/segments`, {
          token: adminB,
          body: { id: 'seg-bonly', name: { en: 'B only' }, status: 'ACTIVE', siteCode: 'main' },
        })
      ).status,
    ).toBe(201);
    expect((await call('PUT', `/customer-segment/${B}/segments/seg-bonly/customers/C-B2C`, { token: adminB })).status).toBe(201);
    expect((await call('PUT', `/customer-segment/${B}/segments/seg-bonly/items/CATEGORY/cat-garden`, { token: adminB })).status).toBe(201);

    // The seed tutorial's search, as the back office sees it.
    const found = await call('GET', `/customer-segment/${A}/segments?q=siteCode:main`, {
      token: adminA,
      headers: { 'x-total-count': 'true' },
    });
    expect(found.status).toBe(200);
    expect(found.body.map((s: { id: string }) => s.id)).toEqual(SEGMENTS.map((s) => s.id).sort());
    expect(found.headers.get('x-total-count')).toBe(String(SEGMENTS.length));
  }, 60000);

  it('3a. a customer sees only the effectively active segments they belong to', async () => {
    const ids = async (token: string) => {
      const res = await call('GET', `/customer-segment/${A}/segments`, { token });
      expect(res.status).toBe(200);
      return res.body.map((s: { id: string }) => s.id);
    };
    expect(await ids(b2b)).toEqual(['seg-garden', 'seg-pro']);
    expect(await ids(b2c)).toEqual(['seg-garden']);
    expect(await ids(other)).toEqual(['seg-other']);
  });

  it('3b. gets the segment category tree: assigned categories with subtrees (true) and ancestors (false), in sibling order', async () => {
    // C-B2B (seg-pro + seg-garden), narrowed to German: a name without a German entry is {} (LOC-3).
    const de = await call('GET', `/customer-segment/${A}/segments/items/category-trees?siteCode=main`, {
      token: b2b,
      headers: { 'accept-language': 'de' },
    });
    expect(de.status).toBe(200);
    const expectedFor = (lang: string | undefined) => [
      treeNode('cat-tools', false, lang, [
        treeNode('cat-hammers', true, lang, [
          treeNode('cat-claw', true, lang, [treeNode('cat-fibre', true, lang)]),
          treeNode('cat-sledge', true, lang),
        ]),
        treeNode('cat-saws', true, lang, [treeNode('cat-handsaws', true, lang), treeNode('cat-bowsaws', true, lang)]),
      ]),
      treeNode('cat-garden', false, lang, [treeNode('cat-hoses', true, lang)]),
    ];
    expect(de.body).toEqual(expectedFor('de'));

    // Without Accept-Language every translation comes back.
    const all = await call('GET', `/customer-segment/${A}/segments/items/category-trees`, { token: b2b });
    expect(all.status).toBe(200);
    expect(all.body).toEqual(expectedFor(undefined));

    // C-B2C: seg-garden only; the expired seg-old (Paint) and INACTIVE seg-off (Garden itself) do not
    // count, so Garden stays an unassigned ancestor.
    const consumer = await call('GET', `/customer-segment/${A}/segments/items/category-trees`, {
      token: b2c,
      headers: { 'accept-language': 'en' },
    });
    expect(consumer.status).toBe(200);
    expect(consumer.body).toEqual([treeNode('cat-garden', false, 'en', [treeNode('cat-hoses', true, 'en')])]);

    // Another site has no segments of these customers.
    const otherSite = await call('GET', `/customer-segment/${A}/segments/items/category-trees?siteCode=outlet`, { token: b2b });
    expect([otherSite.status, otherSite.body]).toEqual([200, []]);
  });

  it('3c. gets the items of the segments: exactly the visible segments, in the default order', async () => {
    const mine = await call('GET', `/customer-segment/${A}/segments/items`, { token: b2b, headers: { 'x-total-count': 'true' } });
    expect(mine.status).toBe(200);
    const expected = SEGMENTS.filter((s) => s.id === 'seg-pro' || s.id === 'seg-garden')
      .flatMap((s) => [...s.categories.map((id) => `${s.id} CATEGORY ${id}`), ...s.products.map((id) => `${s.id} PRODUCT ${id}`)])
      .sort();
    expect(itemKeys(mine.body)).toEqual(expected);
    expect(mine.headers.get('x-total-count')).toBe(String(expected.length));
    for (const row of mine.body as Array<{ type: string; item: Record<string, unknown> }>) {
      // item.code / item.name are best-effort enrichment (segment §2.2): when present they must be
      // the category's own, and a category the category service does not know has neither.
      expect(Object.keys(row.item).every((k) => ['id', 'code', 'name'].includes(k))).toBe(true);
      const c = CAT.get(row.item.id as string);
      if (row.type === 'CATEGORY' && 'code' in row.item) expect(row.item.code).toBe(c?.code);
      if (row.type === 'CATEGORY' && 'name' in row.item) expect(row.item.name).toEqual(c?.localizedName);
      if (row.item.id === 'cat-ghost') expect(row.item).toEqual({ id: 'cat-ghost' });
    }

    const products = await call('GET', `/customer-segment/${A}/segments/items?q=type:PRODUCT`, { token: b2c });
    expect(products.status).toBe(200);
    expect(itemKeys(products.body)).toEqual(['seg-garden PRODUCT p-garden-special']);

    // OWN mode ignores onlyActive=false: expired and inactive segments stay invisible.
    const notOnlyActive = await call('GET', `/customer-segment/${A}/segments/items?onlyActive=false&q=type:PRODUCT`, { token: b2c });
    expect(itemKeys(notOnlyActive.body)).toEqual(['seg-garden PRODUCT p-garden-special']);
  });

  it('4. lists category assignments filtered by segmentsIds: exactly the products the segments allow', async () => {
    const list = async (categoryId: string, query: string, token = b2b) => {
      const res = await call('GET', `/category/${A}/categories/${categoryId}/assignments?${query}`, {
        token,
        headers: { 'x-total-count': 'true' },
      });
      expect([categoryId, query, res.status]).toEqual([categoryId, query, 200]);
      expect(res.headers.get('x-total-count')).toBe(String(res.body.length));
      return assignmentKeys(res.body);
    };
    // Unfiltered, the published Tools subtree holds every assignment but the hidden branch's.
    expect(await list('cat-tools', 'withSubcategories=true')).toEqual(
      expectedAssignments(['cat-tools', 'cat-hammers', 'cat-claw', 'cat-fibre', 'cat-sledge', 'cat-handsaws', 'cat-bowsaws']),
    );
    // Membership is direct (category §9 step 4): of the Tools subtree seg-pro holds cat-hammers,
    // cat-saws and cat-claw; cat-saws has no products of its own; descendants are not entitled.
    // The call is made with a customer token: the category service must use its own service token,
    // since a customer token could not read the segment items (segment §1.2.1).
    expect(await list('cat-tools', 'withSubcategories=true&segmentsIds=seg-pro')).toEqual(expectedAssignments(['cat-hammers', 'cat-claw']));
    expect(await list('cat-tools', 'withSubcategories=true&segmentsIds=seg-pro,seg-garden')).toEqual(
      expectedAssignments(['cat-hammers', 'cat-claw']),
    );
    expect(await list('cat-hammers', 'segmentsIds=seg-pro')).toEqual(expectedAssignments(['cat-hammers']));
    expect(await list('cat-garden', 'withSubcategories=true&segmentsIds=seg-garden')).toEqual(expectedAssignments(['cat-hoses']));
    // Segment status and validity are the caller's choice here (category §9 step 5).
    expect(await list('cat-garden', 'withSubcategories=true&segmentsIds=seg-off')).toEqual(expectedAssignments(['cat-garden']));
    expect(await list('cat-tools', 'withSubcategories=true&segmentsIds=seg-garden')).toEqual([]);
    expect(await list('cat-tools', 'withSubcategories=true&segmentsIds=no-such-segment')).toEqual([]);
    // Tenant isolation: seg-bonly holds cat-garden in tenant B only.
    expect(await list('cat-garden', 'withSubcategories=true&segmentsIds=seg-bonly')).toEqual([]);
    // An anonymous storefront token is enough for the filter too: it needs no segment scope.
    const guest = await mint.anonymous(A, 'visit-1');
    expect(await list('cat-hammers', 'withSubcategories=true&segmentsIds=seg-pro', guest)).toEqual(
      expectedAssignments(['cat-hammers', 'cat-claw']),
    );
  });

  it('5. redeems a segment-restricted coupon as a member and refuses non-members, expired and INACTIVE segments', async () => {
    for (const c of Object.values(COUPONS)) {
      const res = await call('POST', `/coupon/${A}/coupons`, { token: adminA, body: c });
      expect([c.code, res.status, res.body?.id]).toEqual([c.code, 201, c.code]);
    }
    expect((await call('POST', `/coupon/${B}/coupons`, { token: adminB, body: COUPONS.XTENANT })).status).toBe(201);

    // The member (B2B, acting for LE-1, member of seg-pro): validation and redemption succeed.
    const valid = await call('POST', `/coupon/${A}/coupons/ENG2OC0/validation`, { token: b2b, body: order(60, 24.99) });
    expect([valid.status, valid.text]).toEqual([200, '']);
    const redeemed = await call('POST', `/coupon/${A}/coupons/ENG2OC0/redemptions`, { token: b2b, body: order(60, 24.99, 'ORD-1') });
    expect(redeemed.status).toBe(201);
    expect(redeemed.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      yrn: `urn:yaas:saasag:coupon:redemption:${A};${redeemed.body.id}`,
    });

    // Non-members: C-B2C (member of other segments only) and C-OTHER.
    for (const token of [b2c, other]) {
      expectNotRedeemable(
        await call('POST', `/coupon/${A}/coupons/ENG2OC0/validation`, { token, body: order(60, 24.99) }),
        'customer_not_in_segment',
        'restrictions.segments',
      );
      expectNotRedeemable(
        await call('POST', `/coupon/${A}/coupons/ENG2OC0/redemptions`, { token, body: order(60, 24.99, 'ORD-NM') }),
        'customer_not_in_segment',
        'restrictions.segments',
      );
    }
    // Local checks come first (R10 before R12): no segment decision is needed for a too small order.
    expectNotRedeemable(
      await call('POST', `/coupon/${A}/coupons/ENG2OC0/validation`, { token: b2c, body: order(10, 5) }),
      'min_order_value_not_reached',
      'restrictions.minOrderValue.amount',
    );

    // Both customers are members of the expired seg-old and the INACTIVE seg-off: neither counts.
    for (const code of ['OLDSEG', 'OFFSEG']) {
      for (const token of [b2c, b2b]) {
        expectNotRedeemable(
          await call('POST', `/coupon/${A}/coupons/${code}/validation`, { token, body: order(20, 5) }),
          'customer_not_in_segment',
          'restrictions.segments',
        );
        expectNotRedeemable(
          await call('POST', `/coupon/${A}/coupons/${code}/redemptions`, { token, body: order(20, 5, `ORD-${code}`) }),
          'customer_not_in_segment',
          'restrictions.segments',
        );
      }
    }
    // ANY of the listed segments: seg-garden is active, so both customers may use ANYSEG; C-OTHER not.
    expect((await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: b2c, body: order(20, 5) })).status).toBe(200);
    expect((await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: b2b, body: order(20, 5) })).status).toBe(200);
    expectNotRedeemable(
      await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: other, body: order(20, 5) }),
      'customer_not_in_segment',
      'restrictions.segments',
    );

    // The bookkeeping: exactly the member's one redemption, nothing from the refusals.
    const books = async (code: string) => {
      const coupon = await call('GET', `/coupon/${A}/coupons/${code}`, { token: adminA });
      const list = await call('GET', `/coupon/${A}/coupons/${code}/redemptions`, { token: adminA });
      expect([coupon.status, list.status]).toEqual([200, 200]);
      return { count: coupon.body.redemptionCount, records: list.body as Array<Record<string, unknown>> };
    };
    const eng = await books('ENG2OC0');
    expect(eng.count).toBe(1);
    expect(eng.records).toEqual([
      expect.objectContaining({
        id: redeemed.body.id,
        code: 'ENG2OC0',
        customerNumber: 'C-B2B',
        legalEntityId: 'LE-1',
        orderCode: 'ORD-1',
      }),
    ]);
    for (const code of ['OLDSEG', 'OFFSEG', 'ANYSEG']) {
      const { count, records } = await books(code);
      expect([code, count, records]).toEqual([code, 0, []]);
    }

    // The member's per-customer limit is now used up (R7 decides before the segment call).
    expectNotRedeemable(
      await call('POST', `/coupon/${A}/coupons/ENG2OC0/validation`, { token: b2b, body: order(60, 24.99) }),
      'max_redemptions_per_customer_reached',
      'maxRedemptionsPerCustomer',
    );
  });

  it('5b. rule-based membership reaches the other services through their existing calls (issue 17)', async () => {
    const rule = { name: 'Rule', siteCode: 'main', status: 'ACTIVE', rule: 'attributes.country:DE attributes.orderCount:>=3' };
    expect((await call('PUT', `/customer-segment/${A}/segments/seg-rule`, { token: adminA, body: rule })).status).toBe(201);
    expect((await call('PUT', `/customer-segment/${A}/segments/seg-rule/items/PRODUCT/p-rule`, { token: adminA })).status).toBe(201);
    const coupon = {
      code: 'RULEONLY',
      name: 'Rule members only',
      discountType: 'PERCENT',
      discountPercentage: 10,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      segmentRestricted: true,
      restrictions: { segments: ['seg-rule'] },
    };
    expect((await call('POST', `/coupon/${A}/coupons`, { token: adminA, body: coupon })).status).toBe(201);
    const shopper = await mint.customer(A, 'C-RULE', CUSTOMER_SCOPES);
    const validate = () => call('POST', `/coupon/${A}/coupons/RULEONLY/validation`, { token: shopper, body: order(50, 5) });
    const myProducts = async () =>
      itemKeys((await call('GET', `/customer-segment/${A}/segments/items?q=type:PRODUCT`, { token: shopper })).body);
    expectNotRedeemable(await validate(), 'customer_not_in_segment', 'restrictions.segments');
    expect(await myProducts()).toEqual([]);

    const profile = (orderCount: number) =>
      call('PUT', `/customer-segment/${A}/profiles/C-RULE`, { token: adminA, body: { attributes: { country: 'DE', orderCount } } });
    expect((await profile(3)).status).toBe(201);
    // The coupon service's R12 question and the storefront's items see the rule's member at once.
    expect((await validate()).status).toBe(200);
    expect(await myProducts()).toEqual(['seg-rule PRODUCT p-rule']);

    expect((await profile(2)).status).toBe(204);
    expectNotRedeemable(await validate(), 'customer_not_in_segment', 'restrictions.segments');
    expect(await myProducts()).toEqual([]);
  });

  it("isolates tenants across services: a coupon naming another tenant's segment matches nobody of that tenant", async () => {
    // C-B2C is a member of seg-bonly in tenant B, and shops in tenant A with an A token.
    expectNotRedeemable(
      await call('POST', `/coupon/${A}/coupons/XTENANT/validation`, { token: b2c, body: order(20, 5) }),
      'customer_not_in_segment',
      'restrictions.segments',
    );
    expectNotRedeemable(
      await call('POST', `/coupon/${A}/coupons/XTENANT/redemptions`, { token: b2c, body: order(20, 5, 'ORD-X') }),
      'customer_not_in_segment',
      'restrictions.segments',
    );
    expect((await call('GET', `/coupon/${A}/coupons/XTENANT`, { token: adminA })).body.redemptionCount).toBe(0);
    // A tenant-B token cannot act on tenant A at all (TEN-2).
    const bToken = await mint.customer(B, 'C-B2C', CUSTOMER_SCOPES);
    const crossed = await call('POST', `/coupon/${A}/coupons/XTENANT/redemptions`, { token: bToken, body: order(20, 5, 'ORD-X2') });
    expect([crossed.status, crossed.body.type]).toEqual([403, 'insufficient_permissions']);
    // Control: in tenant B the same customer is a member and the same coupon is redeemable.
    expect((await call('POST', `/coupon/${B}/coupons/XTENANT/validation`, { token: bToken, body: order(20, 5) })).status).toBe(200);
    // And segment visibility does not leak either way.
    expect((await call('GET', `/customer-segment/${A}/segments`, { token: b2c })).body.map((s: { id: string }) => s.id)).toEqual([
      'seg-garden',
    ]);
    expect((await call('GET', `/customer-segment/${B}/segments`, { token: bToken })).body.map((s: { id: string }) => s.id)).toEqual([
      'seg-bonly',
    ]);
  });

  describe('6. the segment service goes down and comes back', () => {
    let downAt = 0;

    it('answers 503 promptly and fails closed: no grant, no unfiltered list, nothing redeemed', async () => {
      await suite.stopService('customer-segment');
      downAt = Date.now();

      // The callers' own failures do not spread: unfiltered lists and unrestricted coupons still work.
      const unfiltered = await call('GET', `/category/${A}/categories/cat-hammers/assignments`, { token: b2b });
      expect([unfiltered.status, assignmentKeys(unfiltered.body)]).toEqual([200, expectedAssignments(['cat-hammers'])]);
      expect((await call('POST', `/coupon/${A}/coupons/PLAIN5/validation`, { token: b2c, body: order(20, 5) })).status).toBe(200);

      // Every 503 is timed against its bound: 1 s while the callers still try the peer, 300 ms once
      // their breaker is open (S2S-8: after 5 consecutive failed attempts).
      const timings: Array<{ what: string; ms: number; bound: number }> = [];
      const timed = (what: string, bound: number, res: Reply) => {
        timings.push({ what, ms: Math.round(res.ms), bound });
        return res;
      };

      // Coupon: each call is one attempt plus at most one retry (coupon §10.3), so its breaker has
      // seen 5 consecutive failures after the third call; from then on it fails fast.
      for (let i = 0; i < 3; i++) {
        expectSegmentUnavailable(
          timed(
            'coupon validation',
            1000,
            await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: b2c, body: order(20, 5) }),
          ),
        );
      }
      expectSegmentUnavailable(
        timed(
          'coupon redemption',
          1000,
          await call('POST', `/coupon/${A}/coupons/ANYSEG/redemptions`, { token: b2c, body: order(20, 5, 'ORD-DOWN-1') }),
        ),
      );
      for (let i = 0; i < 5; i++) {
        expectSegmentUnavailable(
          timed(
            'coupon validation, breaker open',
            300,
            await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: b2c, body: order(20, 5) }),
          ),
        );
        expectSegmentUnavailable(
          timed(
            'coupon redemption, breaker open',
            300,
            await call('POST', `/coupon/${A}/coupons/ANYSEG/redemptions`, { token: b2b, body: order(20, 5, `ORD-DOWN-${i + 2}`) }),
          ),
        );
      }

      // Category: one attempt plus up to two retries (S2S-7), so its breaker is open after the second call.
      const filterPath = `/category/${A}/categories/cat-tools/assignments?withSubcategories=true&segmentsIds=seg-pro`;
      for (let i = 0; i < 2; i++) expectFilterUnavailable(timed('segmentsIds filter', 1000, await call('GET', filterPath, { token: b2b })));
      for (let i = 0; i < 5; i++)
        expectFilterUnavailable(timed('segmentsIds filter, breaker open', 300, await call('GET', filterPath, { token: b2b })));
      // The same request straight to the category app, bypassing the gateway: tells an app's delay
      // from one the gateway adds when the two disagree.
      const direct = httpClient(suite.services.category.url);
      for (let i = 0; i < 3; i++)
        expectFilterUnavailable(
          timed('segmentsIds filter, breaker open, category app directly', 300, await direct('GET', filterPath, { token: b2b })),
        );

      process.stdout.write(
        `segment service down, 503 latencies:\n${timings.map((t) => `  ${t.what}: ${t.ms} ms (bound ${t.bound} ms)`).join('\n')}\n`,
      );

      // Nothing was reserved or written by the refused redemptions.
      const coupon = await call('GET', `/coupon/${A}/coupons/ANYSEG`, { token: adminA });
      expect(coupon.body.redemptionCount).toBe(0);
      expect((await call('GET', `/coupon/${A}/coupons/ANYSEG/redemptions`, { token: adminA })).body).toEqual([]);

      // Last, so that the fail-closed checks above are reported even when an answer was slow.
      expect(timings.filter((t) => t.ms >= t.bound)).toEqual([]);
    }, 60000);

    it('recovers after a restart, once the breaker lets a probe through (S2S-8)', async () => {
      expect(downAt).toBeGreaterThan(0);
      // The token check's launch boots while this step waits for the breakers.
      startTokenLaunch();
      await suite.startService('customer-segment');

      // Poll both callers until they answer from the live segment service. Every answer meanwhile is
      // the fail-closed 503, never a grant or an unfiltered list.
      const deadline = downAt + BREAKER_OPEN_MS + 25_000;
      const until = async (what: string, attempt: () => Promise<Reply>, ok: (r: Reply) => boolean, check503: (r: Reply) => void) => {
        for (;;) {
          const res = await attempt();
          if (ok(res)) return Date.now();
          check503(res);
          if (Date.now() > deadline) throw new Error(`${what} did not recover within ${deadline - downAt} ms of the outage start`);
          await sleep(500);
        }
      };
      const [couponBack, filterBack] = await Promise.all([
        until(
          'coupon validation',
          () => call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: b2c, body: order(20, 5) }),
          (r) => r.status === 200,
          expectSegmentUnavailable,
        ),
        until(
          'segmentsIds filter',
          () => call('GET', `/category/${A}/categories/cat-tools/assignments?withSubcategories=true&segmentsIds=seg-pro`, { token: b2b }),
          (r) => r.status === 200,
          expectFilterUnavailable,
        ),
      ]);
      process.stdout.write(
        `segment service back: coupon after ${couponBack - downAt} ms, segmentsIds after ${filterBack - downAt} ms from the outage start\n`,
      );

      // Fully working again, with exactly the right answers.
      const filtered = await call('GET', `/category/${A}/categories/cat-tools/assignments?withSubcategories=true&segmentsIds=seg-pro`, {
        token: b2b,
      });
      expect([filtered.status, assignmentKeys(filtered.body)]).toEqual([200, expectedAssignments(['cat-hammers', 'cat-claw'])]);
      const redeemed = await call('POST', `/coupon/${A}/coupons/ANYSEG/redemptions`, { token: b2c, body: order(20, 5, 'ORD-BACK') });
      expect(redeemed.status).toBe(201);
      expectNotRedeemable(
        await call('POST', `/coupon/${A}/coupons/ANYSEG/validation`, { token: other, body: order(20, 5) }),
        'customer_not_in_segment',
        'restrictions.segments',
      );
      const coupon = await call('GET', `/coupon/${A}/coupons/ANYSEG`, { token: adminA });
      expect(coupon.body.redemptionCount).toBe(1);
      // The segment service's own data survived its restart (the database kept running).
      const tree = await call('GET', `/customer-segment/${A}/segments/items/category-trees`, {
        token: b2c,
        headers: { 'accept-language': 'en' },
      });
      expect(tree.body).toEqual([treeNode('cat-garden', false, 'en', [treeNode('cat-hoses', true, 'en')])]);
    }, 90000);
  });
});

// ---------------------------------------------------------------------------------------------
// Service tokens between the services (S2S-3, S2S-4, S2S-5).
// ---------------------------------------------------------------------------------------------

describe('service tokens between the services: the caller’s token is never forwarded', () => {
  let launched: TokenLaunch;
  let call: Call;
  let admin: string;
  const verify = (token: string) =>
    jwtVerify(token, new TextEncoder().encode(SIGNING.secret), { issuer: SIGNING.issuer, audience: SIGNING.audience });
  // Headers a storefront might send that must never travel to a peer (S2S-5, AUTH-12 rule 3).
  const hostile = {
    cookie: 'session=shopper-secret',
    legalentityid: 'LE-FORGED',
    'x-forwarded-for': '203.0.113.9',
    'x-request-id': 'e2e-token-check',
  };

  beforeAll(async () => {
    launched = await startTokenLaunch().catch(dumpLogs);
    call = httpClient(launched.suite.baseUrl);
    admin = await mint.employee(T, ADMIN_SCOPES);
    expect(
      (
        await call('POST', `/category/${T}/categories`, {
          token: admin,
          body: { id: 'cat-path', localizedName: { en: 'Path' }, published: true },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', `/category/${T}/categories/cat-path/assignments`, {
          token: admin,
          body: { ref: { id: 'p-1', type: 'PRODUCT' } },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', `/coupon/${T}/coupons`, {
          token: admin,
          body: {
            code: 'STUBSEG',
            name: 'Stub segment',
            discountAbsolute: usd(5),
            segmentRestricted: true,
            restrictions: { segments: ['seg-stub'] },
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', `/customer-segment/${T}/segments`, {
          token: admin,
          body: { id: 'seg-real', name: { en: 'Real' }, status: 'ACTIVE', siteCode: 'main' },
        })
      ).status,
    ).toBe(201);
    expect((await call('PUT', `/customer-segment/${T}/segments/seg-real/customers/C-TOK`, { token: admin })).status).toBe(201);
    expect((await call('PUT', `/customer-segment/${T}/segments/seg-real/items/CATEGORY/cat-root`, { token: admin })).status).toBe(201);
  }, 120000);

  /** The one recorded call matching, with its bearer token verified against the suite's signing key. */
  async function peerCall(method: string, path: string, userToken: string) {
    const matching = launched.peers.requests.filter((r) => r.method === method && r.path === path);
    expect(matching.length).toBeGreaterThanOrEqual(1);
    for (const r of matching) {
      const header = String(r.headers.authorization ?? '');
      expect(header).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const token = header.slice('Bearer '.length);
      expect(token).not.toBe(userToken);
      await expect(verify(token)).resolves.toBeDefined();
      for (const h of ['cookie', 'legalentityid', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'])
        expect([h, r.headers[h]]).toEqual([h, undefined]);
    }
    return {
      request: matching[matching.length - 1],
      claims: jwtPayload(String(matching[matching.length - 1].headers.authorization).slice(7)),
    };
  }

  it('coupon → customer-segment: its own token with exactly customersegment.segment_read, customer from the verified token', async () => {
    const customer = await mint.customer(T, 'C-TOK', CUSTOMER_SCOPES, 'LE-TOK');
    launched.peers.reset();
    const res = await call('POST', `/coupon/${T}/coupons/STUBSEG/validation`, { token: customer, headers: hostile, body: order(20, 5) });
    expect(res.status).toBe(200);
    const { request, claims } = await peerCall('GET', `/customer-segment/${T}/segments`, customer);
    expect(claims).toEqual(
      expect.objectContaining({ principalType: 'service', client_id: 'coupon', tenant: T, scope: 'customersegment.segment_read' }),
    );
    expect(claims.customerId).toBeUndefined();
    expect(request.query.get('customerId')).toBe('C-TOK');
    expect(request.query.get('legalEntityId')).toBe('LE-TOK'); // the claim, never the forged header
    expect(request.query.get('q')).toBe('id:("seg-stub")');
    expect(request.headers['x-request-id']).toBe('e2e-token-check');
  });

  it('category → customer-segment: its own token with exactly customersegment.segment_read', async () => {
    const customer = await mint.customer(T, 'C-TOK', CUSTOMER_SCOPES);
    launched.peers.reset();
    const res = await call('GET', `/category/${T}/categories/cat-path/assignments?segmentsIds=seg-stub`, {
      token: customer,
      headers: hostile,
    });
    expect([res.status, assignmentKeys(res.body)]).toEqual([200, ['cat-path/p-1']]);
    const { request, claims } = await peerCall('GET', `/customer-segment/${T}/segments/items`, customer);
    expect(claims).toEqual(
      expect.objectContaining({ principalType: 'service', client_id: 'category', tenant: T, scope: 'customersegment.segment_read' }),
    );
    expect(request.query.get('q')).toBe('type:CATEGORY segmentId:("seg-stub")');
    expect(request.query.get('pageSize')).toBe('1000');
    expect(request.headers['x-request-id']).toBe('e2e-token-check');
  });

  it('customer-segment → category: its own token with no scope at all, published data only', async () => {
    const customer = await mint.customer(T, 'C-TOK', CUSTOMER_SCOPES);
    launched.peers.reset();
    const res = await call('GET', `/customer-segment/${T}/segments/items/category-trees`, { token: customer, headers: hostile });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: 'cat-root', code: 'ROOT', name: { en: 'Root' }, isSegmentAssigned: true, position: 0, published: true },
    ]);
    const { request, claims } = await peerCall('POST', `/category/${T}/category-trees/search`, customer);
    expect(claims).toEqual(expect.objectContaining({ principalType: 'service', client_id: 'customer-segment', tenant: T, scope: '' }));
    expect(JSON.parse(request.body)).toEqual({ categoryIds: ['cat-root'] });
    expect(request.query.get('showUnpublished')).toBeNull();
    expect(request.headers['accept-language']).toBe('*');
  });
});
