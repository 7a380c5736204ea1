import { TenantModelRegistry } from '@suite/persistence';
import {
  expectErrorProfile,
  httpRequest,
  mintToken,
  RecordedRequest,
  ServiceHarness,
  startServiceHarness,
  TestDatabase,
  TestResponse,
  TokenRequest,
} from '@suite/testing';
import { Agent } from 'undici';
import { AppModule } from '../src/app.module';
import { CouponConfig, loadCouponConfig } from '../src/config/coupon.config';
import { COUPON_SCOPES } from '../src/coupon.scopes';

export const S = COUPON_SCOPES;
export const ALL_SCOPES = Object.values(COUPON_SCOPES);

export type { RecordedRequest };
export type StubLike = ServiceHarness['peer'];

/** The shared harness, with the segment-service stub under its role's name and a wide connection pool. */
export interface Harness extends ServiceHarness {
  stub: StubLike;
  agent: Agent;
  registry: TenantModelRegistry;
}

/**
 * One coupon app over real HTTP on its own embedded database, with a segment-service stub that
 * answers `[]` until a test says otherwise. `tweak` may adjust the config the way tests need
 * (S2S-13: shorter peer timeouts, breaker thresholds). With `database` (another harness's `db`) the
 * app is a second instance of the service on the same databases.
 */
export async function startHarness(
  tweak: (c: CouponConfig) => CouponConfig = (c) => c,
  env: Record<string, string> = {},
  database?: TestDatabase,
): Promise<Harness> {
  const h = await startServiceHarness({
    service: 'coupon',
    peerUrlEnv: 'CUSTOMER_SEGMENT_URL',
    peerHandler: () => ({ status: 200, json: [] }),
    build: (e, logger) => AppModule.forRoot(tweak(loadCouponConfig(e)), logger),
    env: { COUPON_SETTINGS_CACHE_MS: '0', ...env },
    database,
  });
  const agent = new Agent({ connections: 128, pipelining: 1 });
  return {
    ...h,
    stub: h.peer,
    agent,
    registry: h.app.app.get(TenantModelRegistry),
    close: async () => {
      await h.close();
      await agent.close();
    },
  };
}

export type Reply<T = any> = TestResponse<T>;

export type TokenSpec = TokenRequest;

const tokenCache = new Map<string, string>();
export async function token(spec: TokenSpec): Promise<string> {
  const key = JSON.stringify(spec);
  let t = tokenCache.get(key);
  if (!t) {
    t = await mintToken(spec);
    tokenCache.set(key, t);
  }
  return t;
}

export const manager = (tenant: string): TokenSpec => ({ tenant, scopes: [S.manage] });
export const reader = (tenant: string): TokenSpec => ({ tenant, scopes: [S.read] });
export const customer = (tenant: string, customerId: string, extra: Partial<TokenSpec> = {}): TokenSpec => ({
  tenant,
  principalType: 'customer',
  customerId,
  scopes: [S.redeem],
  ...extra,
});
export const onBehalf = (tenant: string): TokenSpec => ({
  tenant,
  principalType: 'service',
  clientId: 'checkout',
  scopes: [S.redeemOnBehalf],
});
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
  return httpRequest<T>(`${h.app.url}${path}`, method, { headers: hdrs, body, dispatcher: h.agent });
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
  expectErrorProfile('coupon', r, status, type);
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
