import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from '../src/app.module';
import { loadCustomerSegmentConfig } from '../src/config/customer-segment.config';
import { SEGMENT_SCOPES } from '../src/customer-segment.scopes';

export const MANAGE = SEGMENT_SCOPES.manage;
export const READ = SEGMENT_SCOPES.read;
export const READ_OWN = SEGMENT_SCOPES.readOwn;
export const ALL = [MANAGE, READ, READ_OWN];

// This helper is not a spec, and lint keeps @suite/testing out of non-spec files, so each spec
// hands its `import * as testing from '@suite/testing'` in. These are the parts used here.
export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
export type StubAnswer = { status?: number; json?: unknown; raw?: string; headers?: Record<string, string>; delayMs?: number } | { hang: true } | { reset: true };
export interface Stub {
  url: string;
  requests: StubRequest[];
  respond(handler: (req: StubRequest) => StubAnswer | Promise<StubAnswer>): void;
  reset(): void;
  close(): Promise<void>;
}
export interface TestingKit {
  startTestDatabase(): Promise<{ uri: string; stop(): Promise<void> }>;
  startTestApp(build: (logger: Logger) => DynamicModule, service: string): Promise<{ app: NestFastifyApplication; url: string; close(): Promise<void> }>;
  HttpStub: { start(): Promise<unknown> };
  bearer(claims: Record<string, unknown> & { tenant: string }): Promise<Record<string, string>>;
  testAuthEnv(): Record<string, string>;
}

let kit: TestingKit;

/** One app over real HTTP on its own embedded database, with a category-service stub. */
export interface Harness {
  db: { uri: string };
  app: { app: NestFastifyApplication; url: string };
  category: Stub;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(testing: TestingKit, env: Record<string, string> = {}): Promise<Harness> {
  kit = testing;
  const { startTestDatabase, startTestApp, testAuthEnv } = testing;
  const db = await startTestDatabase();
  const category = (await testing.HttpStub.start()) as Stub;
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

/** An employee token (default) with the given scopes; `extra` sets other claims. */
export function auth(tenant: string, scopes: readonly string[] = ALL, extra: Record<string, unknown> = {}) {
  return kit.bearer({ tenant, scopes: [...scopes], ...extra });
}

/** A customer token (AUTH-3), `segment_read_own` by default. */
export function customer(tenant: string, customerId: string, legalEntityId?: string, scopes: readonly string[] = [READ_OWN]) {
  return kit.bearer({ tenant, principalType: 'customer', customerId, ...(legalEntityId ? { legalEntityId } : {}), scopes: [...scopes] });
}

/** Asserts the segment error profile (ERR-2) and returns the body. */
export function expectError(res: Res, status: number, errorCode: string): any {
  expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({ status, errorCode });
  expect(res.body).toMatchObject({ code: status, status: expect.any(String), message: expect.any(String), details: expect.any(Array) });
  return res.body;
}
