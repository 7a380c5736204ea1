import { MongoClient } from 'mongodb';
import { startTestDatabase } from './database';
import { HttpStub } from './http-stub';
import { TEST_AUTH, bearer, mintToken } from './tokens';

describe('@suite/testing', () => {
  describe('HttpStub', () => {
    let stub: HttpStub;
    beforeAll(async () => {
      stub = await HttpStub.start();
    });
    afterAll(() => stub.close());
    beforeEach(() => stub.reset());

    it('records requests and answers with what the handler says', async () => {
      stub.respond((req) => ({
        status: 207,
        json: { path: req.path, q: req.query.get('q'), body: req.body },
        headers: { 'x-peer': 'yes' },
      }));
      const res = await fetch(`${stub.url}/a/b?q=x`, { method: 'POST', body: 'hello', headers: { authorization: 'Bearer t' } });
      expect(res.status).toBe(207);
      expect(res.headers.get('x-peer')).toBe('yes');
      expect(await res.json()).toEqual({ path: '/a/b', q: 'x', body: 'hello' });
      expect(stub.requests).toHaveLength(1);
      expect(stub.requests[0]).toMatchObject({ method: 'POST', path: '/a/b', body: 'hello' });
      expect(stub.requests[0].headers.authorization).toBe('Bearer t');
    });

    it('sends raw garbage, delays, hangs and resets', async () => {
      stub.respond(() => ({ raw: '{not json', headers: { 'content-type': 'application/json' } }));
      expect(await (await fetch(stub.url)).text()).toBe('{not json');

      stub.respond(() => ({ status: 200, json: {}, delayMs: 150 }));
      const t0 = Date.now();
      await (await fetch(stub.url)).arrayBuffer();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

      stub.respond(() => ({ hang: true }));
      await expect(fetch(stub.url, { signal: AbortSignal.timeout(200) })).rejects.toThrow();

      stub.respond(() => ({ reset: true }));
      await expect(fetch(stub.url)).rejects.toThrow();
    });
  });

  describe('tokens', () => {
    it('mints HS256 tokens with the test issuer, audience and requested claims', async () => {
      const token = await mintToken({ tenant: 'acme', scopes: ['a.b'], principalType: 'customer', customerId: 'C1' });
      const [header, payload] = token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
      expect(header.alg).toBe('HS256');
      expect(payload).toMatchObject({
        iss: TEST_AUTH.issuer,
        aud: TEST_AUTH.audience,
        tenant: 'acme',
        scope: 'a.b',
        principalType: 'customer',
        customerId: 'C1',
        sub: 'C1',
      });
      expect((await bearer({ tenant: 'acme' })).authorization).toMatch(/^Bearer ey/);
    });
  });

  describe('startTestDatabase', () => {
    it('starts a database the real driver talks to, and stops it', async () => {
      const db = await startTestDatabase();
      const client = await MongoClient.connect(db.uri);
      try {
        await client
          .db('t')
          .collection('c')
          .insertOne({ _id: 'x' as never, n: 1 });
        expect(await client.db('t').collection('c').findOne({})).toEqual({ _id: 'x', n: 1 });
      } finally {
        await client.close();
        await db.stop();
      }
    });
  });
});
