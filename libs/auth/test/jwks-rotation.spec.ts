// AUTH-2: JWKS cached, refreshed on an unknown kid at most once per cooldown; an unreachable
// JWKS is our outage (503), not the caller's bad token.
import { baseClaims, call, devOptions, expect401, JwksServer, makeKey, signWith, SigningKey, startApp, TestApp } from './support';

let jwks: JwksServer;
let a: SigningKey;
let b: SigningKey;
let c: SigningKey;
const apps: TestApp[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([makeKey('RS256', 'key-a'), makeKey('ES256', 'key-b'), makeKey('RS256', 'key-c')]);
});
beforeEach(async () => {
  jwks = await new JwksServer().start();
  jwks.keys = [a.publicJwk];
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((x) => x.close()));
  await jwks.stop();
});

async function app(cooldownSec?: number): Promise<string> {
  const t = await startApp(devOptions({ jwksUri: jwks.url, jwksRefreshCooldownSec: cooldownSec }));
  apps.push(t);
  return `${t.url}/svc/acme/things/read`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('fetches the key set once and serves later tokens from the cache', async () => {
  const url = await app();
  expect(jwks.fetches).toBe(0);
  for (let i = 0; i < 3; i++) expect((await call(url, { token: await signWith(a, baseClaims()) })).status).toBe(200);
  expect(jwks.fetches).toBe(1);
});

it('an unknown kid within 30 s of the last fetch triggers no refresh (default cooldown)', async () => {
  const url = await app();
  expect((await call(url, { token: await signWith(a, baseClaims()) })).status).toBe(200);
  jwks.keys = [a.publicJwk, b.publicJwk];
  for (let i = 0; i < 5; i++) expect401(await call(url, { token: await signWith(b, baseClaims()) }), 'token_invalid');
  expect(jwks.fetches).toBe(1);
});

it('after the cooldown an unknown kid refreshes once, picks up the rotated key and drops the retired one', async () => {
  const url = await app(0.3);
  expect((await call(url, { token: await signWith(a, baseClaims()) })).status).toBe(200);
  // Rotation: b replaces a.
  jwks.keys = [b.publicJwk];
  await sleep(400);
  const rotated = await call(url, { token: await signWith(b, baseClaims()) });
  expect(rotated.status).toBe(200);
  expect(jwks.fetches).toBe(2);
  // Tokens of the retired key and unknown kids are refused; the refresh is rate-limited.
  expect401(await call(url, { token: await signWith(a, baseClaims()) }), 'token_invalid');
  expect401(await call(url, { token: await signWith(c, baseClaims()) }), 'token_invalid');
  expect401(await call(url, { token: await signWith(c, baseClaims()) }), 'token_invalid');
  expect(jwks.fetches).toBe(2);
  await sleep(400);
  expect401(await call(url, { token: await signWith(c, baseClaims()) }), 'token_invalid');
  expect(jwks.fetches).toBe(3);
});

it('a token accepted on many requests is refused once its key is retired (the verified-token cache follows the key)', async () => {
  const url = await app(0.3);
  const token = await signWith(a, baseClaims());
  for (let i = 0; i < 3; i++) expect((await call(url, { token })).status).toBe(200);
  jwks.keys = [b.publicJwk];
  await sleep(400);
  // A token of the new key makes the server refetch the set, which no longer holds key a.
  expect((await call(url, { token: await signWith(b, baseClaims()) })).status).toBe(200);
  expect401(await call(url, { token }), 'token_invalid');
  expect401(await call(url, { token }), 'token_invalid');
});

it('an unreachable JWKS answers 503 service_unavailable, never 200', async () => {
  const url = await app();
  await jwks.stop();
  const answer = await call(url, { token: await signWith(a, baseClaims()) });
  expect({ status: answer.status, errorCode: answer.body.errorCode }).toEqual({ status: 503, errorCode: 'service_unavailable' });
});
