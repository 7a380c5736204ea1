import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TenantModelRegistry } from '@suite/persistence';
import type { Logger } from 'pino';
import { Agent, fetch as undiciFetch } from 'undici';
import { AppModule } from '../src/app.module';
import { CouponConfig, loadCouponConfig } from '../src/config/coupon.config';
import { COUPON_SCOPES } from '../src/coupon.scopes';

export const S = COUPON_SCOPES;
export const ALL_SCOPES = Object.values(COUPON_SCOPES);

/**
 * The parts of `@suite/testing` this harness uses. Spec files pass the module in
 * (`startHarness(testing)`), because lint allows `@suite/testing` only in spec files.
 */
export interface TestingKit {
  startTestDatabase(): Promise<{ uri: string; stop(): Promise<void> }>;
  startTestApp(build: (logger: Logger) => DynamicModule, service: string): Promise<{ app: NestFastifyApplication; url: string; close(): Promise<void> }>;
  testAuthEnv(): Record<string, string>;
  mintToken(claims: any): Promise<string>;
  HttpStub: { start(handler?: (req: RecordedRequest) => any): Promise<StubLike> };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface StubLike {
  readonly url: string;
  readonly requests: RecordedRequest[];
  respond(handler: (req: RecordedRequest) => any): void;
  reset(): void;
  close(): Promise<void>;
}

let mint: TestingKit['mintToken'] | undefined;

export interface Harness {
  db: { uri: string; stop(): Promise<void> };
  app: { app: NestFastifyApplication; url: string; close(): Promise<void> };
  stub: StubLike;
  agent: Agent;
  registry: TenantModelRegistry;
  close(): Promise<void>;
}

/**
 * One embedded database, one segment stub and one coupon app built with the production bootstrap
 * (AppModule.forRoot + createApp), listening on a free port. `tweak` may adjust the config the
 * way tests need (S2S-13: shorter peer timeouts, breaker thresholds).
 */
export async function startHarness(kit: TestingKit, tweak: (c: CouponConfig) => CouponConfig = (c) => c, env: Record<string, string> = {}): Promise<Harness> {
  mint = kit.mintToken;
  const db = await kit.startTestDatabase();
  const stub = await kit.HttpStub.start(() => ({ status: 200, json: [] }));
  const config = tweak(
    loadCouponConfig({ ...kit.testAuthEnv(), MONGODB_URI: db.uri, CUSTOMER_SEGMENT_URL: stub.url, LOG_LEVEL: 'silent', COUPON_SETTINGS_CACHE_MS: '0', ...env }),
  );
  const app = await kit.startTestApp((logger) => AppModule.forRoot(config, logger), 'coupon');
  const agent = new Agent({ connections: 128, pipelining: 1 });
  const registry = app.app.get(TenantModelRegistry);
  return {
    db,
    app,
    stub,
    agent,
    registry,
    close: async () => {
      await app.close();
      await agent.close();
      await stub.close();
      await db.stop();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TokenSpec {
  tenant: string;
  scopes?: readonly string[] | string;
  principalType?: 'service' | 'employee' | 'customer' | 'anonymous';
  sub?: string;
  customerId?: string;
  legalEntityId?: string;
  sid?: string;
  clientId?: string;
  ttlSec?: number;
}

const tokenCache = new Map<string, string>();
export async function token(spec: TokenSpec): Promise<string> {
  const key = JSON.stringify(spec);
  let t = tokenCache.get(key);
  if (!t) {
    if (!mint) throw new Error('startHarness first');
    t = await mint(spec);
    tokenCache.set(key, t);
  }
  return t;
}

export const manager = (tenant: string): TokenSpec => ({ tenant, scopes: [S.manage] });
export const reader = (tenant: string): TokenSpec => ({ tenant, scopes: [S.read] });
export const customer = (tenant: string, customerId: string, extra: Partial<TokenSpec> = {}): TokenSpec => ({ tenant, principalType: 'customer', customerId, scopes: [S.redeem], ...extra });
export const onBehalf = (tenant: string): TokenSpec => ({ tenant, principalType: 'service', clientId: 'checkout', scopes: [S.redeemOnBehalf] });
export const anonymous = (tenant: string): TokenSpec => ({ tenant, principalType: 'anonymous', sid: 'visit-1', scopes: [S.redeem] });

/** One HTTP call to the app; `who` is a token spec, a raw Authorization value, or null for none. */
export async function call<T = any>(
  h: Harness,
  method: string,
  path: string,
  who: TokenSpec | string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const hdrs: Record<string, string> = { ...headers };
  if (who !== null) hdrs.authorization = typeof who === 'string' ? who : `Bearer ${await token(who)}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) hdrs['content-type'] = 'application/json';
  }
  const res = await undiciFetch(`${h.app.url}${path}`, { method, headers: hdrs, body: payload, dispatcher: h.agent });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed as T, headers: res.headers as unknown as Headers, text };
}

/** A coupon body with sensible defaults. */
export function couponBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Ten off', discountType: 'ABSOLUTE', discountAbsolute: { amount: 10, currency: 'EUR' }, ...overrides };
}

export const order = (amount: number, discount: number, currency = 'EUR', extra: Record<string, unknown> = {}) => ({
  orderTotal: { amount, currency },
  discount: { amount: discount, currency },
  ...extra,
});

/** Asserts the coupon error profile (§1.4): status, type, message and details with a type each. */
export function expectCouponError(r: Reply, status: number, type: string): void {
  if (r.status !== status || r.body?.type !== type) {
    throw new Error(`expected ${status} ${type}, got ${r.status} ${r.text.slice(0, 600)}`);
  }
  const keys = Object.keys(r.body).sort();
  if (JSON.stringify(keys) !== JSON.stringify(['details', 'message', 'status', 'type'])) throw new Error(`not the coupon profile: ${r.text}`);
  if (r.body.status !== status || typeof r.body.message !== 'string' || !Array.isArray(r.body.details)) throw new Error(`bad profile body: ${r.text}`);
  for (const d of r.body.details) if (typeof d.type !== 'string') throw new Error(`detail without type: ${r.text}`);
}

/** The single refusal reason of a 400 coupon_not_redeemable (§8). */
export function expectRefusal(r: Reply, reason: string, field?: string): void {
  expectCouponError(r, 400, 'coupon_not_redeemable');
  if (r.body.details.length !== 1 || r.body.details[0].type !== reason || (field !== undefined && r.body.details[0].field !== field)) {
    throw new Error(`expected refusal ${reason}${field ? ` on ${field}` : ''}, got ${r.text}`);
  }
}

let seq = 0;
/** A fresh code per test so tests never depend on each other. */
export function uniqueCode(prefix = 'C'): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36).toUpperCase()}${seq}`;
}
