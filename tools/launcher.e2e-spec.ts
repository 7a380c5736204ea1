import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeOpenApiDocument } from '@suite/api-kit';
import { signDevToken } from '@suite/auth';
import { HttpStub, RecordedRequest } from '@suite/testing';
import { databaseHeapArgs, Hosting, launchSuite, RunningSuite, SERVICES } from './launcher';

// The start command's launcher: embedded database, the app processes (one per app, then all four in
// one, npm start's default), one gateway. Proves the base URL routes to each app, that health reflects the apps, that a
// stopped app makes the gateway answer 503 (never a hang or a 502) until it is back, and that a
// child that dies is restarted. Then `npm start` itself (dist/tools/start.js) as a child process:
// peer URLs from its environment, a database restarted on its data directory, and giving up on a
// child that keeps dying.
const SIGNING = { secret: 'launcher-test-secret', issuer: 'http://localhost/auth', audience: 'commerce-api' };
const AUTH_ENV = { AUTH_HS256_SECRET: SIGNING.secret, AUTH_ISSUER: SIGNING.issuer, AUTH_AUDIENCE: SIGNING.audience };
const ROOT = path.join(__dirname, '..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` holds; a hang fails with `what`, never silently. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

const status = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
};

/**
 * Launches the suite before the tests of the enclosing describe and stops it after them; `lines`
 * collects the children's output (on a failed start, the first thing to read).
 */
