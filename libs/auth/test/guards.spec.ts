// AUTH-8, AUTH-11, TEN-2, ERR-10: the guard chain token → tenant → scopes on a real app, the
// decorators, the route listing and the boot check that refuses unprotected routes.
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiKitModule, Public } from '@suite/api-kit';
import { AllowedPrincipals, Authenticated, AuthModule, RequireScopes, RouteAccessInspector } from '@suite/auth';
import { baseClaims, call, devOptions, expect401, expect403, hs256, silentLogger, startApp, TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await startApp(devOptions());
});
afterAll(async () => {
  await t?.close();
});

const token = (claims: Record<string, unknown> = {}) => hs256(baseClaims(claims));

describe('TenantGuard (TEN-2)', () => {
  it('accepts the token tenant in the path', async () => {
    expect((await call(`${t.url}/svc/acme/things/open`, { token: token() })).status).toBe(200);
  });

  it('another tenant, an uppercase variant or a malformed path tenant → 403 tenant_mismatch', async () => {
    for (const path of ['beta', 'ACME', 'Acme', 'acme1', 'ac', 'a-me', '%61cme%20', 'acme%00']) {
      const a = await call(`${t.url}/svc/${path}/things/open`, { token: token() });
      expect({ path, status: a.status, errorCode: a.body.errorCode, challenge: a.wwwAuthenticate }).toEqual({
        path,
        status: 403,
        errorCode: 'tenant_mismatch',
        challenge: null,
      });
    }
  });

  it('a percent-encoded path equal to the tenant after decoding is the same tenant', async () => {
    // The router decodes path parameters; the comparison is on the decoded bytes.
    expect((await call(`${t.url}/svc/%61cme/things/open`, { token: token() })).status).toBe(200);
  });

  it('401 comes before the tenant check', async () => {
    expect401(await call(`${t.url}/svc/beta/things/open`), 'token_missing');
  });

  it('checks the tenant before the scope: wrong tenant without scope is tenant_mismatch', async () => {
    expect403(await call(`${t.url}/svc/beta/things/write`, { method: 'POST', token: token({ scope: '' }) }), 'tenant_mismatch');
  });

  it('answers 403 before the body is read: a body the decoder would refuse never decides (ERR-10)', async () => {
    const badBody = { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not json at all' };
    expect403(await call(`${t.url}/svc/beta/things/write`, { ...badBody, token: token({ scope: 'svc.manage' }) }), 'tenant_mismatch');
    expect403(await call(`${t.url}/svc/acme/things/write`, { ...badBody, token: token({ scope: 'svc.read' }) }), 'insufficient_scope');
    expect401(await call(`${t.url}/svc/acme/things/write`, badBody), 'token_missing');
    // Control: with the right tenant and scope the same body reaches the decoder and is refused there.
    const decoded = await call(`${t.url}/svc/acme/things/write`, { ...badBody, token: token({ scope: 'svc.manage' }) });
    expect({ status: decoded.status, errorCode: decoded.body.errorCode }).toEqual({ status: 415, errorCode: 'unsupported_media_type' });
    const ok = await call(`${t.url}/svc/acme/things/write`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      token: token({ scope: 'svc.manage' }),
    });
    expect({ status: ok.status, body: ok.body }).toEqual({ status: 201, body: { received: { a: 1 } } });
  });
});

