/**
 * A local OAuth 2.0 / OpenID Connect issuer for trying and testing the suite in production mode:
 * panva's oidc-provider (OpenID Certified) with the client-credentials grant, one resource server
 * (the suite's audience) and RS256 JWT access tokens, published keys at `/jwks`. It is what a real
 * identity provider does for the suite (AUTH-2, S2S-4), so the apps run with NODE_ENV=production
 * against it exactly as against Keycloak, Auth0 or Entra ID. Never part of the image: oidc-provider
 * is a development dependency.
 *
 * Tokens carry what AUTH-3 asks for: `iss`, `aud`, `exp`, `iat`, `jti`, `sub` = `client_id` = the
 * client, `principalType: service`, the tenant both as the `tenant` claim and as the `tenant=<t>`
 * scope entry the client asked for (the Emporix convention of S2S-4), and the granted scopes. A
 * request for a scope the client may not have, or without exactly one valid `tenant=` entry, is
 * refused with `invalid_scope`.
 *
 *   node dist/tools/oidc-issuer.js --config issuer.json [--port 4000] [--host 127.0.0.1]
 *
 * `issuer.json`: `{ "clients": [{ "clientId": "coupon", "clientSecret": "...", "scopes":
 * ["customersegment.segment_read"] }], "audience": "commerce-api" }`. When it listens it prints one
 * JSON line: `{"issuer": ..., "jwksUri": ..., "tokenUrl": ...}`, the values of AUTH_ISSUER,
 * AUTH_JWKS_URI and AUTH_TOKEN_URL; then one line `{"issued": {"clientId": ..., "scope": ...}}`
 * per access token it issues.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Provider, { AccessTokenLike, errors, KoaContextWithOIDC } from 'oidc-provider';
import { isValidTenant } from '@suite/auth';

export interface IssuerClient {
  clientId: string;
  clientSecret: string;
  /** The scopes this client may ask for (besides its `tenant=` entry). */
  scopes: string[];
}

export interface IssuerOptions {
  clients: IssuerClient[];
  /** `aud` of every access token (AUTH_AUDIENCE); default `commerce-api`. */
  audience?: string;
  /** Access-token lifetime in seconds; default 300. */
  accessTokenTtlSec?: number;
  port?: number;
  host?: string;
  /** Called for every access token issued. */
  onIssued?: (issued: { clientId: string; scope: string }) => void;
}

export interface RunningIssuer {
  /** AUTH_ISSUER: the `iss` of every token. */
  issuer: string;
  /** AUTH_JWKS_URI. */
  jwksUri: string;
  /** AUTH_TOKEN_URL. */
  tokenUrl: string;
  close(): Promise<void>;
}

/** The resource indicator (RFC 8707) of the suite; clients need not send it, it is the default. */
export const SUITE_RESOURCE = 'urn:commerce-suite:api';
const TENANT_ENTRY = 'tenant=';

export async function startIssuer(options: IssuerOptions): Promise<RunningIssuer> {
  const audience = options.audience ?? 'commerce-api';
  const ttl = options.accessTokenTtlSec ?? 300;
  const allowed = new Map(options.clients.map((c) => [c.clientId, new Set(c.scopes)]));

  // The server listens first so that the issuer URL carries the real port (port 0 picks one).
  const server = http.createServer();
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const issuer = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomUUID()] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => SUITE_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator, client) => {
          if (resourceIndicator !== SUITE_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: grantedScopes(ctx, allowed.get(client.clientId) ?? new Set()).join(' '),
            audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const entry = (token.scope ?? '').split(' ').find((s) => s.startsWith(TENANT_ENTRY));
      return entry ? { principalType: 'service', tenant: entry.slice(TENANT_ENTRY.length) } : { principalType: 'service' };
    },
  });
  // One line per issued token (client and scope, never the token), for the operator and the tests.
  provider.on('client_credentials.issued', (token) => {
    const { clientId, scope } = token as AccessTokenLike;
    options.onIssued?.({ clientId: clientId ?? '', scope: scope ?? '' });
  });
  server.on('request', provider.callback());

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    tokenUrl: `${issuer}/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The requested scopes, when the client may have all of them and names exactly one valid tenant. */
function grantedScopes(ctx: KoaContextWithOIDC, allowed: ReadonlySet<string>): string[] {
  const requested = String(ctx.oidc.params?.scope ?? '')
    .split(' ')
    .filter((s) => s.length > 0);
  const tenants = requested.filter((s) => s.startsWith(TENANT_ENTRY));
  if (tenants.length !== 1 || !isValidTenant(tenants[0].slice(TENANT_ENTRY.length))) {
    throw new errors.InvalidScope('exactly one tenant=<tenant> scope entry is required', tenants.join(' '));
  }
  const refused = requested.filter((s) => !s.startsWith(TENANT_ENTRY) && !allowed.has(s));
  if (refused.length) throw new errors.InvalidScope('requested scope is not allowed for this client', refused.join(' '));
  return requested;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function main(argv: string[]): Promise<RunningIssuer> {
  const configPath = argValue(argv, '--config');
  if (!configPath) throw new Error('usage: oidc-issuer --config <file.json> [--port <n>] [--host <h>]');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as IssuerOptions;
  const port = argValue(argv, '--port');
  const running = await startIssuer({
    ...config,
    port: port === undefined ? config.port : Number(port),
    host: argValue(argv, '--host') ?? config.host,
    onIssued: (issued) => process.stdout.write(`${JSON.stringify({ issued })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ issuer: running.issuer, jwksUri: running.jwksUri, tokenUrl: running.tokenUrl })}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return running;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`oidc-issuer: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
