import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from '../src/app.module';
import { loadCategoryConfig } from '../src/config/category.config';
import { CATEGORY_SCOPES } from '../src/category.scopes';

export const ALL_SCOPES = Object.values(CATEGORY_SCOPES);

// The lint rules let only spec files import @suite/testing; each spec hands its helpers in here.
interface TestDatabase {
  uri: string;
  stop(): Promise<void>;
}
interface TestApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}
interface Stub {
  url: string;
  requests: Array<{ path: string; query: URLSearchParams; headers: Record<string, unknown>; body: string }>;
  respond(handler: (req: any) => any): void;
  reset(): void;
  close(): Promise<void>;
}
type TokenRequest = Record<string, unknown>;
export interface TestingKit {
  bearer(claims: any): Promise<Record<string, string>>;
  HttpStub: { start(): Promise<Stub> };
  startTestApp(build: (logger: Logger) => DynamicModule, service: string): Promise<TestApp>;
  startTestDatabase(): Promise<TestDatabase>;
  testAuthEnv(): Record<string, string>;
}
let kit: TestingKit | undefined;

/** Call once per spec file with `import * as testing from '@suite/testing'`. */
export function useTestingKit(k: TestingKit): void {
  kit = k;
}
function t(): TestingKit {
  if (!kit) throw new Error('useTestingKit(testing) was not called');
  return kit;
}

/** One embedded database, one customer-segment stub and the app built with the production bootstrap. */
export interface Harness {
  db: TestDatabase;
  stub: Stub;
  app: TestApp;
  url: string;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const db = await t().startTestDatabase();
  const stub = await t().HttpStub.start();
  const app = await t().startTestApp(
    (logger) =>
      AppModule.forRoot(loadCategoryConfig({ ...t().testAuthEnv(), MONGODB_URI: db.uri, CUSTOMER_SEGMENT_URL: stub.url, LOG_LEVEL: 'silent', ...env }), logger),
    'category',
  );
  return {
    db,
    stub,
    app,
    url: app.url,
    close: async () => {
      await app.close();
      await stub.close();
      await db.stop();
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny HTTP client over fetch for one tenant and token. */
export class Client {
  constructor(
    readonly url: string,
    readonly tenant: string,
    private readonly auth: Record<string, string>,
  ) {}

  static async as(url: string, tenant: string, scopes: string[] = ALL_SCOPES, claims: Partial<TokenRequest> = {}): Promise<Client> {
    return new Client(url, tenant, await t().bearer({ tenant, scopes, ...claims }));
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = { ...this.auth, ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.url}/category/${this.tenant}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, body, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('PUT', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('DELETE', path, undefined, headers);
  }

  /** Creates a category and returns its id; fails the test on anything but 201. */
  async category(body: Record<string, unknown>): Promise<string> {
    const res = await this.post('/categories', { published: true, ...body, localizedName: body.localizedName ?? { en: String(body.id ?? 'cat') } });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  }
}

/** The category error profile (ERR-2): the shape every 4xx but 401 must have. */
export function expectCategoryError(res: Res, status: number, errorCode: string): void {
  expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({ status, errorCode });
  expect(res.body).toEqual(
    expect.objectContaining({ code: status, status: expect.any(String), errorCode, message: expect.any(String), details: expect.any(Array) }),
  );
  for (const d of res.body.details) expect(typeof d).toBe('string');
}
