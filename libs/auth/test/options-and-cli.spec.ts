// Configuration (section 12, STYLE habit 8), the dev token signer and the token CLI.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  AuthContext,
  authContextFromClaims,
  authOptionsFromEnv,
  DEV_HS256_SECRET,
  devSigningSettingsFromEnv,
  extractBearerToken,
  parseScopeClaim,
  productionAuthSettings,
  resolveAuthOptions,
  signDevToken,
} from '@suite/auth';
import { ApiError } from '@suite/api-kit';
import { main } from '../../../tools/token';
import { AUDIENCE, call, devOptions, ISSUER, SECRET, startApp } from './support';

describe('resolveAuthOptions', () => {
  it('applies defaults', () => {
    const o = resolveAuthOptions(devOptions());
    expect({ tol: o.clockToleranceSec, cool: o.jwksRefreshCooldownSec, pub: o.publicPaths, ttl: o.localTokenTtlSec }).toEqual({
      tol: 30,
      cool: 30,
      pub: ['/health/live', '/health/ready'],
      ttl: 3600,
    });
  });

  it('refuses production without a JWKS, and drops the HS256 secret in production', () => {
    const prod = { issuer: ISSUER, audience: AUDIENCE, production: true, serviceName: 'x', hs256Secret: SECRET };
    expect(() => resolveAuthOptions(prod)).toThrow(/jwksUri \(AUTH_JWKS_URI\) is required in production/);
    expect(resolveAuthOptions({ ...prod, jwksUri: 'https://idp.test/jwks' }).hs256Secret).toBeUndefined();
  });

  it('names every problem of a bad configuration', () => {
    const bad = {
      issuer: '',
      audience: 7,
      production: 'no',
      jwksUri: 'ftp://x',
      clockToleranceSec: -1,
      serviceName: '',
      tokenUrl: 'http://idp/token',
    } as never;
    expect(() => resolveAuthOptions(bad)).toThrow(
      /issuer .*audience .*production .*jwksUri must be an http\(s\) URL.*clockToleranceSec.*serviceName.*set together/,
    );
    expect(() => resolveAuthOptions(devOptions({ hs256Secret: undefined }))).toThrow(/either jwksUri or hs256Secret/);
  });
});

describe('authOptionsFromEnv', () => {
  it('uses the documented defaults and warns once about the development secret', () => {
    const warnings: string[] = [];
    const o = authOptionsFromEnv({}, 'coupon', (m) => warnings.push(m));
    expect(o).toMatchObject({
      issuer: 'http://localhost/auth',
      audience: 'commerce-api',
      hs256Secret: DEV_HS256_SECRET,
      production: false,
      serviceName: 'coupon',
    });
    expect(o.jwksUri).toBeUndefined();
    authOptionsFromEnv({}, 'coupon', (m) => warnings.push(m));
    // Once per process: the second call stays silent.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/AUTH_HS256_SECRET is not set/);
    expect(() => resolveAuthOptions(o)).not.toThrow();
  });

  it('reads every variable; production takes no HS256 secret', () => {
    const env = {
      AUTH_ISSUER: 'https://idp/a',
      AUTH_AUDIENCE: 'aud',
      AUTH_JWKS_URI: 'https://idp/jwks',
      AUTH_HS256_SECRET: 'shh',
      NODE_ENV: 'production',
      AUTH_TOKEN_URL: 'https://idp/token',
      SERVICE_CLIENT_ID: 'cid',
      SERVICE_CLIENT_SECRET: 'csecret',
    };
    expect(authOptionsFromEnv(env, 'category')).toEqual({
      issuer: 'https://idp/a',
      audience: 'aud',
      jwksUri: 'https://idp/jwks',
      hs256Secret: undefined,
      production: true,
      clockToleranceSec: 30,
      serviceName: 'category',
      tokenUrl: 'https://idp/token',
      clientId: 'cid',
      clientSecret: 'csecret',
    });
    expect(() => resolveAuthOptions(authOptionsFromEnv({ NODE_ENV: 'production' }, 'x'))).toThrow(/required in production/);
    expect(devSigningSettingsFromEnv({ AUTH_HS256_SECRET: 'mine' }).secret).toBe('mine');
  });

  it('takes no development issuer or audience in production: a missing one is refused', () => {
    const o = authOptionsFromEnv({ NODE_ENV: 'production', AUTH_JWKS_URI: 'https://idp/jwks' }, 'coupon');
    expect({ issuer: o.issuer, audience: o.audience }).toEqual({ issuer: '', audience: '' });
    expect(() => resolveAuthOptions(o)).toThrow(/issuer must be a non-empty string; audience must be a non-empty string/);
    expect(productionAuthSettings({ callsPeers: false })).toEqual(['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI']);
    expect(productionAuthSettings({ callsPeers: true })).toEqual([
      'AUTH_ISSUER',
      'AUTH_AUDIENCE',
      'AUTH_JWKS_URI',
      'AUTH_TOKEN_URL',
      'SERVICE_CLIENT_ID',
      'SERVICE_CLIENT_SECRET',
    ]);
  });
});