describe('ScopeGuard (AUTH-8, AUTH-11)', () => {
  it('@RequireScopes is any-of', async () => {
    for (const scope of ['svc.read', 'svc.manage', 'svc.read svc.manage', 'other svc.manage']) {
      const a = await call(`${t.url}/svc/acme/things/read`, { token: token({ scope }) });
      expect({ scope, status: a.status }).toEqual({ scope, status: 200 });
    }
  });

  it('no accepted scope → 403 insufficient_scope with one missing_scope detail and the RFC 6750 challenge', async () => {
    for (const scope of ['', 'svc.write', 'SVC.READ', 'svc.read_own', 'svc.rea', 'tenant=acme']) {
      const a = await call(`${t.url}/svc/acme/things/read`, { token: token({ scope }) });
      expect({ scope, status: a.status, body: a.body, challenge: a.wwwAuthenticate }).toEqual({
        scope,
        status: 403,
        body: {
          code: 403,
          status: 'Forbidden',
          errorCode: 'insufficient_scope',
          message: expect.any(String),
          details: [{ type: 'missing_scope', message: 'Required scope(s): svc.read or svc.manage' }],
        },
        challenge: 'Bearer realm="commerce", error="insufficient_scope", scope="svc.read svc.manage"',
      });
    }
  });

  it('@Authenticated needs no scope, but a token', async () => {
    expect((await call(`${t.url}/svc/acme/things/open`, { token: token({ scope: '' }) })).status).toBe(200);
    const anonymous = token({ principalType: 'anonymous', sub: 'v1', sid: 'v1', scope: undefined });
    expect((await call(`${t.url}/svc/acme/things/open`, { token: anonymous })).status).toBe(200);
    expect401(await call(`${t.url}/svc/acme/things/open`), 'token_missing');
  });

  it('@AllowedPrincipals restricts principal types → 403 forbidden', async () => {
    const customer = token({ principalType: 'customer', sub: 'C1', customerId: 'C1', legalEntityId: 'LE1' });
    const mine = await call(`${t.url}/svc/acme/things/mine`, { token: customer });
    expect({ status: mine.status, body: mine.body }).toEqual({ status: 200, body: { customerId: 'C1', legalEntityId: 'LE1' } });
    for (const claims of [{}, { principalType: 'anonymous', sub: 'v', sid: 'v' }, { principalType: 'service', client_id: 'x' }]) {
      expect403(await call(`${t.url}/svc/acme/things/mine`, { token: token(claims) }), 'forbidden');
    }
  });

  it('controller-level rules apply, and a handler-level @AllowedPrincipals replaces the controller one', async () => {
    const employee = token({ scope: 'svc.manage' });
    const service = token({ scope: 'svc.manage', principalType: 'service', client_id: 'coupon' });
    const customer = token({ scope: 'svc.manage', principalType: 'customer', sub: 'C1', customerId: 'C1' });
    expect((await call(`${t.url}/svc/acme/staff`, { token: employee })).status).toBe(200);
    expect((await call(`${t.url}/svc/acme/staff`, { token: service })).status).toBe(200);
    expect403(await call(`${t.url}/svc/acme/staff`, { token: customer }), 'forbidden');
    expect403(await call(`${t.url}/svc/acme/staff`, { token: token({ scope: 'svc.read' }) }), 'insufficient_scope');
    expect((await call(`${t.url}/svc/acme/staff/machines`, { token: service })).status).toBe(200);
    expect403(await call(`${t.url}/svc/acme/staff/machines`, { token: employee }), 'forbidden');
  });

  it('auth.requireScope and assertScope in a handler throw the same 403 (input-dependent scopes)', async () => {
    for (const helper of ['false', 'true']) {
      const base = `${t.url}/svc/acme/things/publish?helper=${helper}`;
      expect((await call(`${base}&publish=false`, { token: token({ scope: '' }) })).body).toEqual({ published: false });
      expect((await call(`${base}&publish=true`, { token: token({ scope: 'svc.admin' }) })).body).toEqual({ published: true });
      const denied = await call(`${base}&publish=true`, { token: token({ scope: 'svc.read' }) });
      expect({
        status: denied.status,
        errorCode: denied.body.errorCode,
        details: denied.body.details,
        challenge: denied.wwwAuthenticate,
      }).toEqual({
        status: 403,
        errorCode: 'insufficient_scope',
        details: [{ type: 'missing_scope', message: 'Required scope(s): svc.publish or svc.admin' }],
        challenge: 'Bearer realm="commerce", error="insufficient_scope", scope="svc.publish svc.admin"',
      });
    }
  });

  it('health endpoints are public; unknown routes are 404 before any guard', async () => {
    expect((await call(`${t.url}/health/live`)).status).toBe(200);
    const unknown = await call(`${t.url}/svc/acme/nothing-here`);
    expect({ status: unknown.status, errorCode: unknown.body.errorCode }).toEqual({ status: 404, errorCode: 'route_not_found' });
  });
});

describe('RouteAccessInspector.listRouteAccess', () => {
  it('lists every route with its access rule, scopes and principals', () => {
    const routes = t.app.get(RouteAccessInspector).listRouteAccess();
    expect(routes.map(({ method, path, access, scopes, principals }) => ({ method, path, access, scopes, principals }))).toEqual([
      { method: 'GET', path: '/auth-test/docs', access: 'public', scopes: [], principals: null },
      { method: 'GET', path: '/auth-test/openapi.json', access: 'public', scopes: [], principals: null },
      { method: 'GET', path: '/health/live', access: 'public', scopes: [], principals: null },
      { method: 'GET', path: '/health/ready', access: 'public', scopes: [], principals: null },
      { method: 'GET', path: '/metrics', access: 'public', scopes: [], principals: null },
      { method: 'GET', path: '/svc/:tenant/staff', access: 'scopes', scopes: ['svc.manage'], principals: ['employee', 'service'] },
      { method: 'GET', path: '/svc/:tenant/staff/machines', access: 'scopes', scopes: ['svc.manage'], principals: ['service'] },
      { method: 'GET', path: '/svc/:tenant/things/mine', access: 'authenticated', scopes: [], principals: ['customer'] },
      { method: 'GET', path: '/svc/:tenant/things/open', access: 'authenticated', scopes: [], principals: null },
      { method: 'GET', path: '/svc/:tenant/things/publish', access: 'authenticated', scopes: [], principals: null },
      { method: 'GET', path: '/svc/:tenant/things/read', access: 'scopes', scopes: ['svc.read', 'svc.manage'], principals: null },
      { method: 'POST', path: '/svc/:tenant/things/write', access: 'scopes', scopes: ['svc.manage'], principals: null },
    ]);
  });
});

