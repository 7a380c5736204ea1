import { MongoClient } from 'mongodb';
import { Harness, MANAGE, PROFILE_MANAGE, PROFILE_READ, READ, auth, client, expectError, startHarness } from './support';

const T = 'proftest';
const P = `/customer-segment/${T}`;

describe('shopper profiles (README "Shopper profiles", suite extension)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T, [PROFILE_MANAGE, PROFILE_READ]);
    mongo = await MongoClient.connect(h.db.uri);
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  const full = {
    attributes: {
      country: 'DE',
      emailDomain: 'example.com',
      orderCount: 3,
      totalSpent: { amount: 612.5, currency: 'EUR' },
      lastOrderAt: '2026-11-30T10:15:00+01:00',
      tags: ['vip', 'newsletter', 'vip'],
    },
    mixins: { loyalty: { tier: 'gold' } },
    metadata: { mixins: { loyalty: 'https://schemas.example.com/loyalty.json' } },
  };

  it('PUT creates a B2C profile (201, Location), GET returns it normalised, PUT replaces it in full (204)', async () => {
    const created = await call('PUT', `${P}/profiles/c-1`, { headers, body: full });
    expect([created.status, created.body]).toEqual([201, undefined]);
    expect(created.headers.get('location')).toBe(`${P}/profiles/c-1`);
    const got = await call('GET', `${P}/profiles/c-1`, { headers });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      customerId: 'c-1',
      attributes: {
        country: 'DE',
        emailDomain: 'example.com',
        orderCount: 3,
        totalSpent: { amount: 612.5, currency: 'EUR' },
        lastOrderAt: '2026-11-30T09:15:00.000Z',
        tags: ['vip', 'newsletter'],
      },
      mixins: { loyalty: { tier: 'gold' } },
      metadata: {
        version: 1,
        createdAt: expect.any(String),
        modifiedAt: expect.any(String),
        mixins: { loyalty: 'https://schemas.example.com/loyalty.json' },
      },
    });
    const replaced = await call('PUT', `${P}/profiles/c-1`, { headers, body: { attributes: { country: 'AT' } } });
    expect(replaced.status).toBe(204);
    const after = (await call('GET', `${P}/profiles/c-1`, { headers })).body;
    expect(after.attributes).toEqual({ country: 'AT' });
    expect(after.mixins).toBeUndefined();
    expect(after.metadata.version).toBe(2);
    expect(after.metadata.createdAt).toBe(got.body.metadata.createdAt);
  });

  it('B2B profiles are their own, beside the B2C profile of the same customer', async () => {
    expect((await call('PUT', `${P}/profiles/c-2/le-1`, { headers, body: { attributes: { orderCount: 7 } } })).status).toBe(201);
    expect((await call('PUT', `${P}/profiles/c-2`, { headers, body: { attributes: { orderCount: 1 } } })).status).toBe(201);
    expect((await call('GET', `${P}/profiles/c-2/le-1`, { headers })).body).toMatchObject({
      customerId: 'c-2',
      legalEntityId: 'le-1',
      attributes: { orderCount: 7 },
    });
    expect((await call('GET', `${P}/profiles/c-2`, { headers })).body.attributes).toEqual({ orderCount: 1 });
    expectError(await call('GET', `${P}/profiles/c-2/le-2`, { headers }), 404, 'resource_not_found');
  });

  it('versions: a stale version is 409, the right one replaces, a version on a create is ignored (META-5.3)', async () => {
    expect((await call('PUT', `${P}/profiles/c-v`, { headers, body: { metadata: { version: 9 } } })).status).toBe(201);
    const stale = expectError(
      await call('PUT', `${P}/profiles/c-v`, { headers, body: { attributes: { country: 'FR' }, metadata: { version: 5 } } }),
      409,
      'version_conflict',
    );
    expect(stale.details[0].message).toContain('stored version is 1');
    expect(
      (await call('PUT', `${P}/profiles/c-v`, { headers, body: { attributes: { country: 'FR' }, metadata: { version: 1 } } })).status,
    ).toBe(204);
    expect((await call('GET', `${P}/profiles/c-v`, { headers })).body.metadata.version).toBe(2);
  });

  it('DELETE is idempotent (204 twice), then GET is 404', async () => {
    expect((await call('PUT', `${P}/profiles/c-del`, { headers })).status).toBe(201);
    expect((await call('DELETE', `${P}/profiles/c-del`, { headers })).status).toBe(204);
    expect((await call('DELETE', `${P}/profiles/c-del`, { headers })).status).toBe(204);
    expectError(await call('GET', `${P}/profiles/c-del`, { headers }), 404, 'resource_not_found');
    // An id that cannot exist is absent too, never a 500.
    expect((await call('DELETE', `${P}/profiles/${encodeURIComponent('.bad id')}`, { headers })).status).toBe(204);
    expectError(await call('GET', `${P}/profiles/${encodeURIComponent('.bad id')}`, { headers }), 404, 'resource_not_found');
  });

  describe('bad input is a 400 naming the field, and nothing is stored', () => {
    const cases: Array<[string, unknown, string]> = [
      ['an unknown attribute (never dropped silently)', { attributes: { favouriteColour: 'red' } }, 'attributes.favouriteColour'],
      ['a lower-case country', { attributes: { country: 'de' } }, 'attributes.country'],
      ['an e-mail address instead of a domain', { attributes: { emailDomain: 'a@example.com' } }, 'attributes.emailDomain'],
      ['a negative order count', { attributes: { orderCount: -1 } }, 'attributes.orderCount'],
      ['a fractional order count', { attributes: { orderCount: 1.5 } }, 'attributes.orderCount'],
      ['money without a currency', { attributes: { totalSpent: { amount: 5 } } }, 'attributes.totalSpent.currency'],
      ['negative money', { attributes: { totalSpent: { amount: -5, currency: 'EUR' } } }, 'attributes.totalSpent.amount'],
      ['a date without an offset', { attributes: { lastOrderAt: '2026-11-30T10:15:00' } }, 'attributes.lastOrderAt'],
      ['tags that are not strings', { attributes: { tags: [1] } }, 'attributes.tags'],
      ['an empty tag', { attributes: { tags: [''] } }, 'attributes.tags'],
      ['attributes that are not an object', { attributes: 'DE' }, 'attributes'],
      ['mixins that are not objects', { mixins: { loyalty: 5 } }, 'mixins'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const res = await call('PUT', `${P}/profiles/c-bad`, { headers, body });
      const err = expectError(res, 400, 'validation_failed');
      expect(
        err.details
          .map((d: { field: string }) => d.field)
          .some((f: string) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`)),
      ).toBe(true);
      expectError(await call('GET', `${P}/profiles/c-bad`, { headers }), 404, 'resource_not_found');
    });

    it('ids: a malformed or reserved customer id, a malformed session id, a JSON body that is not an object', async () => {
      expectError(await call('PUT', `${P}/profiles/${encodeURIComponent('.x')}`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${P}/profiles/c-1/${encodeURIComponent('a b')}`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${P}/guest-profiles/${encodeURIComponent('.s')}`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${P}/profiles/c-1`, { headers, body: [1] }), 400, 'validation_failed');
      expectError(await call('PUT', `${P}/profiles/c-1`, { headers, raw: '{bad', contentType: 'application/json' }), 400, 'malformed_json');
    });
  });

  describe('bulk upsert (PUT /profiles/bulk)', () => {
    it('answers 207 with one result per element in order: customers, B2B, guests, and bad elements', async () => {
      expect((await call('PUT', `${P}/profiles/b-2`, { headers })).status).toBe(201);
      const res = await call('PUT', `${P}/profiles/bulk`, {
        headers,
        body: [
          { customerId: 'b-1', attributes: { country: 'PL' } },
          { customerId: 'b-2', attributes: { orderCount: 2 } },
          { customerId: 'b-3', legalEntityId: 'le-9', attributes: { tags: ['b2b'] } },
          { sessionId: 'sess-b', attributes: { country: 'IT' } },
          { attributes: { country: 'PL' } },
          { customerId: 'b-4', sessionId: 'sess-x' },
          { customerId: 'b-5', attributes: { nope: 1 } },
          { customerId: 'b-6', attributes: { orderCount: 'many' } },
          'not an object',
          { customerId: 'bulk' },
          { customerId: 'b-2', attributes: { orderCount: 3 }, metadata: { version: 1 } },
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body.map((r: { index: number; code: number }) => [r.index, r.code])).toEqual([
        [0, 201],
        [1, 204],
        [2, 201],
        [3, 201],
        [4, 400],
        [5, 400],
        [6, 400],
        [7, 400],
        [8, 400],
        [9, 400],
        [10, 409],
      ]);
      expect(res.body[6].message).toContain('attributes.nope');
      expect((await call('GET', `${P}/profiles/b-3/le-9`, { headers })).body.attributes).toEqual({ tags: ['b2b'] });
      expect((await call('GET', `${P}/guest-profiles/sess-b`, { headers })).body).toMatchObject({
        sessionId: 'sess-b',
        attributes: { country: 'IT' },
      });
      expect((await call('GET', `${P}/profiles/b-2`, { headers })).body.attributes).toEqual({ orderCount: 2 });
    });

    it('refuses a body that is not an array or has more than 200 elements', async () => {
      expectError(await call('PUT', `${P}/profiles/bulk`, { headers, body: { customerId: 'x' } }), 400, 'validation_failed');
      const many = Array.from({ length: 201 }, (_, i) => ({ customerId: `m-${i}` }));
      expect([400, 413]).toContain((await call('PUT', `${P}/profiles/bulk`, { headers, body: many })).status);
      expectError(await call('GET', `${P}/profiles/m-0`, { headers }), 404, 'resource_not_found');
    });
  });

  describe('guests and the merge when a guest signs in', () => {
    it('merges a guest into an existing customer profile: the customer’s identity facts win, activity adds up, guest gone', async () => {
      await call('PUT', `${P}/profiles/m-1`, {
        headers,
        body: {
          attributes: {
            country: 'AT',
            orderCount: 2,
            totalSpent: { amount: 100, currency: 'EUR' },
            tags: ['vip'],
            lastOrderAt: '2026-10-01T00:00:00Z',
          },
          mixins: { loyalty: { tier: 'gold' } },
        },
      });
      await call('PUT', `${P}/guest-profiles/g-1`, {
        headers,
        body: {
          attributes: {
            country: 'DE',
            emailDomain: 'guest.example',
            orderCount: 1,
            totalSpent: { amount: 40, currency: 'EUR' },
            tags: ['shoes'],
            lastOrderAt: '2026-12-01T00:00:00Z',
          },
          mixins: { loyalty: { tier: 'none' }, consent: { email: true } },
        },
      });
      const merged = await call('POST', `${P}/guest-profiles/g-1/merge`, { headers, body: { customerId: 'm-1' } });
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({
        customerId: 'm-1',
        attributes: {
          country: 'AT',
          emailDomain: 'guest.example',
          orderCount: 3,
          totalSpent: { amount: 140, currency: 'EUR' },
          tags: ['vip', 'shoes'],
          lastOrderAt: '2026-12-01T00:00:00.000Z',
        },
        mixins: { loyalty: { tier: 'gold' }, consent: { email: true } },
        metadata: { version: 2 },
      });
      expectError(await call('GET', `${P}/guest-profiles/g-1`, { headers }), 404, 'resource_not_found');
      expect((await call('GET', `${P}/profiles/m-1`, { headers })).body).toEqual(merged.body);
      // A replay finds no guest: 404, nothing counted twice.
      expectError(await call('POST', `${P}/guest-profiles/g-1/merge`, { headers, body: { customerId: 'm-1' } }), 404, 'resource_not_found');
      expect((await call('GET', `${P}/profiles/m-1`, { headers })).body.attributes.orderCount).toBe(3);
    });

    it('creates the customer profile from the guest when there is none (B2B too)', async () => {
      await call('PUT', `${P}/guest-profiles/g-2`, { headers, body: { attributes: { orderCount: 4 } } });
      const merged = await call('POST', `${P}/guest-profiles/g-2/merge`, { headers, body: { customerId: 'm-2', legalEntityId: 'le-2' } });
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({
        customerId: 'm-2',
        legalEntityId: 'le-2',
        attributes: { orderCount: 4 },
        metadata: { version: 1 },
      });
    });

    it('finishes an interrupted merge exactly once, and refuses writes to a guest whose merge has begun', async () => {
      await call('PUT', `${P}/profiles/m-3`, { headers, body: { attributes: { orderCount: 1 } } });
      await call('PUT', `${P}/guest-profiles/g-3`, { headers, body: { attributes: { orderCount: 5 } } });
      // The state a crash after the customer's write leaves: the guest marked, its session remembered.
      const profiles = mongo.db('customer_segment').collection<{ _id: string }>(`${T}_segment_profiles`);
      await profiles.updateOne({ _id: 'guest/g-3' }, { $set: { mergingInto: 'customer/m-3' }, $inc: { 'metadata.version': 1 } });
      await profiles.updateOne({ _id: 'customer/m-3' }, { $set: { 'attributes.orderCount': 6 }, $push: { mergedGuests: 'g-3' } as never });
      expectError(
        await call('PUT', `${P}/guest-profiles/g-3`, { headers, body: { attributes: { orderCount: 9 } } }),
        409,
        'version_conflict',
      );
      expectError(
        await call('PUT', `${P}/guest-profiles/g-3`, { headers, body: { attributes: { orderCount: 9 }, metadata: { version: 2 } } }),
        409,
        'version_conflict',
      );
      expectError(await call('POST', `${P}/guest-profiles/g-3/merge`, { headers, body: { customerId: 'other' } }), 409, 'version_conflict');
      const done = await call('POST', `${P}/guest-profiles/g-3/merge`, { headers, body: { customerId: 'm-3' } });
      expect(done.status).toBe(200);
      expect(done.body.attributes.orderCount).toBe(6);
      expect(await profiles.findOne({ _id: 'guest/g-3' })).toBeNull();
    });

    it('concurrent merges of one guest apply it once', async () => {
      await call('PUT', `${P}/profiles/m-4`, { headers, body: { attributes: { orderCount: 10 } } });
      await call('PUT', `${P}/guest-profiles/g-4`, { headers, body: { attributes: { orderCount: 1 } } });
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => call('POST', `${P}/guest-profiles/g-4/merge`, { headers, body: { customerId: 'm-4' } })),
      );
      expect(answers.every((a) => [200, 404, 409].includes(a.status))).toBe(true);
      expect(answers.some((a) => a.status === 200)).toBe(true);
      // Whatever answered what, the guest's order was counted exactly once.
      const retry = await call('POST', `${P}/guest-profiles/g-4/merge`, { headers, body: { customerId: 'm-4' } });
      expect([200, 404]).toContain(retry.status);
      expect((await call('GET', `${P}/profiles/m-4`, { headers })).body.attributes.orderCount).toBe(11);
    });

    it('a merge needs a customer id; an unknown guest is 404', async () => {
      expectError(await call('POST', `${P}/guest-profiles/g-none/merge`, { headers, body: {} }), 400, 'validation_failed');
      expectError(
        await call('POST', `${P}/guest-profiles/g-none/merge`, { headers, body: { customerId: 'x' } }),
        404,
        'resource_not_found',
      );
    });
  });

  it('segment scopes do not reach profiles, and profile scopes do not reach segments', async () => {
    const segmentAdmin = await auth(T, [MANAGE, READ]);
    expectError(await call('GET', `${P}/profiles/c-1`, { headers: segmentAdmin }), 403, 'insufficient_scope');
    expectError(await call('PUT', `${P}/profiles/c-1`, { headers: segmentAdmin }), 403, 'insufficient_scope');
    expectError(await call('GET', `${P}/segments`, { headers }), 403, 'insufficient_scope');
    const reader = await auth(T, [PROFILE_READ]);
    expectError(await call('PUT', `${P}/profiles/c-1`, { headers: reader }), 403, 'insufficient_scope');
    expect((await call('GET', `${P}/profiles/c-1`, { headers: reader })).status).toBe(200);
  });

  it('tenants never see each other’s profiles', async () => {
    const other = await auth('proftest2', [PROFILE_MANAGE, PROFILE_READ]);
    expectError(await call('GET', `/customer-segment/proftest2/profiles/c-1`, { headers: other }), 404, 'resource_not_found');
    expectError(await call('GET', `${P}/profiles/c-1`, { headers: other }), 403, 'tenant_mismatch');
    expectError(
      await call('POST', `/customer-segment/proftest2/guest-profiles/g-1/merge`, { headers: other, body: { customerId: 'm-1' } }),
      404,
      'resource_not_found',
    );
    expect(
      (await call('PUT', `/customer-segment/proftest2/profiles/c-1`, { headers: other, body: { attributes: { country: 'SE' } } })).status,
    ).toBe(201);
    expect((await call('GET', `${P}/profiles/c-1`, { headers })).body.attributes).toEqual({ country: 'AT' });
  });
});
