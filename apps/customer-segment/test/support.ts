import { HttpStub, StubHandler, TestApp, TestDatabase, bearer, startTestApp, startTestDatabase, testAuthEnv } from '@suite/testing';
import { AppModule } from '../src/app.module';
import { loadCustomerSegmentConfig } from '../src/config/customer-segment.config';
import { SEGMENT_SCOPES } from '../src/customer-segment.scopes';

export const MANAGE = SEGMENT_SCOPES.manage;
export const READ = SEGMENT_SCOPES.read;
export const READ_OWN = SEGMENT_SCOPES.readOwn;
export const ALL = [MANAGE, READ, READ_OWN];

/** One app over real HTTP on its own embedded database, with a category-service stub. */
export interface Harness {
  db: TestDatabase;
  app: TestApp;
  category: HttpStub;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}, categoryHandler?: StubHandler): Promise<Harness> {
  const db = await startTestDatabase();
  const category = await HttpStub.start(categoryHandler);
  const app = await startTestApp(
    (logger) => AppModule.forRoot(loadCustomerSegmentConfig({ ...testAuthEnv(), MONGODB_URI: db.uri, CATEGORY_URL: category.url, LOG_LEVEL: 'silent', ...env }), logger),
    'customer-segment',
  );
  return {
    db,
    app,
    category,
    url: app.url,
    close: async () => {
      await app.close();
      await category.close();
      await db.stop();
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Minimal HTTP client for the specs: JSON in, JSON out, raw status and headers kept. */
export function client(base: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown; raw?: string; contentType?: string } = {},
  ): Promise<Res<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

export function auth(tenant: string, scopes: readonly string[] = ALL, extra: Parameters<typeof bearer>[0] extends infer P ? Partial<P> : never = {}) {
  return bearer({ tenant, scopes: [...scopes], ...extra });
}

export function customer(tenant: string, customerId: string, legalEntityId?: string, scopes: readonly string[] = [READ_OWN]) {
  return bearer({ tenant, principalType: 'customer', customerId, legalEntityId, scopes: [...scopes] });
}

/** Asserts the segment error profile (ERR-2) and returns the body. */
export function expectError(res: Res, status: number, errorCode: string): any {
  expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({ status, errorCode });
  expect(res.body).toMatchObject({ code: status, status: expect.any(String), message: expect.any(String), details: expect.any(Array) });
  return res.body;
}
