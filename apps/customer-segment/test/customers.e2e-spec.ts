import { MongoClient } from 'mongodb';
import { Harness, auth, client, expectError, startHarness } from './support';

const T = 'custtest';
const seg = `/customer-segment/${T}/segments`;

describe('customer assignments (segment §3.12–§3.21)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T);
    mongo = await MongoClient.connect(h.db.uri);
    for (const id of ['gold', 'silver'])
      expect((await call('PUT', `${seg}/${id}`, { headers, body: { name: id, siteCode: 'main', status: 'ACTIVE' } })).status).toBe(201);
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  const outbox = (subjectPrefix: string) =>
    mongo
      .db('customer_segment')
      .collection('outbox')
      .find({ tenant: T, 'event.subject': { $regex: `^${subjectPrefix}` } })
      .sort({ createdAt: 1 })
      .toArray()
      .then((rows) => rows.map((r) => r.event as { type: string; subject: string; entityversion: number; data: Record<string, unknown> }));

  describe('B2C and B2B single operations', () => {
    it('PUT creates (201, Location, no body), then updates (204) replacing mixins in full', async () => {
      const created = await call('PUT', `${seg}/gold/customers/c-100`, {
        headers,
        body: {
          mixins: { segmentAttributes: { membershipStatus: 'PREMIUM' } },
          metadata: { mixins: { segmentAttributes: 'https://example.com/s.json' } },
        },
      });
      expect([created.status, created.body]).toEqual([201, undefined]);
      expect(created.headers.get('location')).toBe(`${seg}/gold/customers/c-100`);
      const got = await call('GET', `${seg}/gold/customers/c-100`, { headers });
      expect(got.body).toEqual({
        segmentId: 'gold',
        customer: { id: 'c-100' },
        assignmentType: 'MANUAL',
        mixins: { segmentAttributes: { membershipStatus: 'PREMIUM' } },
        metadata: {
          version: 1,
          createdAt: expect.any(String),
          modifiedAt: expect.any(String),
          mixins: { segmentAttributes: 'https://example.com/s.json' },
        },
      });
      const updated = await call('PUT', `${seg}/gold/customers/c-100`, { headers });
      expect([updated.status, updated.body]).toEqual([204, undefined]);
      const after = await call('GET', `${seg}/gold/customers/c-100?fields=metadata.version,customer`, { headers });
      expect(after.body).toEqual({ customer: { id: 'c-100' }, metadata: { version: 2 } });
      const evs = await outbox('gold/customers/c-100');
      expect(evs.map((e) => e.type)).toEqual([
        'customer-segment.customer-assignment-created',
        'customer-segment.customer-assignment-updated',
      ]);
      expect(evs[0].data).toMatchObject({
        segmentId: 'gold',
        customer: { id: 'c-100' },
        assignmentType: 'MANUAL',
        mixins: { segmentAttributes: { membershipStatus: 'PREMIUM' } },
        tenant: T,
      });
    });

    it('keeps B2C and B2B records of one customer apart', async () => {
      expect((await call('PUT', `${seg}/gold/customers/c-200/le-1`, { headers, body: {} })).status).toBe(201);
      const b2b = await call('GET', `${seg}/gold/customers/c-200/le-1`, { headers });
      expect(b2b.body).toMatchObject({ customer: { id: 'c-200' }, legalEntity: { id: 'le-1' } });
      // A B2B-only membership does not count for the B2C address.
      expectError(await call('GET', `${seg}/gold/customers/c-200`, { headers }), 404, 'resource_not_found');
      expect((await call('PUT', `${seg}/gold/customers/c-200`, { headers })).status).toBe(201);
      expect((await call('GET', `${seg}/gold/customers/c-200`, { headers })).body.legalEntity).toBeUndefined();
    });

    it('enforces optimistic locking (409) and ignores a version on create', async () => {
      expect((await call('PUT', `${seg}/gold/customers/c-300`, { headers, body: { metadata: { version: 9 } } })).status).toBe(201);
      expect((await call('PUT', `${seg}/gold/customers/c-300`, { headers, body: { metadata: { version: 1 } } })).status).toBe(204);
      expectError(
        await call('PUT', `${seg}/gold/customers/c-300`, { headers, body: { metadata: { version: 1 } } }),
        409,
        'version_conflict',
      );
    });

    it('validates ids and bodies (400) before the segment (404)', async () => {
      expectError(await call('PUT', `${seg}/gold/customers/bulk%20x`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/gold/customers/c-1/.le`, { headers }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/gold/customers/c-1`, { headers, body: { mixins: { x: 1 } } }), 400, 'validation_failed');
      expectError(await call('PUT', `${seg}/gold/customers/c-1`, { headers, body: [1] }), 400, 'validation_failed');
      expectError(
        await call('PUT', `${seg}/gold/customers/c-1`, { headers, body: { metadata: { version: 'x' } } }),
        400,
        'validation_failed',
      );
      expectError(await call('PUT', `${seg}/gold/customers/c-1`, { headers, raw: '{' }), 400, 'malformed_json');
      expectError(await call('PUT', `${seg}/nope/customers/c-1`, { headers, body: {} }), 404, 'resource_not_found');
      expectError(await call('PUT', `${seg}/nope/customers/c-1/le`, { headers, body: {} }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/nope/customers/c-1`, { headers }), 404, 'resource_not_found');
    });

    it('DELETE is idempotent; only the B2B delete reports an unknown segment', async () => {
      expect((await call('DELETE', `${seg}/gold/customers/c-200`, { headers })).status).toBe(204);
      expect((await call('GET', `${seg}/gold/customers/c-200/le-1`, { headers })).status).toBe(200);
      expect((await call('DELETE', `${seg}/gold/customers/c-200`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${seg}/nope/customers/c-200`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${seg}/gold/customers/c-200/le-1`, { headers })).status).toBe(204);
      expectError(await call('DELETE', `${seg}/nope/customers/c-200/le-1`, { headers }), 404, 'resource_not_found');
      const evs = await outbox('gold/customers/c-200');
      expect(evs.filter((e) => e.type.endsWith('deleted')).map((e) => e.data)).toEqual([
        { segmentId: 'gold', customerId: 'c-200', legalEntityId: null, tenant: T },
        { segmentId: 'gold', customerId: 'c-200', legalEntityId: 'le-1', tenant: T },
      ]);
    });
  });

  describe('lists and search', () => {
    beforeAll(async () => {
      const res = await call('PUT', `${seg}/silver/customers/bulk`, {
        headers,
        body: [
          { customerId: 'b' },
          { customerId: 'a', legalEntityId: 'le-2' },
          { customerId: 'a' },
          { customerId: 'a', legalEntityId: 'le-1', mixins: { m: { k: 'v' } } },
        ],
      });
      expect(res.status).toBe(207);
    });

    it('lists B2C first per customer, sorted by customer then legal entity, with total count', async () => {
      const res = await call('GET', `${seg}/silver/customers`, { headers: { ...headers, 'x-total-count': 'true' } });
      expect(res.headers.get('x-total-count')).toBe('4');
      expect(
        res.body.map((a: { customer: { id: string }; legalEntity?: { id: string } }) => `${a.customer.id}/${a.legalEntity?.id ?? '-'}`),
      ).toEqual(['a/-', 'a/le-1', 'a/le-2', 'b/-']);
    });

    it('filters with q (aliases included) on GET and POST search, sorts and pages', async () => {
      const q = await call(
        'GET',
        `${seg}/silver/customers?q=${encodeURIComponent('customerId:a legalEntity.id:exists')}&sort=legalEntity.id:desc`,
        { headers },
      );
      expect(q.body.map((a: { legalEntity: { id: string } }) => a.legalEntity.id)).toEqual(['le-2', 'le-1']);
      const s = await call('POST', `${seg}/silver/customers/search?pageSize=1&pageNumber=2`, {
        headers,
        body: { q: 'assignmentType:MANUAL mixins.m.k:v' },
      });
      expect(s.body).toEqual([]);
      const s1 = await call('POST', `${seg}/silver/customers/search`, { headers, body: { q: 'assignmentType:MANUAL mixins.m.k:v' } });
      expect(s1.body.map((a: { legalEntity: { id: string } }) => a.legalEntity.id)).toEqual(['le-1']);
      expectError(await call('GET', `${seg}/silver/customers?q=segmentId:silver`, { headers }), 400, 'invalid_query');
      expectError(await call('POST', `${seg}/nope/customers/search`, { headers, body: {} }), 404, 'resource_not_found');
      expectError(await call('GET', `${seg}/nope/customers`, { headers }), 404, 'resource_not_found');
    });
  });

  describe('bulk', () => {
    it('PUT /customers/bulk: 207 without ids; created, updated, invalid and stale elements', async () => {
      const res = await call('PUT', `${seg}/gold/customers/bulk`, {
        headers,
        body: [
          { customerId: 'k1' },
          { customerId: 'k1', metadata: { version: 1 } },
          { customerId: 'k1', metadata: { version: 1 } },
          { legalEntityId: 'x' },
          { customerId: 'bulk' },
          { customerId: 'bulk', legalEntityId: 'le' },
          'str',
          { customerId: 5 },
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body).toEqual([
        { index: 0, code: 201, status: 'Created' },
        { index: 1, code: 204, status: 'No Content' },
        { index: 2, code: 409, status: 'Conflict', message: expect.any(String) },
        { index: 3, code: 400, status: 'Bad Request', message: 'customerId is required' },
        { index: 4, code: 400, status: 'Bad Request', message: expect.stringContaining('reserved') },
        { index: 5, code: 201, status: 'Created' },
        { index: 6, code: 400, status: 'Bad Request', message: expect.any(String) },
        { index: 7, code: 400, status: 'Bad Request', message: 'customerId must be a string' },
      ]);
    });

    it('PUT /customers/bulk: plain id-only elements are judged like any other element', async () => {
      // Id-only elements take a shortcut past class-validator; its boundary must not change outcomes.
      const res = await call('PUT', `${seg}/silver/customers/bulk`, {
        headers,
        body: [
          { customerId: 'p1' },
          { customerId: 'p1', legalEntityId: 'le1' },
          { customerId: 'a b' },
          { customerId: 'p2', legalEntityId: 'l e' },
          { customerId: 'p3', legalEntityId: 7 },
          { customerId: 'p4', unknownProperty: 1 },
          { customerId: 'x'.repeat(300) },
          { customerId: 'p1' },
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body).toEqual([
        { index: 0, code: 201, status: 'Created' },
        { index: 1, code: 201, status: 'Created' },
        { index: 2, code: 400, status: 'Bad Request', message: expect.stringContaining('customerId') },
        { index: 3, code: 400, status: 'Bad Request', message: expect.stringContaining('legalEntityId') },
        { index: 4, code: 400, status: 'Bad Request', message: 'legalEntityId must be a string' },
        { index: 5, code: 201, status: 'Created' },
        { index: 6, code: 400, status: 'Bad Request', message: expect.stringContaining('customerId') },
        { index: 7, code: 204, status: 'No Content' },
      ]);
      const b2b = await call('GET', `${seg}/silver/customers/p1/le1`, { headers });
      expect([b2b.status, b2b.body.customer, b2b.body.legalEntity, b2b.body.metadata.version]).toEqual([
        200,
        { id: 'p1' },
        { id: 'le1' },
        1,
      ]);
      const b2c = await call('GET', `${seg}/silver/customers/p1`, { headers });
      expect([b2c.status, b2c.body.customer, b2c.body.legalEntity, b2c.body.metadata.version]).toEqual([200, { id: 'p1' }, undefined, 2]);
      expect((await call('GET', `${seg}/silver/customers/p4`, { headers })).body.mixins).toBeUndefined();
    });

    it('DELETE /customers/bulk: 204 for deleted and absent, 400 for invalid elements', async () => {
      const res = await call('DELETE', `${seg}/gold/customers/bulk`, {
        headers,
        body: [{ customerId: 'k1' }, { customerId: 'k1' }, { customerId: 'bulk', legalEntityId: 'le' }, {}, 7],
      });
      expect(res.body).toEqual([
        { index: 0, code: 204, status: 'No Content' },
        { index: 1, code: 204, status: 'No Content' },
        { index: 2, code: 204, status: 'No Content' },
        { index: 3, code: 400, status: 'Bad Request', message: expect.any(String) },
        { index: 4, code: 400, status: 'Bad Request', message: expect.any(String) },
      ]);
      expectError(await call('GET', `${seg}/gold/customers/k1`, { headers }), 404, 'resource_not_found');
    });

    it('answers 400 for a bad array before 404 for an unknown segment', async () => {
      expectError(await call('PUT', `${seg}/nope/customers/bulk`, { headers, body: {} }), 400, 'validation_failed');
      expectError(
        await call('PUT', `${seg}/nope/customers/bulk`, { headers, body: Array(201).fill({ customerId: 'x' }) }),
        400,
        'validation_failed',
      );
      expectError(await call('PUT', `${seg}/nope/customers/bulk`, { headers, body: [{ customerId: 'x' }] }), 404, 'resource_not_found');
      expectError(await call('DELETE', `${seg}/nope/customers/bulk`, { headers, body: [{ customerId: 'x' }] }), 404, 'resource_not_found');
      expectError(
        await call('PUT', `${seg}/gold/customers/bulk`, { headers, raw: 'x', contentType: 'application/xml' }),
        415,
        'unsupported_media_type',
      );
    });
  });
});