describe('claims and header parsing units', () => {
  it('parseScopeClaim splits on runs of whitespace and accepts arrays', () => {
    expect(parseScopeClaim(' a.b \n\t c.d  ')).toEqual(['a.b', 'c.d']);
    expect(parseScopeClaim(undefined)).toEqual([]);
    expect(parseScopeClaim(['x'])).toEqual(['x']);
    expect(() => parseScopeClaim(null)).toThrow();
  });

  it('authContextFromClaims returns an immutable AuthContext', () => {
    const auth = authContextFromClaims({ exp: 1, sub: 's', tenant: 'acme', scope: 'a.b', principalType: 'employee' });
    expect(auth).toBeInstanceOf(AuthContext);
    expect(Object.isFrozen(auth)).toBe(true);
    expect(auth.hasScope('a.b')).toBe(true);
    expect(auth.hasScope('A.B')).toBe(false);
    expect(() => auth.requireScope('c.d')).toThrow(ApiError);
    expect(() => auth.requireScope('c.d', 'a.b')).not.toThrow();
  });

  it('extractBearerToken distinguishes missing from malformed', () => {
    const code = (h: string | string[] | undefined) => {
      try {
        return extractBearerToken(h);
      } catch (e) {
        return (e as ApiError).errorCode;
      }
    };
    expect([
      code(undefined),
      code(''),
      code('Basic x'),
      code('Bearer'),
      code('Bearer a b'),
      code(['Bearer a', 'Bearer b']),
      code('bEaReR tok'),
    ]).toEqual(['token_missing', 'token_missing', 'token_missing', 'token_missing', 'token_invalid', 'token_invalid', 'tok']);
  });
});

describe('signDevToken', () => {
  const signing = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE };

  it('fills AUTH-3 defaults per principal type', async () => {
    const customer = decodeJwt(
      await signDevToken({ tenant: 'acme', principalType: 'customer', customerId: 'C1', legalEntityId: 'LE1' }, signing),
    );
    expect(customer).toMatchObject({
      sub: 'C1',
      customerId: 'C1',
      legalEntityId: 'LE1',
      tenant: 'acme',
      scope: '',
      iss: ISSUER,
      aud: AUDIENCE,
    });
    const anonymous = decodeJwt(await signDevToken({ tenant: 'acme', principalType: 'anonymous' }, signing));
    expect(anonymous).toMatchObject({ sub: 'dev-visit', sid: 'dev-visit' });
    const service = decodeJwt(
      await signDevToken({ tenant: 'acme', principalType: 'service', clientId: 'coupon', scopes: ['a', 'b'] }, signing),
    );
    expect(service).toMatchObject({ sub: 'coupon', client_id: 'coupon', scope: 'a b' });
  });

  it('extraClaims can remove and override claims, ttl and nbf are honoured', async () => {
    const t = decodeJwt(
      await signDevToken(
        { tenant: 'acme', principalType: 'employee', ttlSec: 60, nbf: 5, extraClaims: { exp: undefined, foo: 'bar' } },
        signing,
      ),
    );
    expect(t.exp).toBeUndefined();
    expect(t).toMatchObject({ foo: 'bar', nbf: 5 });
    await expect(signDevToken({ tenant: 'acme', principalType: 'employee' }, { ...signing, secret: '' })).rejects.toThrow(/secret/);
  });
});

describe('token CLI (tools/token.ts)', () => {
  const env = { AUTH_HS256_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };

  it('prints a token the guard of a running app accepts, and that another tenant gets 403 for', async () => {
    const t = await startApp(devOptions());
    try {
      const token = await main(['--tenant', 'acme', '--scopes', 'svc.read  other.scope'], env);
      expect(decodeProtectedHeader(token).alg).toBe('HS256');
      const ok = await call(`${t.url}/svc/acme/things/read`, { token });
      expect({ status: ok.status, body: ok.body }).toMatchObject({
        status: 200,
        body: { principalType: 'employee', subject: 'dev-user', scopes: ['other.scope', 'svc.read'] },
      });
      const other = await main(['--tenant', 'beta', '--scopes', 'svc.read'], env);
      expect((await call(`${t.url}/svc/acme/things/read`, { token: other })).body.errorCode).toBe('tenant_mismatch');
      const customer = await main(
        ['--tenant', 'acme', '--principal', 'customer', '--customer', 'C1', '--legal-entity', 'LE1', '--ttl', '60'],
        env,
      );
      const mine = await call(`${t.url}/svc/acme/things/mine`, { token: customer });
      expect(mine.body).toEqual({ customerId: 'C1', legalEntityId: 'LE1' });
      const claims = decodeJwt(customer);
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
      // A token signed with the default secret is refused by an app configured with another one.
      const foreign = await main(['--tenant', 'acme', '--scopes', 'svc.read'], { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
      expect(decodeJwt(foreign)).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
      expect((await call(`${t.url}/svc/acme/things/read`, { token: foreign })).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('rejects bad arguments', async () => {
    await expect(main([], env)).rejects.toThrow(/--tenant is required/);
    await expect(main(['--tenant', 'ACME'], env)).rejects.toThrow(/--tenant/);
    await expect(main(['--tenant', 'acme', '--principal', 'root'], env)).rejects.toThrow(/--principal/);
    await expect(main(['--tenant', 'acme', '--principal', 'customer'], env)).rejects.toThrow(/--customer/);
    await expect(main(['--tenant', 'acme', '--ttl', '-5'], env)).rejects.toThrow(/--ttl/);
    await expect(main(['--tenant', 'acme', '--bogus'], env)).rejects.toThrow();
    await expect(main(['--tenant', 'acme'], { NODE_ENV: 'production' })).rejects.toThrow(/AUTH_HS256_SECRET/);
  });
});
