import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { fetch as undiciFetch } from 'undici';
import { startTestDatabase, TestDatabase } from './database';
import { HttpStub, StubHandler } from './http-stub';
import { startTestApp, TestApp } from './test-app';
import { testAuthEnv } from './tokens';

/** One app over real HTTP on its own embedded database, with a stub standing in for its peer. */
export interface ServiceHarness {
  db: TestDatabase;
  app: TestApp;
  /** The peer service's stand-in (S2S-13); its origin is in the app's `<PEER>_URL`. */
  peer: HttpStub;
  /** The app's base URL. */
  url: string;
  close(): Promise<void>;
}

export interface ServiceHarnessOptions {
  /** `customer-segment`, `coupon`, `category`: names the app in logs. */
  service: string;
  /** The environment variable holding the peer's origin (`CATEGORY_URL`, `CUSTOMER_SEGMENT_URL`). */
  peerUrlEnv: string;
  /** The peer stub's first answer (the stub's default is a 404). */
  peerHandler?: StubHandler;
  /** The app's root module from its environment, as `main.ts` builds it. */
  build(env: Record<string, string>, logger: Logger): DynamicModule;
  /** Extra environment entries, over the test defaults. */
  env?: Record<string, string>;
  /**
   * A database another harness started: this app becomes a second instance of the service on it
   * (the same databases), and `close()` leaves the database running for its owner.
   */
  database?: TestDatabase;
}

/**
 * What every app's e2e specs start: a fresh embedded database, a peer stub and the app built with
 * the production bootstrap, listening on a free loopback port. The environment is the one `main.ts`
 * reads, with test tokens accepted and logs silent. What was started is stopped again if a later
 * step fails.
 */
export async function startServiceHarness(options: ServiceHarnessOptions): Promise<ServiceHarness> {
  const shared = options.database;
  const db = shared ?? (await startTestDatabase());
  const stopDb = () => (shared ? Promise.resolve() : db.stop());
  const peer = await HttpStub.start(options.peerHandler);
  let app: TestApp;
  try {
    const env = {
      ...testAuthEnv(),
      MONGODB_URI: db.uri,
      [options.peerUrlEnv]: peer.url,
      // `TEST_LOG_LEVEL=error npx jest <spec>` shows the app's own log lines while debugging a spec.
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    };
    app = await startTestApp((logger) => options.build(env, logger), options.service);
  } catch (e) {
    await peer.close();
    await stopDb();
    throw e;
  }
  return {
    db,
    app,
    peer,
    url: app.url,
    close: async () => {
      await app.close();
      await peer.close();
      await stopDb();
    },
  };
}

/** A response as the specs read it: JSON parsed when it is JSON, the raw text always. */
export interface TestResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TestRequestOptions {
  headers?: Record<string, string>;
  /** Serialized as JSON (a string is sent as it is), with `application/json` unless a content type is set. */
  body?: unknown;
  /** Sent byte for byte, with `contentType` (default `application/json`). */
  raw?: string;
  contentType?: string;
  /** An undici dispatcher, for tests that need more concurrent connections than the default. */
  dispatcher?: Dispatcher;
}

/** One HTTP request as a client sends it; never throws for a status. */
export async function httpRequest<T = any>(url: string, method: string, options: TestRequestOptions = {}): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const hasContentType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  if (payload !== undefined && !hasContentType) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await undiciFetch(url, { method, headers, body: payload, dispatcher: options.dispatcher });
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body: body as T, headers: res.headers as unknown as Headers, text };
}

/** The four error wire profiles (ERR-2; `webhook` in apps/webhook/README.md). */
export type ErrorProfileName = 'segment' | 'category' | 'coupon' | 'webhook';

/**
 * Asserts that a 4xx/5xx (other than 401) is in the service's error profile (ERR-2) with the
 * given status and code (`errorCode`, or the coupon profile's `type`); returns the body.
 */
export function expectErrorProfile(profile: ErrorProfileName, res: TestResponse, status: number, code: string): any {
  const body = res.body;
  const actual = profile === 'coupon' ? body?.type : body?.errorCode;
  if (res.status !== status || actual !== code) throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 600)}`);
  if (profile === 'coupon') {
    const keys = Object.keys(body).sort();
    if (JSON.stringify(keys) !== JSON.stringify(['details', 'message', 'status', 'type']))
      throw new Error(`not the coupon profile: ${res.text}`);
    if (body.status !== status || typeof body.message !== 'string' || !Array.isArray(body.details))
      throw new Error(`bad coupon profile body: ${res.text}`);
    for (const d of body.details) if (typeof d.type !== 'string') throw new Error(`coupon detail without type: ${res.text}`);
    return body;
  }
  if (body.code !== status || typeof body.status !== 'string' || typeof body.message !== 'string' || !Array.isArray(body.details)) {
    throw new Error(`not the ${profile} profile: ${res.text}`);
  }
  if (profile === 'category' || profile === 'webhook')
    for (const d of body.details) if (typeof d !== 'string') throw new Error(`category detail not a string: ${res.text}`);
  return body;
}
