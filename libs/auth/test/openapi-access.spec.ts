// The OpenAPI document's security comes from the access decorators the guards read (AUTH-8), on a
// real app: one requirement per accepted scope (any-of), none for @Authenticated, class-level
// declarations included; 401/403 carry the guards' own bodies; the two documentation routes are
// public; and the comparison with the guards finds a drift.
import { Controller, Get } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { renderError, SECURITY_SCHEME, unauthorizedBody } from '@suite/api-kit';
import { insufficientScope, RequireScopes, RouteAccessInspector, tenantMismatch, tokenExpired, tokenInvalid } from '@suite/auth';
import { call, devOptions, startApp, StaffController, TestApp, ThingsController } from './support';

const OAUTH = SECURITY_SCHEME;

describe('OpenAPI document and access declarations', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await startApp(devOptions());
    const res = await call(`${t.url}/auth-test/openapi.json`);
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t?.close());

  it('serves the document and the reference without a token', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const page = await fetch(`${t.url}/auth-test/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('documents each route with the security the guards enforce', () => {
    const ops = (p: string) => doc.paths[p];
    expect(ops('/svc/{tenant}/things/read').get.security).toEqual([{ [OAUTH]: ['svc.read'] }, { [OAUTH]: ['svc.manage'] }]);
    expect(ops('/svc/{tenant}/things/write').post.security).toEqual([{ [OAUTH]: ['svc.manage'] }]);
    expect(ops('/svc/{tenant}/things/open').get.security).toEqual([{ [OAUTH]: [] }]);
    // A controller-level @RequireScopes applies to every handler of the controller.
    expect(ops('/svc/{tenant}/staff').get.security).toEqual([{ [OAUTH]: ['svc.manage'] }]);
    expect(t.app.get(RouteAccessInspector).documentMismatches(doc)).toEqual([]);
    // Health and documentation routes are not part of the API document.
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/svc/'))).toBe(true);
    expect(Object.keys(doc.components.securitySchemes)).toEqual([OAUTH]);
    expect(doc.components.securitySchemes[OAUTH].flows.clientCredentials.scopes).toEqual({ 'svc.manage': '', 'svc.read': '' });
  });

  it('documents 401 and 403 with the bodies the guards answer, in the service profile', () => {
    const read = doc.paths['/svc/{tenant}/things/read'].get.responses;
    const unauthorized = read['401'].content['application/json'].examples;
    expect(unauthorized.invalidToken.value).toEqual(unauthorizedBody(tokenInvalid('any reason')));
    expect(unauthorized.expiredToken.value).toEqual(unauthorizedBody(tokenExpired()));
    const forbidden = read['403'].content['application/json'].examples;
    expect(forbidden.missingScope.value).toEqual(renderError(insufficientScope(['svc.read', 'svc.manage']), 'segment'));
    expect(forbidden.tenantMismatch.value).toEqual(renderError(tenantMismatch(), 'segment'));
    const open = doc.paths['/svc/{tenant}/things/open'].get.responses;
    expect(Object.keys(open['403'].content['application/json'].examples)).toEqual(['tenantMismatch']);
  });

  it('reports a document that disagrees with the guards', () => {
    const drifted = structuredClone(doc);
    drifted.paths['/svc/{tenant}/things/read'].get.security = [{ [OAUTH]: ['svc.read'] }];
    delete drifted.paths['/svc/{tenant}/things/write'];
    drifted.paths['/svc/{tenant}/ghost'] = { get: { responses: {} } };
    expect(t.app.get(RouteAccessInspector).documentMismatches(drifted)).toEqual([
      expect.stringMatching(/^GET \/svc\/\{tenant\}\/things\/read: document says .*svc\.read.*, the guards enforce/),
      'POST /svc/{tenant}/things/write: protected route missing from the document',
      'GET /svc/{tenant}/ghost: documented, but no route serves it',
    ]);
  });

  it('a hand-written @ApiSecurity next to an access decorator is a drift the comparison reports', async () => {
    @Controller('svc/:tenant/extra')
    class Extra {
      @Get() @RequireScopes('svc.read') @ApiSecurity(OAUTH, ['svc.admin']) h() {}
    }
    const app = await startApp(devOptions(), [ThingsController, StaffController, Extra]);
    try {
      const extraDoc = (await call(`${app.url}/auth-test/openapi.json`)).body;
      expect(app.app.get(RouteAccessInspector).documentMismatches(extraDoc)).toEqual([
        expect.stringMatching(/^GET \/svc\/\{tenant\}\/extra: document says/),
      ]);
    } finally {
      await app.close();
    }
  });
});
