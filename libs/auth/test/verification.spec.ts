// AUTH-2..AUTH-7, AUTH-10: a real app on Fastify, real HTTP, a real JWKS server, and a battery of
// hostile tokens. Every hostile token is the valid baseline with one defect, and the baseline
// itself is shown to pass, so each rejection is caused by the defect under test.
import { SignJWT } from 'jose';
import {
  AUDIENCE,
  baseClaims,
  call,
  devOptions,
  expect401,
  hmac,
  hs256,
  ISSUER,
  JwksServer,
  makeKey,
  nowSec,
  rawJwt,
  SECRET,
  signWith,
  SigningKey,
  startApp,
  TestApp,
} from './support';

let jwks: JwksServer;
let rsa: SigningKey;
let ec: SigningKey;
let strangerRsa: SigningKey;
let dev: TestApp;
let prod: TestApp;
let read: string;
let prodRead: string;

beforeAll(async () => {
  [rsa, ec, strangerRsa] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('RS256', 'rsa-1')]);
  jwks = await new JwksServer().start();
  jwks.keys = [rsa.publicJwk, ec.publicJwk];
  dev = await startApp(devOptions({ jwksUri: jwks.url }));
  prod = await startApp({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, production: true, serviceName: 'auth-test' });
  read = `${dev.url}/svc/acme/things/read`;
  prodRead = `${prod.url}/svc/acme/things/read`;
});

afterAll(async () => {
  await dev?.close();
  await prod?.close();
  await jwks?.stop();
});

describe('accepted tokens', () => {
  it('accepts an HS256 token outside production and builds the AuthContext of AUTH-7', async () => {
    const a = await call(read, { token: hs256(baseClaims({ scope: 'svc.read other.scope', jti: 'j1' })) });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      tenant: 'acme',
      principalType: 'employee',
      subject: 'user-1',
      scopes: ['other.scope', 'svc.read'],
      customerId: null,
      legalEntityId: null,
      visitId: null,
      clientId: null,
    });
  });

  it('accepts RS256 and ES256 tokens whose key comes from the JWKS', async () => {
    for (const key of [rsa, ec]) {
      const a = await call(read, { token: await signWith(key, baseClaims()) });
      expect({ alg: key.alg, status: a.status, tenant: a.body.tenant }).toEqual({ alg: key.alg, status: 200, tenant: 'acme' });
    }
  });

  it('matches the Bearer scheme case-insensitively (RFC 6750 / RFC 7235)', async () => {
    const token = hs256(baseClaims());
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const a = await call(read, { headers: { authorization: `${scheme}   ${token}` } });
      expect({ scheme, status: a.status }).toEqual({ scheme, status: 200 });
    }
  });

  it('accepts an aud array that contains the audience', async () => {
    const a = await call(read, { token: hs256(baseClaims({ aud: ['other-api', AUDIENCE] })) });
    expect(a.status).toBe(200);
  });

  it('accepts exp and nbf within the 30 s clock tolerance', async () => {
    const now = nowSec();
    expect((await call(read, { token: hs256(baseClaims({ exp: now - 10 })) })).status).toBe(200);
    expect((await call(read, { token: hs256(baseClaims({ nbf: now + 10 })) })).status).toBe(200);
  });

  it('takes the tenant from a single tenant= scope entry and removes it from the scopes (AUTH-4, AUTH-5)', async () => {
    const a = await call(read, { token: hs256(baseClaims({ tenant: undefined, scope: 'tenant=acme svc.read' })) });
    expect({ status: a.status, tenant: a.body.tenant, scopes: a.body.scopes }).toEqual({
      status: 200,
      tenant: 'acme',
      scopes: ['svc.read'],
    });
    const both = await call(read, { token: hs256(baseClaims({ scope: 'svc.read\ttenant=acme' })) });
    expect({ status: both.status, scopes: both.body.scopes }).toEqual({ status: 200, scopes: ['svc.read'] });
  });

  it('accepts the scope claim as a JSON array', async () => {
    const a = await call(read, { token: hs256(baseClaims({ scope: ['svc.read', 'x.y', 'tenant=acme'] })) });
    expect({ status: a.status, scopes: a.body.scopes }).toEqual({ status: 200, scopes: ['svc.read', 'x.y'] });
  });

  it('builds customer, anonymous and service contexts; legalEntityId only for customers', async () => {
    const customer = await call(read, {
      token: hs256(baseClaims({ principalType: 'customer', sub: 'C1', customerId: 'C1', legalEntityId: 'LE1', sid: 'v1' })),
    });
    expect(customer.body).toMatchObject({ principalType: 'customer', customerId: 'C1', legalEntityId: 'LE1', visitId: 'v1' });
    const anonymous = await call(read, { token: hs256(baseClaims({ principalType: 'anonymous', sub: 'v9', sid: 'v9' })) });
    expect(anonymous.body).toMatchObject({ principalType: 'anonymous', visitId: 'v9', customerId: null });
    const service = await call(read, { token: hs256(baseClaims({ principalType: 'service', sub: 'coupon', client_id: 'coupon' })) });
    expect(service.body).toMatchObject({ principalType: 'service', clientId: 'coupon' });
    // An employee token carrying customer claims gets no customer identity (AUTH-3).
    const employee = await call(read, { token: hs256(baseClaims({ customerId: 'C1', legalEntityId: 'LE1' })) });
    expect(employee.body).toMatchObject({ principalType: 'employee', customerId: null, legalEntityId: null });
  });
});