function launchedSuite(hosting?: Hosting): { readonly suite: RunningSuite; lines: string[] } {
  const launched = { suite: undefined as unknown as RunningSuite, lines: [] as string[] };
  beforeAll(async () => {
    launched.suite = await launchSuite({
      port: 0,
      hosting,
      env: { ...AUTH_ENV, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      restart: { initialDelayMs: 200 },
      // Generous: the machine running the tests may be busy; the apps usually boot in seconds.
      readyTimeoutMs: 120_000,
      output: (service, line) => launched.lines.push(`[${service}] ${line}`),
    }).catch((e) => {
      process.stderr.write(`${launched.lines.slice(-40).join('\n')}\n`);
      throw e;
    });
  }, 180000);
  afterAll(async () => {
    await launched.suite?.stop();
  }, 30000);
  return launched;
}

describe('suite launcher (npm start)', () => {
  const launched = launchedSuite();
  const { lines } = launched;
  let suite: RunningSuite;
  beforeAll(() => {
    suite = launched.suite;
  });

  it('starts the database, the apps and the gateway together; an app connects once the database listens, and says when it listens', () => {
    const at = (label: string, event: string) => suite.startup.find((e) => e.label === label && e.event === event)?.ms ?? NaN;
    const databaseReady = at('mongo', 'ready');
    expect(databaseReady).toBeGreaterThanOrEqual(at('mongo', 'spawned'));
    for (const service of SERVICES) {
      // Spawned without waiting for the database: it loads its modules meanwhile.
      expect({ service, spawnedBeforeTheDatabaseWasReady: at(service, 'spawned') < databaseReady }).toEqual({
        service,
        spawnedBeforeTheDatabaseWasReady: true,
      });
      // It asked for the database once loaded, and listened (connected) only after it was there.
      expect(at(service, 'loaded')).toBeGreaterThan(at(service, 'spawned'));
      expect(at(service, 'listening')).toBeGreaterThanOrEqual(Math.max(databaseReady, at(service, 'loaded')));
      expect(at(service, 'ready')).toBeGreaterThanOrEqual(at(service, 'listening'));
    }
    // The gateway is loaded while the children boot, not before they are spawned.
    expect(at('gateway', 'loaded')).toBeGreaterThan(Math.max(...SERVICES.map((s) => at(s, 'spawned'))));
    expect(at('gateway', 'listening')).toBeGreaterThanOrEqual(at('gateway', 'loaded'));
  });

  it('gives the embedded database the heap limit of databaseHeapArgs (Linux: its command line)', () => {
    const cmdline = readFileSync(`/proc/${suite.database!.child!.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(databaseHeapArgs()));
    expect(cmdline.some((a) => a.startsWith('--max-old-space-size='))).toBe(!/--max-old-space-size/.test(process.env.NODE_OPTIONS ?? ''));
  });

  it('serves live and ready health on the base URL', async () => {
    expect(await (await fetch(`${suite.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${suite.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
  });

  it('routes each service prefix to its app, with the app answering (its own error profile)', async () => {
    const token = await signDevToken({ tenant: 'acme', principalType: 'employee', scopes: [] }, SIGNING);
    for (const [service, profileKey] of [
      ['customer-segment', 'errorCode'],
      ['category', 'errorCode'],
      ['coupon', 'type'],
    ] as const) {
      const res = await fetch(`${suite.baseUrl}/${service}/other/no-such-route`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(await res.json()).toHaveProperty(profileKey);
    }
  });

  it(
    'answers what never reaches an app (bad percent-encoding, ' + "headers beyond 70 KiB) in that app's profile, with X-Request-Id",
    async () => {
      for (const [service, profileKey] of [
        ['customer-segment', 'errorCode'],
        ['category', 'errorCode'],
        ['coupon', 'type'],
      ] as const) {
        const res = await fetch(`${suite.baseUrl}/${service}/acme/x/%E0%A4%A`, { headers: { 'x-request-id': `bad-url-${service}` } });
        expect(res.status).toBe(400);
        expect(res.headers.get('x-request-id')).toBe(`bad-url-${service}`);
        expect(await res.json()).toHaveProperty(profileKey);
      }
      // 60 KB of headers pass the gateway and reach the app (customer-segment §1.12); 80 KB do not.
      const big = await fetch(`${suite.baseUrl}/customer-segment/acme/segments`, { headers: { 'x-big': 'h'.repeat(60_000) } });
      expect(big.status).toBe(401);
      const long = await fetch(`${suite.baseUrl}/category/acme/categories?q=${'a'.repeat(80_000)}`);
      expect(long.status).toBe(400);
      expect(long.headers.get('x-request-id')).toBeTruthy();
      expect((await long.json()).errorCode).toBe('validation_failed');
    },
  );

  it("serves each service's OpenAPI document and interactive reference (with its assets) on the base URL, without a token", async () => {
    for (const service of SERVICES) {
      const doc = await fetch(`${suite.baseUrl}/${service}/openapi.json`);
      expect(doc.status).toBe(200);
      expect(doc.headers.get('content-type')).toMatch(/^application\/json/);
      const served = await doc.text();
      // What the running service serves is the committed document (test/openapi.spec.ts checks the latter is
      // current); compared as canonical JSON, so a formatter pass over the committed file does not matter.
      const committed = readFileSync(path.join(__dirname, '..', 'openapi', `${service}.json`), 'utf8');
      if (served !== serializeOpenApiDocument(JSON.parse(committed))) {
        throw new Error(`${service} serves a document other than openapi/${service}.json: run npm run openapi`);
      }
      expect(JSON.parse(served).openapi).toBe('3.1.0');

      const pageUrl = `${suite.baseUrl}/${service}/docs`;
      const page = await fetch(pageUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      // Everything the page loads, resolved against the page URL as a browser does, plus the document it shows.
      const loaded = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
      const documentUrl = /url: '([^']+)'/.exec(html)?.[1];
      const ui = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'];
      expect(loaded).toEqual(expect.arrayContaining(ui.map((file) => `docs?asset=${file}`)));
      expect(new URL(documentUrl ?? '', pageUrl).href).toBe(`${suite.baseUrl}/${service}/openapi.json`);
      for (const asset of loaded) {
        const res = await fetch(new URL(asset, pageUrl));
        expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
      const unknown = await fetch(`${pageUrl}?asset=../../package.json`);
      expect(unknown.status).toBe(404);
    }
  });

  it('answers 503 for a stopped app and recovers when it is started again', async () => {
    await suite.stopService('coupon');
    const down = await fetch(`${suite.baseUrl}/coupon/acme/coupons`, { signal: AbortSignal.timeout(5000) });
    expect(down.status).toBe(503);
    // In the coupon service's error profile (ERR-2): the gateway answers for the app.
    expect((await down.json()).type).toBe('service_unavailable');
    expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(503);
    // A deliberate stop is not an exit to recover from: nothing restarts it.
    await sleep(1500);
    expect(await status(`${suite.baseUrl}/coupon/acme/coupons`)).toBe(503);
    expect(lines.filter((l) => l.startsWith('[launcher] coupon exited'))).toEqual([]);
    await suite.startService('coupon');
    expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(200);
  }, 60000);

  it('restarts an app that was killed, on the same port, and says so', async () => {
    const before = suite.services.coupon.child!.pid!;
    const mark = lines.length;
    process.kill(before, 'SIGKILL');
    await until('the launcher reports the exit', () =>
      lines.slice(mark).includes('[launcher] coupon exited (signal SIGKILL); restarting in 200 ms (attempt 1/5)'),
    );
    // The launcher says "back" once the new process is ready; an app may answer before that.
    await until('the launcher reports the app back', () => lines.slice(mark).some((l) => l.startsWith('[launcher] coupon is back (pid ')));
    const after = suite.services.coupon.child!.pid!;
    expect(after).not.toBe(before);
    expect(lines.slice(mark)).toContain(`[launcher] coupon is back (pid ${after})`);
    expect(await status(`${suite.services.coupon.url}/health/ready`)).toBe(200);
    expect(await status(`${suite.baseUrl}/coupon/acme/coupons`)).toBe(401);
  }, 90000);

  it('restarts the embedded database after kill -9; the apps come back on it (its in-memory data is gone)', async () => {
    const admin = await signDevToken(
      { tenant: 'acme', principalType: 'employee', scopes: ['coupon.coupon_manage', 'coupon.coupon_read'] },
      SIGNING,
    );
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const coupon = (code: string) => ({ code, name: code, discountAbsolute: { amount: 5, currency: 'USD' } });
    expect(await status(`${suite.baseUrl}/coupon/acme/coupons`, { method: 'POST', headers, body: JSON.stringify(coupon('BEFORE')) })).toBe(
      201,
    );

    const mark = lines.length;
    const appPids = SERVICES.map((s) => suite.services[s].child!.pid);
    process.kill(suite.database!.child!.pid!, 'SIGKILL');
    await until('the launcher reports the exit', () =>
      lines
        .slice(mark)
        .some((l) =>
          l.startsWith('[launcher] mongo exited (signal SIGKILL); restarting in 200 ms (attempt 1/5); it kept its data in memory only'),
        ),
    );
    // Writes work again once the database and the apps are back.
    await until(
      'a write succeeds again',
      async () =>
        (await status(`${suite.baseUrl}/coupon/acme/coupons`, { method: 'POST', headers, body: JSON.stringify(coupon('AFTER')) })) === 201,
      90_000,
    );
    // The apps restart in parallel: coupon may take writes before the other two are ready again.
    await until('the base URL is ready again', async () => (await fetch(`${suite.baseUrl}/health/ready`)).status === 200, 60_000);
    expect(lines.slice(mark)).toEqual(expect.arrayContaining([expect.stringMatching(/^\[launcher\] mongo is back \(pid \d+\)$/)]));
    // The apps were restarted with it, so none keeps believing its collections and indexes exist.
    expect(SERVICES.map((s, i) => suite.services[s].child!.pid !== appPids[i])).toEqual(SERVICES.map(() => true));
    expect(await status(`${suite.baseUrl}/coupon/acme/coupons/BEFORE`, { headers })).toBe(404);
    expect(await status(`${suite.baseUrl}/coupon/acme/coupons/AFTER`, { headers })).toBe(200);
  }, 120000);
});

describe("suite launcher with the apps in one process (hosting: 'shared', npm start's default)", () => {
  const launched = launchedSuite('shared');
  const { lines } = launched;
  let suite: RunningSuite;
  beforeAll(() => {
    suite = launched.suite;
  });

  it('runs the four apps in one process, each on its own port, connected once the database listens', async () => {
    const pids = new Set(SERVICES.map((s) => suite.services[s].child?.pid));
    expect(pids.size).toBe(1);
    // From the bundle tools/build.js makes (through app-host-main), not the app modules one by one.
    expect(suite.services.coupon.child?.spawnargs.at(-1)).toBe(path.join(ROOT, 'dist', 'tools', 'app-host-main.js'));
    expect(new Set(SERVICES.map((s) => suite.services[s].port)).size).toBe(SERVICES.length);
    const at = (label: string, event: string) => suite.startup.find((e) => e.label === label && e.event === event)?.ms ?? NaN;
    expect(at('apps', 'spawned')).toBeLessThan(at('mongo', 'ready'));
    expect(at('apps', 'loaded')).toBeGreaterThan(at('apps', 'spawned'));
    for (const service of SERVICES) {
      expect(at(service, 'listening')).toBeGreaterThanOrEqual(Math.max(at('mongo', 'ready'), at('apps', 'loaded')));
      expect(at(service, 'ready')).toBeGreaterThanOrEqual(at(service, 'listening'));
      // Each app answers on its own port: its own OpenAPI document.
      const doc = (await (await fetch(`${suite.services[service].url}/${service}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      const prefixes = new Set(Object.keys(doc.paths).map((p) => p.split('/')[1]));
      expect({ service, prefixes: [...prefixes] }).toEqual({ service, prefixes: [service] });
    }
    expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(200);
  });

  it(
    'closes one app on stopService while the others keep answering, keeps it closed across a restart of the process, ' +
      'and starts it again',
    async () => {
      const hostPid = suite.services.coupon.child!.pid!;
      await suite.stopService('coupon');
      const down = await fetch(`${suite.baseUrl}/coupon/acme/coupons`, { signal: AbortSignal.timeout(5000) });
      expect(down.status).toBe(503);
      expect((await down.json()).type).toBe('service_unavailable');
      expect(await status(`${suite.baseUrl}/category/acme/categories`)).toBe(401);
      expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(503);
      expect(suite.services.coupon.child!.pid).toBe(hostPid);

      // The process dies: it is restarted with the apps it ran, not with the one stopped deliberately.
      const mark = lines.length;
      process.kill(hostPid, 'SIGKILL');
      await until('the launcher reports the process back', () =>
        lines.slice(mark).some((l) => l.startsWith('[launcher] apps is back (pid ')),
      );
      expect(lines.slice(mark)).toContain('[launcher] apps exited (signal SIGKILL); restarting in 200 ms (attempt 1/5)');
      const restarted = suite.services.category.child!.pid!;
      expect(restarted).not.toBe(hostPid);
      for (const service of SERVICES.filter((s) => s !== 'coupon'))
        expect(await status(`${suite.services[service].url}/health/ready`)).toBe(200);
      expect(await status(`${suite.baseUrl}/coupon/acme/coupons`)).toBe(503);

      await suite.startService('coupon');
      expect(suite.services.coupon.child!.pid).toBe(restarted);
      expect(await status(`${suite.baseUrl}/coupon/acme/coupons`)).toBe(401);
      expect((await fetch(`${suite.baseUrl}/health/ready`)).status).toBe(200);
    },
    120000,
  );

  it('drains and closes every app on SIGTERM, and the process exits 0 once the last one has', async () => {
    const host = suite.services.webhook.child!;
    const exited = once(host, 'exit');
    host.kill('SIGTERM');
    // The launcher restarts it (an exit it did not ask for); the exit itself is what is checked here.
    expect(await exited).toEqual([0, null]);
    await until('the launcher reports the process back', () => lines.some((l) => l.startsWith('[launcher] apps exited (code 0)')));
  });
});

/** The processes a process has spawned (Linux /proc); undefined where that is not available. */
function childPids(pid: number): number[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The customer-segment contract as far as the coupon service's membership check reads it. */
function segmentStub(req: RecordedRequest) {
  if (req.method === 'GET' && req.path === '/customer-segment/stubbed/segments') {
    const metadata = { version: 1, createdAt: '2024-01-01T00:00:00.000Z', modifiedAt: '2024-01-01T00:00:00.000Z' };
    return { json: [{ id: 'seg-stub', name: { en: 'Stub' }, status: 'ACTIVE', siteCode: 'main', metadata }] };
  }
  return { status: 404, json: { code: 404, status: 'Not Found', errorCode: 'resource_not_found', message: 'no such route', details: [] } };
}

describe('npm start (dist/tools/start.js as a child process)', () => {
  let child: ChildProcess | undefined;
  let stub: HttpStub;
  let dataDir: string;
  const out: string[] = [];
  const err: string[] = [];

  function startCommand(args: string[], env: Record<string, string>): ChildProcess {
    const base = { ...process.env };
    for (const k of ['MONGODB_URI', 'REPLICAS', 'CUSTOMER_SEGMENT_URL', 'COUPON_URL', 'CATEGORY_URL']) delete base[k];
    const started = spawn(process.execPath, [path.join(ROOT, 'dist/tools/start.js'), ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const [stream, sink] of [
      [started.stdout, out],
      [started.stderr, err],
    ] as const) {
      let buffer = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        sink.push(...parts);
      });
    }
    return started;
  }

  beforeAll(async () => {
    stub = await HttpStub.start(segmentStub);
    dataDir = mkdtempSync(path.join(tmpdir(), 'start-data-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await stub.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60000);

  it('refuses a bad --replicas or LAUNCHER_PROCESS_PER_APP with a clear message, before starting anything', async () => {
    const bad = startCommand(['--replicas', '0'], {});
    const [code] = (await once(bad, 'exit')) as [number];
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('npm start: --replicas must be an integer from 1 to 16');
    err.length = 0;
    const badFlag = startCommand([], { LAUNCHER_PROCESS_PER_APP: 'yes' });
    expect(await once(badFlag, 'exit')).toEqual([2, null]);
    expect(err.join('\n')).toContain("npm start: LAUNCHER_PROCESS_PER_APP must be 1, true, 0 or false (got 'yes')");
  });

  // By default the database and one process hosting the four apps; with --process-per-app one per app,
  // and so with tracing configured (each app's spans are named after its process).
  it.each([
    [[], {}, 2],
    [['--process-per-app'], {}, 1 + SERVICES.length],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, 1 + SERVICES.length],
  ])(
    'stops everything it started when it gets SIGTERM during the launch, and exits 0 (args %j, env %j: %i children)',
    async (args, extraEnv: Record<string, string>, processes) => {
      out.length = err.length = 0;
      const launchDir = mkdtempSync(path.join(tmpdir(), 'start-abort-'));
      try {
        const launching = startCommand(args, {
          ...AUTH_ENV,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          PORT: '0',
          DATA_DIR: launchDir,
          LAUNCHER_READY_TIMEOUT_MS: '120000',
          ...extraEnv,
        });
        const exited = once(launching, 'exit') as Promise<[number | null, string | null]>;
        // The apps wait for the database: when it says it listens, none of them is ready yet.
        await until('the database listens', () => out.some((l) => l.startsWith('[mongo] embedded-mongo listening on ')), 120_000);
        expect(out.join('\n')).not.toContain('Commerce suite ready');
        const children = childPids(launching.pid!);
        launching.kill('SIGTERM');
        expect(await exited).toEqual([0, null]);
        expect(out).toContain('stopped.');
        if (children) {
          expect(children.length).toBe(processes);
          expect(children.filter(alive)).toEqual([]);
        }
      } finally {
        rmSync(launchDir, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it(
    'gives the apps the peer URLs of its environment (conventions §12), restarts the database on its data directory, ' +
      'and gives up with a non-zero exit on a child that keeps dying',
    async () => {
      out.length = err.length = 0;
      child = startCommand([], {
        ...AUTH_ENV,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        CUSTOMER_SEGMENT_URL: stub.url,
        LAUNCHER_MAX_RESTARTS: '2',
        LAUNCHER_RESTART_DELAY_MS: '100',
        LAUNCHER_READY_TIMEOUT_MS: '120000',
      });
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      const baseUrl = await until(
        'npm start is ready',
        () => {
          if (child!.exitCode !== null) throw new Error(`npm start exited early:\n${[...out, ...err].slice(-30).join('\n')}`);
          return /Commerce suite ready in \d+ ms on (\S+)/.exec(out.join('\n'))?.[1];
        },
        150_000,
      ).catch((e) => {
        process.stderr.write(`${[...out, ...err].slice(-40).join('\n')}\n`);
        throw e;
      });

      // A segment-restricted coupon: only the stub knows segment "seg-stub" and its member.
      const admin = await signDevToken(
        { tenant: 'stubbed', principalType: 'employee', scopes: ['coupon.coupon_manage', 'coupon.coupon_read'] },
        SIGNING,
      );
      const customer = await signDevToken(
        {
          tenant: 'stubbed',
          principalType: 'customer',
          customerId: 'C-STUB',
          scopes: ['coupon.coupon_redeem', 'customersegment.segment_read_own'],
        },
        SIGNING,
      );
      const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
      const created = await status(`${baseUrl}/coupon/stubbed/coupons`, {
        method: 'POST',
        headers: json(admin),
        body: JSON.stringify({
          code: 'STUBSEG',
          name: 'Stub segment',
          discountAbsolute: { amount: 5, currency: 'USD' },
          segmentRestricted: true,
          restrictions: { segments: ['seg-stub'] },
        }),
      });
      expect(created).toBe(201);
      const validation = await fetch(`${baseUrl}/coupon/stubbed/coupons/STUBSEG/validation`, {
        method: 'POST',
        headers: json(customer),
        body: JSON.stringify({ orderTotal: { amount: 20, currency: 'USD' }, discount: { amount: 5, currency: 'USD' } }),
      });
      expect([validation.status, await validation.text()]).toEqual([200, '']);
      const asked = stub.requests.filter((r) => r.path === '/customer-segment/stubbed/segments');
      expect(asked.length).toBeGreaterThanOrEqual(1);
      expect(asked[0].query.get('customerId')).toBe('C-STUB');
      expect(out.join('\n')).toContain(`peer URLs of the apps: customer-segment ${stub.url},`);

      // kill -9 of the database: restarted on the same data directory, the data is still there.
      const dbPid = Number(/database: \S+ \(embedded, pid (\d+)/.exec(out.join('\n'))?.[1]);
      expect(dbPid).toBeGreaterThan(0);
      process.kill(dbPid, 'SIGKILL');
      const restartedPid = await until(
        'the database is back',
        () => Number(/\[launcher\] mongo is back \(pid (\d+)\)/.exec(out.join('\n'))?.[1]) || undefined,
      );
      expect(out).toContain(
        `[launcher] mongo exited (signal SIGKILL); restarting in 100 ms (attempt 1/2) (same data directory ${dataDir})`,
      );
      await until(
        'the coupon is read again',
        async () => (await status(`${baseUrl}/coupon/stubbed/coupons/STUBSEG`, { headers: json(admin) })) === 200,
      );

      // A database that cannot start any more (its data directory is now a file) keeps exiting.
      rmSync(dataDir, { recursive: true, force: true });
      writeFileSync(dataDir, 'not a directory');
      process.kill(restartedPid, 'SIGKILL');
      const [code] = await exited;
      expect(code).toBe(1);
      expect(out).toContain(
        `[launcher] mongo exited (signal SIGKILL); restarting in 200 ms (attempt 2/2) (same data directory ${dataDir})`,
      );
      expect(err.join('\n')).toMatch(
        /npm start: mongo exited 3 times within 60 s \(last: code 1\); the launcher gave up and stopped the suite/,
      );
      // Everything is stopped: the base URL no longer answers.
      await expect(fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      rmSync(dataDir, { force: true });
    },
    400_000,
  );
});
