import {
  bearer,
  expectErrorProfile,
  httpRequest,
  RecordedRequest,
  ServiceHarness,
  startServiceHarness,
  StubReply,
  TestRequestOptions,
  TestResponse,
} from '@suite/testing';
import { AppModule } from '../src/app.module';
import { loadCustomerSegmentConfig } from '../src/config/customer-segment.config';
import { SEGMENT_SCOPES } from '../src/customer-segment.scopes';

export const MANAGE = SEGMENT_SCOPES.manage;
export const READ = SEGMENT_SCOPES.read;
export const READ_OWN = SEGMENT_SCOPES.readOwn;
export const ALL = [MANAGE, READ, READ_OWN];
export const PROFILE_MANAGE = SEGMENT_SCOPES.profileManage;
export const PROFILE_READ = SEGMENT_SCOPES.profileRead;

export type StubRequest = RecordedRequest;
export type StubAnswer = StubReply;

/** The shared harness, with the category-service stub under its role's name. */
export interface Harness extends ServiceHarness {
  category: ServiceHarness['peer'];
}

/** One customer-segment app over real HTTP on its own embedded database, with a category-service stub. */
export async function startHarness(env: Record<string, string> = {}, database?: ServiceHarness['db']): Promise<Harness> {
  const h = await startServiceHarness({
    service: 'customer-segment',
    peerUrlEnv: 'CATEGORY_URL',
    build: (e, logger) => AppModule.forRoot(loadCustomerSegmentConfig(e), logger),
    env,
    database,
  });
  return { ...h, category: h.peer };
}

export type Res<T = any> = TestResponse<T>;

/** A client of one app: `call(method, path, {headers, body | raw, contentType})`. */
export function client(base: string) {
  // Every `body` is serialized as JSON, strings included (`raw` sends bytes as they are).
  return <T = any>(method: string, path: string, options: TestRequestOptions = {}): Promise<Res<T>> =>
    httpRequest<T>(
      `${base}${path}`,
      method,
      options.body === undefined ? options : { ...options, body: undefined, raw: JSON.stringify(options.body) },
    );
}

/** An employee token (default) with the given scopes; `extra` sets other claims. */
export function auth(tenant: string, scopes: readonly string[] = ALL, extra: Record<string, unknown> = {}) {
  return bearer({ tenant, scopes: [...scopes], ...extra });
}

/** A customer token (AUTH-3), `segment_read_own` by default. */
export function customer(tenant: string, customerId: string, legalEntityId?: string, scopes: readonly string[] = [READ_OWN]) {
  return bearer({ tenant, principalType: 'customer', customerId, ...(legalEntityId ? { legalEntityId } : {}), scopes: [...scopes] });
}

/** Asserts the segment error profile (ERR-2) and returns the body. */
export function expectError(res: Res, status: number, errorCode: string): any {
  return expectErrorProfile('segment', res, status, errorCode);
}