describe('hostile tokens → 401', () => {
  it('no Authorization header → token_missing', async () => {
    expect401(await call(read), 'token_missing');
  });

  it('empty or blank header → token_missing', async () => {
    expect401(await call(read, { headers: { authorization: '' } }), 'token_missing');
    expect401(await call(read, { headers: { authorization: '   ' } }), 'token_missing');
  });

  it('another scheme, or Bearer without credentials → token_missing', async () => {
    const token = hs256(baseClaims());
    expect401(await call(read, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 'token_missing');
    expect401(await call(read, { headers: { authorization: `Token ${token}` } }), 'token_missing');
    expect401(await call(read, { headers: { authorization: token } }), 'token_missing');
    expect401(await call(read, { headers: { authorization: 'Bearer' } }), 'token_missing');
    expect401(await call(read, { headers: { authorization: 'Bearer   ' } }), 'token_missing');
  });

  it('a token outside the Authorization header is ignored → token_missing', async () => {
    const token = hs256(baseClaims());
    expect401(await call(`${read}?access_token=${token}`), 'token_missing');
    expect401(await call(read, { headers: { cookie: `access_token=${token}; jwt=${token}` } }), 'token_missing');
  });

  it('garbage and malformed tokens → token_invalid', async () => {
    for (const token of ['garbage', 'a.b.c', 'a.b', 'x'.repeat(5000), `${hs256(baseClaims())} extra`]) {
      expect401(await call(read, { headers: { authorization: `Bearer ${token}` } }), 'token_invalid');
    }
  });

  it('alg none → token_invalid', async () => {
    expect401(await call(read, { token: rawJwt({ alg: 'none', typ: 'JWT' }, baseClaims(), () => '') }), 'token_invalid');
    expect401(await call(read, { token: rawJwt({ alg: 'none' }, baseClaims(), hmac(SECRET)) }), 'token_invalid');
  });

  it('a crit header (RFC 7515 §4.1.11: no extension is understood here) → token_invalid, HS256 and JWKS alike', async () => {
    const ext = 'urn:example:must-understand';
    // The baseline without crit passes, so the header is what is refused.
    expect((await call(read, { token: rawJwt({ alg: 'HS256', typ: 'JWT' }, baseClaims(), hmac(SECRET)) })).status).toBe(200);
    for (const header of [{ crit: [ext], [ext]: true }, { crit: ['b64'], b64: true }, { crit: [] }, { crit: 'exp' }]) {
      expect401(await call(read, { token: rawJwt({ alg: 'HS256', typ: 'JWT', ...header }, baseClaims(), hmac(SECRET)) }), 'token_invalid');
    }
    for (const key of [rsa, ec]) {
      // jose signs a crit header only when told the extension is understood.
      const token = await new SignJWT(baseClaims())
        .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid, crit: [ext], [ext]: true })
        .sign(key.privateKey, { crit: { [ext]: true } });
      for (const app of [read, prodRead]) expect401(await call(app, { token }), 'token_invalid');
      expect((await call(prodRead, { token: await signWith(key, baseClaims()) })).status).toBe(200);
    }
  });

  it('HS256 signed with the RS256 public key (PEM as HMAC secret) → token_invalid', async () => {
    for (const app of [read, prodRead]) {
      const token = rawJwt({ alg: 'HS256', typ: 'JWT', kid: rsa.kid }, baseClaims(), hmac(rsa.publicPem));
      expect401(await call(app, { token }), 'token_invalid');
    }
    // The same attack with the JWK JSON as secret fails too.
    expect401(
      await call(read, { token: rawJwt({ alg: 'HS256', kid: rsa.kid }, baseClaims(), hmac(JSON.stringify(rsa.publicJwk))) }),
      'token_invalid',
    );
  });

  it('bad signature, unaccepted algorithm → token_invalid', async () => {
    expect401(await call(read, { token: hs256(baseClaims(), 'another-secret') }), 'token_invalid');
    expect401(await call(read, { token: rawJwt({ alg: 'HS384' }, baseClaims(), hmac(SECRET, 'sha384')) }), 'token_invalid');
    // Right kid, wrong private key.
    expect401(await call(read, { token: await signWith(strangerRsa, baseClaims()) }), 'token_invalid');
    // An RS256 header on a token signed with the EC key of another kid.
    const forged = (await signWith(ec, baseClaims())).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: rsa.kid })).toString('base64url');
    expect401(await call(read, { token: `${header}.${forged[1]}.${forged[2]}` }), 'token_invalid');
  });

  it('wrong iss, wrong aud, missing iss → token_invalid', async () => {
    expect401(await call(read, { token: hs256(baseClaims({ iss: 'https://evil.test/auth' })) }), 'token_invalid');
    expect401(await call(read, { token: hs256(baseClaims({ aud: 'other-api' })) }), 'token_invalid');
    expect401(await call(read, { token: hs256(baseClaims({ iss: undefined })) }), 'token_invalid');
    expect401(await call(read, { token: await signWith(rsa, baseClaims({ aud: ['x', 'y'] })) }), 'token_invalid');
  });

  it('unknown kid → token_invalid', async () => {
    expect401(await call(read, { token: await signWith(rsa, baseClaims(), 'nobody') }), 'token_invalid');
  });

  it('expired beyond the tolerance → token_expired', async () => {
    expect401(await call(read, { token: hs256(baseClaims({ exp: nowSec() - 60 })) }), 'token_expired');
    expect401(await call(read, { token: await signWith(ec, baseClaims({ exp: nowSec() - 3600 })) }), 'token_expired');
  });

  it('nbf in the future beyond the tolerance → token_invalid', async () => {
    expect401(await call(read, { token: hs256(baseClaims({ nbf: nowSec() + 120 })) }), 'token_invalid');
  });

  it('missing or non-numeric exp → token_invalid', async () => {
    expect401(await call(read, { token: hs256(baseClaims({ exp: undefined })) }), 'token_invalid');
    expect401(await call(read, { token: hs256(baseClaims({ exp: 'tomorrow' })) }), 'token_invalid');
    expect401(await call(read, { token: await signWith(rsa, baseClaims({ exp: undefined })) }), 'token_invalid');
  });

  it('missing sub → token_invalid', async () => {
    expect401(await call(read, { token: hs256(baseClaims({ sub: undefined })) }), 'token_invalid');
  });

  it('tenant problems (AUTH-4) → token_invalid', async () => {
    const cases: Array<Record<string, unknown>> = [
      { tenant: undefined },
      { tenant: undefined, scope: 'svc.read' },
      { tenant: 'acme', scope: 'tenant=beta svc.read' },
      { tenant: undefined, scope: 'tenant=acme tenant=beta svc.read' },
      { tenant: undefined, scope: 'tenant=acme tenant=acme svc.read' },
      { tenant: 'ACME' },
      { tenant: 'ab' },
      { tenant: '1acme' },
      { tenant: 'acme-corp' },
      { tenant: 'a'.repeat(17) },
      { tenant: ['acme'] },
      { tenant: undefined, scope: 'tenant=Acme svc.read' },
      { tenant: '' },
    ];
    for (const c of cases) {
      const a = await call(read, { token: hs256(baseClaims(c)) });
      expect({ c, status: a.status, challenge: a.wwwAuthenticate }).toEqual({
        c,
        status: 401,
        challenge: 'Bearer realm="commerce", error="invalid_token"',
      });
    }
  });

  it('principal type problems (AUTH-6) → token_invalid', async () => {
    const cases: Array<Record<string, unknown>> = [
      { principalType: undefined },
      { principalType: 'admin' },
      { principalType: 'Employee' },
      { principalType: 'customer', sub: 'C1' },
      { principalType: 'customer', sub: 'C1', customerId: 'C2' },
      { principalType: 'customer', sub: 'C1', customerId: 1 },
      { principalType: 'anonymous', sub: 'v1' },
      { principalType: 'service', sub: 'coupon' },
    ];
    for (const c of cases) {
      const a = await call(read, { token: hs256(baseClaims(c)) });
      expect({ c, status: a.status, body: a.body }).toEqual({
        c,
        status: 401,
        body: { fault: expect.objectContaining({ faultstring: 'Invalid access token' }) },
      });
    }
  });

  it('scope claim of the wrong type → token_invalid', async () => {
    for (const scope of [42, { a: 1 }, ['svc.read', 7], ['svc.read other']]) {
      expect401(await call(read, { token: hs256(baseClaims({ scope })) }), 'token_invalid');
    }
  });

  it('HS256 in production → token_invalid, while RS256 is accepted there', async () => {
    expect401(await call(prodRead, { token: hs256(baseClaims()) }), 'token_invalid');
    expect((await call(prodRead, { token: await signWith(rsa, baseClaims()) })).status).toBe(200);
  });

  it('two apps in one process keep their own verification (no shared global passport registry)', async () => {
    const token = hs256(baseClaims());
    expect((await call(read, { token })).status).toBe(200);
    expect((await call(prodRead, { token })).status).toBe(401);
    expect((await call(read, { token })).status).toBe(200);
  });

  it('never echoes the token in an error body', async () => {
    const token = hs256(baseClaims({ aud: 'other-api' }));
    const res = await fetch(read, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain(token.split('.')[1]);
  });
});
