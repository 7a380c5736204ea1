import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { bearer, freePort, startTestDatabase, TestDatabase, testAuthEnv } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { DATABASE_NAME } from '../src/config/customer-segment.config';
import { SEGMENT_SCOPES } from '../src/customer-segment.scopes';

// The app as `npm start` and the launcher run it (the compiled main.js, its own process), stopped
// with SIGTERM while a request is in flight. The in-flight request is a segment upload whose body
// arrives in two parts: `Expect: 100-continue` tells the client that the app has taken the request
// (the 100 answer) before the signal, and the second part is sent when the test decides.
const MAIN = path.join(__dirname, '..', '..', '..', 'dist', 'apps', 'customer-segment', 'src', 'main.js');

interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startApp(mongodbUri: string, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...testAuthEnv(), MONGODB_URI: mongodbUri, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while ((await get(url, '/health/ready').catch(() => undefined))?.status !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the app did not become ready: ${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, child, output, exited };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a connection of its own (no pooling: a refused connection shows as ECONNREFUSED). */
function get(url: string, route: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${route}`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** A POST whose body is sent in two parts; `accepted` resolves once the app answered 100 Continue. */
function uploadInTwoParts(url: string, route: string, headers: Record<string, string>, body: string) {
  const half = Math.floor(body.length / 2);
  const agent = new http.Agent({ keepAlive: true });
  const req = http.request(`${url}${route}`, {
    method: 'POST',
    agent,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
  });
  const accepted = once(req, 'continue').then(() => void req.write(body.slice(0, half)));
  const answer = new Promise<Answer | Error>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', (e) => resolve(e));
  });
  req.flushHeaders();
  return {
    accepted,
    finish: () => req.end(body.slice(half)),
    answer: answer.then((a) => ({ value: a, at: Date.now() })).finally(() => agent.destroy()),
  };
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('graceful shutdown of an app process (SIGTERM)', () => {
  let db: TestDatabase;
  let client: MongoClient;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    db = await startTestDatabase();
    client = await MongoClient.connect(db.uri);
  });
  afterEach(async () => {
    if (app && app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    app = undefined;
  });
  afterAll(async () => {
    await client?.close();
    await db?.stop();
  });

  const segmentUpload = async (url: string, id: string) =>
    uploadInTwoParts(
      url,
      '/customer-segment/acme/segments',
      await bearer({ tenant: 'acme', scopes: [SEGMENT_SCOPES.manage] }),
      JSON.stringify({ id, name: { en: `Segment ${id}` }, status: 'ACTIVE', siteCode: 'main' }),
    );

  it('answers readiness 503 while still serving, then refuses new connections, finishes the request in flight and exits 0', async () => {
    // A delay long enough for the probes below to land in it even on a busy machine.
    const drainMs = 20000;
    const delayMs = 5000;
    app = await startApp(db.uri, { SHUTDOWN_DRAIN_MS: String(drainMs), SHUTDOWN_DELAY_MS: String(delayMs) });
    const running = app;
    const upload = await segmentUpload(running.url, 'drained');
    await upload.accepted;

    const signalled = Date.now();
    running.child.kill('SIGTERM');

    // The delay: readiness says 503 in the service's error profile, everything else is served.
    const ready = await until(
      'readiness 503',
      async () => ((r) => (r.status === 503 ? r : undefined))(await get(running.url, '/health/ready')),
      delayMs,
    );
    expect(JSON.parse(ready.body)).toMatchObject({ code: 503, errorCode: 'service_unavailable', message: 'The service is shutting down.' });
    expect(ready.headers.connection).toBe('close');
    expect((await get(running.url, '/health/live')).status).toBe(200);

    // Then the listener closes while the upload is still in flight.
    const refused = await until(
      'new connections refused',
      () =>
        get(running.url, '/health/live').then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e.code,
        ),
      10000,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(running.child.exitCode).toBeNull();

    // The request in flight completes with its normal answer, on a connection closed afterwards.
    upload.finish();
    const { value: answer } = await upload.answer;
    expect(answer).toMatchObject({ status: 201, headers: { connection: 'close', location: '/customer-segment/acme/segments/drained' } });
    expect(JSON.parse((answer as Answer).body)).toEqual({ id: 'drained' });

    const exit = await running.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    // Done as soon as nothing was left in flight, well before the drain window ends.
    expect(exit.at - signalled).toBeLessThan(drainMs);
    // The write reached the database before the app closed its connection.
    expect(
      await client
        .db(DATABASE_NAME)
        .collection('acme_segments')
        .findOne({ _id: 'drained' as any }),
    ).toMatchObject({ status: 'ACTIVE' });
    expect(running.output.join('')).toContain('shutting down: readiness answers 503');
  }, 60000);

  it('closes a request that outlasts the drain window when the window ends, and still exits 0', async () => {
    const drainMs = 2000;
    app = await startApp(db.uri, { SHUTDOWN_DRAIN_MS: String(drainMs) });
    const running = app;
    const upload = await segmentUpload(running.url, 'never-finished');
    await upload.accepted;

    const signalled = Date.now();
    running.child.kill('SIGTERM');
    // Without a delay the listener closes at once.
    await until(
      'new connections refused',
      () =>
        get(running.url, '/health/live').then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e.code,
        ),
      5000,
    );

    const { value: answer, at: cutAt } = await upload.answer;
    // No answer: the connection was closed under the request (errors come from Node's realm, not jest's).
    expect(answer).not.toHaveProperty('status');
    expect((answer as NodeJS.ErrnoException).code).toMatch(/^(ECONNRESET|EPIPE)$/);
    const exit = await running.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    // Cut when the window ended, not before; and the process did not linger after it.
    expect(cutAt - signalled).toBeGreaterThanOrEqual(drainMs);
    expect(exit.at - signalled).toBeGreaterThanOrEqual(drainMs);
    expect(exit.at - signalled).toBeLessThan(drainMs + 10000);
    expect(running.output.join('')).toContain('drain window over: closing open connections');
    expect(
      await client
        .db(DATABASE_NAME)
        .collection('acme_segments')
        .findOne({ _id: 'never-finished' as any }),
    ).toBeNull();
  }, 60000);

  it('refuses to start with an invalid drain configuration', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...testAuthEnv(),
        MONGODB_URI: db.uri,
        PORT: String(port),
        SHUTDOWN_DRAIN_MS: '1000',
        SHUTDOWN_DELAY_MS: '2000',
      },
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).not.toBe(0);
    expect(output).toContain('SHUTDOWN_DELAY_MS must be at most SHUTDOWN_DRAIN_MS (got 2000 and 1000)');
  }, 30000);
});
