// S2S-3/S2S-4: the service-token provider — claims (verified by the real guard), caching per
// (tenant, sorted scopes), refresh 60 s before exp, and the client-credentials grant against a
// real local token endpoint.
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { ApiError } from '@suite/api-kit';
import {
  ClientCredentialsTokenProvider,
  createServiceTokenProvider,
  IssuedToken,
  LocalServiceTokenProvider,
  resolveAuthOptions,
  ServiceTokenProvider,
  UnconfiguredServiceTokenProvider,
} from '@suite/auth';
import { AUDIENCE, call, devOptions, ISSUER, SECRET, startApp, TestApp } from './support';

describe('service tokens from the module, verified by the guard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(devOptions({ serviceName: 'coupon' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the module provides the local HS256 implementation outside production', () => {
    expect(t.app.get(ServiceTokenProvider)).toBeInstanceOf(LocalServiceTokenProvider);
  });

  it('carries principalType service, client_id = service name, the tenant and only the given scopes', async () => {
    const token = await t.app.get(ServiceTokenProvider).getToken('acme', ['svc.read']);
    const a = await call(`${t.url}/svc/acme/things/read`, { token });
    expect({ status: a.status, body: a.body }).toEqual({
      status: 200,
      body: {
        tenant: 'acme',
        principalType: 'service',
        subject: 'coupon',
        scopes: ['svc.read'],
        customerId: null,
        legalEntityId: null,
        visitId: null,
        clientId: 'coupon',
      },
    });
    const claims = decodeJwt(token);
    expect({ iss: claims.iss, aud: claims.aud, ttl: (claims.exp ?? 0) - (claims.iat ?? 0) }).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      ttl: 3600,
    });
    // Scope-limited: not enough for a manage route, and not valid for another tenant.
    expect((await call(`${t.url}/svc/acme/things/write`, { method: 'POST', token })).body.errorCode).toBe('insufficient_scope');
    expect((await call(`${t.url}/svc/beta/things/read`, { token })).body.errorCode).toBe('tenant_mismatch');
  });

  it('a token without scopes reaches @Authenticated routes only', async () => {
    const token = await t.app.get(ServiceTokenProvider).getToken('acme', []);
    expect((await call(`${t.url}/svc/acme/things/open`, { token })).body.scopes).toEqual([]);
    expect((await call(`${t.url}/svc/acme/things/read`, { token })).status).toBe(403);
  });
});

describe('caching and refresh', () => {
  class CountingProvider extends LocalServiceTokenProvider {
    issued = 0;
    protected override issue(tenant: string, scopes: readonly string[]): Promise<IssuedToken> {
      this.issued++;
      return super.issue(tenant, scopes);
    }
  }
  const settings = { serviceName: 'coupon', secret: SECRET, issuer: ISSUER, audience: AUDIENCE, ttlSec: 3600 };

  it('caches per (tenant, sorted scope set)', async () => {
    const p = new CountingProvider(settings);
    const t1 = await p.getToken('acme', ['b.x', 'a.y']);
    expect(await p.getToken('acme', ['a.y', 'b.x'])).toBe(t1);
    expect(await p.getToken('acme', ['a.y', 'b.x', 'a.y'])).toBe(t1);
    expect(p.issued).toBe(1);
    const other = [await p.getToken('beta', ['a.y', 'b.x']), await p.getToken('acme', ['a.y']), await p.getToken('acme', [])];
    expect(new Set([t1, ...other]).size).toBe(4);
    expect(p.issued).toBe(4);
    expect(decodeJwt(other[0]).tenant).toBe('beta');
    expect(decodeJwt(t1).scope).toBe('a.y b.x');
  });

  it('refreshes 60 s before exp, not earlier', async () => {
    let now = Date.UTC(2030, 0, 1);
    const p = new CountingProvider(settings, () => now);
    const first = await p.getToken('acme', ['a.y']);
    now += (3600 - 61) * 1000;
    expect(await p.getToken('acme', ['a.y'])).toBe(first);
    now += 2000; // 59 s before exp
    const second = await p.getToken('acme', ['a.y']);
    expect(second).not.toBe(first);
    expect(p.issued).toBe(2);
    expect(decodeJwt(second).exp).toBe(Math.floor(now / 1000) + 3600);
  });

  it('concurrent requests for the same key share one issuance', async () => {
    const p = new CountingProvider(settings);
    const tokens = await Promise.all([p.getToken('acme', ['a.y']), p.getToken('acme', ['a.y']), p.getToken('acme', ['a.y'])]);
    expect(new Set(tokens).size).toBe(1);
    expect(p.issued).toBe(1);
  });

  it('refuses a malformed tenant or scope instead of asking for a token', async () => {
    const p = new CountingProvider(settings);
    await expect(p.getToken('ACME', [])).rejects.toThrow(/invalid tenant/);
    await expect(p.getToken('acme', ['a b'])).rejects.toThrow(/invalid scope/);
    await expect(p.getToken('acme', ['tenant=beta'])).rejects.toThrow(/invalid scope/);
    expect(p.issued).toBe(0);
  });
});