describe('boot check (AUTH-8: exactly one access decorator per route)', () => {
  async function boot(controller: new () => unknown): Promise<void> {
    @Module({
      imports: [
        ApiKitModule.forRoot({ service: 'boot-test', errorProfile: 'segment', logger: silentLogger }),
        AuthModule.forRoot(devOptions()),
      ],
      controllers: [controller],
    })
    class BootModule {}
    const app = await NestFactory.create(BootModule, new FastifyAdapter(), { logger: false, abortOnError: false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  }

  // ApiKitModule's public health and documentation routes are part of every app booted here.
  it('starts when every route has exactly one declaration', async () => {
    @Controller('svc/:tenant/fine')
    class Fine {
      @Get() @Authenticated() a() {}
      @Post() @RequireScopes('x.y') b() {}
    }
    await expect(boot(Fine)).resolves.toBeUndefined();
  });

  it('refuses a route with no declaration, naming it', async () => {
    @Controller('svc/:tenant/naked')
    class Naked {
      @Get() @Authenticated() ok() {}
      @Post('forgot') forgot() {}
    }
    await expect(boot(Naked)).rejects.toThrow(/POST \/svc\/:tenant\/naked\/forgot \(Naked\.forgot\): none of/);
  });

  it('refuses two declarations on one handler', async () => {
    @Controller('svc/:tenant/twice')
    class Twice {
      @Get() @Authenticated() @RequireScopes('x.y') both() {}
    }
    await expect(boot(Twice)).rejects.toThrow(/GET \/svc\/:tenant\/twice .*more than one/);
  });

  it('refuses @RequireScopes twice (which plain metadata would silently overwrite)', async () => {
    @Controller('svc/:tenant/twice')
    class TwiceScopes {
      @Get() @RequireScopes('a.b') @RequireScopes('c.d') both() {}
    }
    await expect(boot(TwiceScopes)).rejects.toThrow(/more than one/);
  });

  it('refuses a controller-level and a handler-level declaration together', async () => {
    @Controller('svc/:tenant/mixed')
    @RequireScopes('x.y')
    class Mixed {
      @Get() @Authenticated() h() {}
    }
    await expect(boot(Mixed)).rejects.toThrow(/more than one/);
  });

  it('refuses @Public outside the health endpoints, the two documentation routes and the metrics route', async () => {
    @Controller('svc/:tenant/open')
    class OpenDoor {
      @Get() @Public() h() {}
    }
    const allowed = '/health/live, /health/ready, /boot-test/openapi.json, /boot-test/docs, /metrics';
    await expect(boot(OpenDoor)).rejects.toThrow(`GET /svc/:tenant/open (OpenDoor.h): @Public is allowed only on ${allowed}`);
    // Another service's documentation paths, or other paths under the service's own prefix, are no exception.
    @Controller('other')
    class OtherDocs {
      @Get('openapi.json') @Public() document() {}
    }
    await expect(boot(OtherDocs)).rejects.toThrow(/GET \/other\/openapi\.json .*@Public is allowed only on/);
    @Controller('boot-test')
    class Sibling {
      @Get('docs/extra') @Public() extra() {}
    }
    await expect(boot(Sibling)).rejects.toThrow(/GET \/boot-test\/docs\/extra .*@Public is allowed only on/);
  });

  it('refuses a protected route without a :tenant path parameter', async () => {
    @Controller('svc/things')
    class NoTenant {
      @Get() @Authenticated() h() {}
    }
    await expect(boot(NoTenant)).rejects.toThrow(/without a :tenant path parameter/);
  });

  it('rejects malformed decorator arguments when the class is declared', () => {
    expect(() => RequireScopes()).toThrow(/at least one scope/);
    expect(() => RequireScopes('a b')).toThrow(/invalid scope/);
    expect(() => RequireScopes('tenant=acme')).toThrow(/invalid scope/);
    expect(() => AllowedPrincipals()).toThrow(/at least one/);
    expect(() => AllowedPrincipals('admin' as never)).toThrow(/unknown principal type/);
  });
});
