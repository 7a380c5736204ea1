// Shared fixtures of the @suite/auth specs: a real JWKS server, key pairs, token builders and a
// real Nest app on Fastify built with the production bootstrap of @suite/api-kit.
import { createHmac, webcrypto } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Body, Controller, Get, Module, Post, Query, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, exportSPKI, generateKeyPair, JWK, SignJWT } from 'jose';
import pino from 'pino';
import { ApiKitModule, createApp, listen } from '@suite/api-kit';
import {
  AllowedPrincipals,
  assertScope,
  Auth,
  AuthContext,
  Authenticated,
  AuthModule,
  AuthModuleOptions,
  RequireScopes,
  signDevToken,
  DevTokenClaims,
} from '@suite/auth';

export const ISSUER = 'https://idp.test/auth';
export const AUDIENCE = 'commerce-api';
export const SECRET = 'test-secret-0123456789abcdef';

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function b64url(v: string | Buffer): string {
  return Buffer.from(v).toString('base64url');
}

/** Hand-assembles a JWT so that tests can produce what no well-behaved library would sign. */
export function rawJwt(header: object, payload: object, sign: (input: string) => string): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${sign(input)}`;
}

export function hmac(secret: string | Buffer, alg: 'sha256' | 'sha384' = 'sha256'): (input: string) => string {
  return (input) => createHmac(alg, secret).update(input).digest('base64url');
}

/** Standard valid claims of an employee token for `acme`. */
export function baseClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSec();
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 600,
    tenant: 'acme',
    scope: 'svc.read',
    principalType: 'employee',
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

export function hs256(claims: Record<string, unknown>, secret = SECRET): string {
  return rawJwt({ alg: 'HS256', typ: 'JWT' }, claims, hmac(secret));
}

export function devToken(claims: Partial<DevTokenClaims> = {}): Promise<string> {
  return signDevToken(
    { tenant: 'acme', principalType: 'employee', scopes: ['svc.read'], ...claims },
    { secret: SECRET, issuer: ISSUER, audience: AUDIENCE },
  );
}

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: webcrypto.CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export async function makeKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export function signWith(key: SigningKey, claims: Record<string, unknown>, kid: string | undefined = key.kid): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(kid ? { kid } : {}) }).sign(key.privateKey);
}

/** A real JWKS endpoint on 127.0.0.1 whose key set a test can rotate; counts fetches. */
export class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export function describeAuth(auth: AuthContext) {
  return {
    tenant: auth.tenant,
    principalType: auth.principalType,
    subject: auth.subject,
    scopes: [...auth.scopes].sort(),
    customerId: auth.customerId ?? null,
    legalEntityId: auth.legalEntityId ?? null,
    visitId: auth.visitId ?? null,
    clientId: auth.clientId ?? null,
  };
}

@Controller('svc/:tenant/things')
export class ThingsController {
  @Get('open')
  @Authenticated()
  open(@Auth() auth: AuthContext) {
    return describeAuth(auth);
  }

  @Get('read')
  @RequireScopes('svc.read', 'svc.manage')
  read(@Auth() auth: AuthContext) {
    return describeAuth(auth);
  }

  @Post('write')
  @RequireScopes('svc.manage')
  write(@Body() body: unknown) {
    return { received: body };
  }

  @Get('mine')
  @Authenticated()
  @AllowedPrincipals('customer')
  mine(@Auth() auth: AuthContext) {
    return { customerId: auth.customerId, legalEntityId: auth.legalEntityId ?? null };
  }

  @Get('publish')
  @Authenticated()
  publish(@Auth() auth: AuthContext, @Query('publish') publish?: string, @Query('helper') helper?: string) {
    // Input-dependent scopes are checked in the handler (AUTH-8).
    if (publish === 'true') {
      if (helper === 'true') assertScope(auth, 'svc.publish', 'svc.admin');
      else auth.requireScope('svc.publish', 'svc.admin');
    }
    return { published: publish === 'true' };
  }
}

@Controller('svc/:tenant/staff')
@RequireScopes('svc.manage')
@AllowedPrincipals('employee', 'service')
export class StaffController {
  @Get()
  list() {
    return { ok: true };
  }

  @Get('machines')
  @AllowedPrincipals('service')
  machines() {
    return { ok: true };
  }
}

export const silentLogger = pino({ level: 'silent' });

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

export function testModule(options: AuthModuleOptions, controllers: Type[] = [ThingsController, StaffController]): Type {
  @Module({
    imports: [ApiKitModule.forRoot({ service: 'auth-test', errorProfile: 'segment', logger: silentLogger }), AuthModule.forRoot(options)],
    controllers,
  })
  class AuthTestModule {}
  return AuthTestModule;
}

/** Boots a real app with the production bootstrap and listens on a free port. */
export async function startApp(options: AuthModuleOptions, controllers?: Type[]): Promise<TestApp> {
  const app = await createApp(testModule(options, controllers), { service: 'auth-test', logger: silentLogger, logRequests: false });
  const url = await listen(app, 0);
  return { app, url, close: () => app.close() };
}

export function devOptions(extra: Partial<AuthModuleOptions> = {}): AuthModuleOptions {
  return { issuer: ISSUER, audience: AUDIENCE, hs256Secret: SECRET, production: false, serviceName: 'auth-test', ...extra };
}

export interface Answer {
  status: number;
  body: any;
  wwwAuthenticate: string | null;
}

export async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body, wwwAuthenticate: res.headers.get('www-authenticate') };
}

export const INVALID_FAULT = { fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } };
export const EXPIRED_FAULT = {
  fault: { faultstring: 'Access Token expired', detail: { errorcode: 'keymanagement.service.access_token_expired' } },
};
export const CHALLENGE = 'Bearer realm="commerce"';
export const INVALID_CHALLENGE = 'Bearer realm="commerce", error="invalid_token"';

/** Asserts the exact 401 of AUTH-10 / ERR-2a for an internal code. */
export function expect401(a: Answer, code: 'token_missing' | 'token_invalid' | 'token_expired'): void {
  expect({ status: a.status, body: a.body, challenge: a.wwwAuthenticate }).toEqual({
    status: 401,
    body: code === 'token_expired' ? EXPIRED_FAULT : INVALID_FAULT,
    challenge: code === 'token_missing' ? CHALLENGE : INVALID_CHALLENGE,
  });
}

export function expect403(a: Answer, errorCode: 'tenant_mismatch' | 'insufficient_scope' | 'forbidden'): void {
  expect({ status: a.status, errorCode: a.body?.errorCode }).toEqual({ status: 403, errorCode });
}