describe('client-credentials grant (production)', () => {
  interface Seen {
    method?: string;
    contentType?: string;
    authorization?: string;
    body: string;
  }
  let server: Server;
  let url: string;
  let seen: Seen[];
  let answer: (res: import('node:http').ServerResponse) => void;

  beforeEach(async () => {
    seen = [];
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `opaque-${seen.length}`, token_type: 'Bearer', expires_in: 300 }));
    };
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, contentType: req.headers['content-type'], authorization: req.headers.authorization, body });
        answer(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts grant_type=client_credentials with scope "tenant=<t> <scopes>" and HTTP Basic client auth', async () => {
    let now = 1_000_000;
    const p = new ClientCredentialsTokenProvider({ tokenUrl: url, clientId: 'coupon-svc', clientSecret: 's3:cr&t' }, () => now);
    expect(await p.getToken('acme', ['customersegment.segment_read', 'category.x'])).toBe('opaque-1');
    expect(seen).toHaveLength(1);
    const form = new URLSearchParams(seen[0].body);
    expect({
      method: seen[0].method,
      contentType: seen[0].contentType,
      grant: form.get('grant_type'),
      scope: form.get('scope'),
      basic: Buffer.from((seen[0].authorization ?? '').replace(/^Basic /, ''), 'base64').toString(),
    }).toEqual({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      grant: 'client_credentials',
      scope: 'tenant=acme category.x customersegment.segment_read',
      basic: 'coupon-svc:s3%3Acr%26t',
    });
    // Cached until 60 s before expires_in runs out.
    now += 239_000;
    expect(await p.getToken('acme', ['category.x', 'customersegment.segment_read'])).toBe('opaque-1');
    now += 2_000;
    expect(await p.getToken('acme', ['category.x', 'customersegment.segment_read'])).toBe('opaque-2');
    expect(seen).toHaveLength(2);
  });

  it('maps a failing, garbled or unreachable token endpoint to 503 upstream_unavailable', async () => {
    const p = () => new ClientCredentialsTokenProvider({ tokenUrl: url, clientId: 'c', clientSecret: 's', timeoutMs: 300 });
    const bad: Array<(res: import('node:http').ServerResponse) => void> = [
      (res) => res.writeHead(401).end('{"error":"invalid_client"}'),
      (res) => res.writeHead(500).end(),
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('not json'),
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token_type":"Bearer"}'),
      () => undefined, // never answers: timeout
    ];
    for (const b of bad) {
      answer = b;
      const err = await p()
        .getToken('acme', [])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).errorCode).toBe('upstream_unavailable');
    }
    const closed = new ClientCredentialsTokenProvider({ tokenUrl: 'http://127.0.0.1:1/token', clientId: 'c', clientSecret: 's' });
    await expect(closed.getToken('acme', [])).rejects.toMatchObject({ errorCode: 'upstream_unavailable' });
  });
});

describe('createServiceTokenProvider picks by configuration', () => {
  it('client credentials when a token URL is configured, local signing in development, none otherwise', () => {
    const cc = { tokenUrl: 'http://idp.test/token', clientId: 'c', clientSecret: 's' };
    expect(createServiceTokenProvider(resolveAuthOptions(devOptions(cc)))).toBeInstanceOf(ClientCredentialsTokenProvider);
    expect(createServiceTokenProvider(resolveAuthOptions(devOptions()))).toBeInstanceOf(LocalServiceTokenProvider);
    const prod = { issuer: ISSUER, audience: AUDIENCE, production: true, jwksUri: 'http://idp.test/jwks', serviceName: 'coupon' };
    expect(createServiceTokenProvider(resolveAuthOptions({ ...prod, ...cc }))).toBeInstanceOf(ClientCredentialsTokenProvider);
    // Production never signs locally, even when a secret is (wrongly) configured.
    expect(createServiceTokenProvider(resolveAuthOptions({ ...prod, hs256Secret: SECRET }))).toBeInstanceOf(
      UnconfiguredServiceTokenProvider,
    );
  });

  it('the unconfigured provider fails closed with 503', async () => {
    await expect(new UnconfiguredServiceTokenProvider().getToken('acme', [])).rejects.toMatchObject({ errorCode: 'upstream_unavailable' });
  });
});
