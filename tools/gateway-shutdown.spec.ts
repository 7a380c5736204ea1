import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { HttpStub } from '@suite/testing';

// The gateway on its own (compose, Kubernetes: `node dist/tools/gateway.js`) stopped by its
// orchestrator: what is in flight is answered, nothing new is accepted, the exit code is 0. The
// compiled gateway, as deployed (the jest global setup builds dist/).
const GATEWAY = path.join(__dirname, '../dist/tools/gateway.js');

async function startGatewayProcess(upstream: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [GATEWAY], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      CUSTOMER_SEGMENT_URL: upstream,
      COUPON_URL: upstream,
      CATEGORY_URL: upstream,
      WEBHOOK_URL: upstream,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      const m = /gateway listening on (\S+)/.exec(d);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  return { child, url };
}

describe('gateway process: SIGTERM', () => {
  let upstream: HttpStub;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    upstream = await HttpStub.start((req) => ({ json: { answered: req.path }, delayMs: Number(req.query.get('delay') ?? 0) }));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await upstream.close();
  });

  it('answers the request in flight, refuses new connections, and exits 0 once it is answered', async () => {
    const { child, url } = await startGatewayProcess(upstream.url);
    children.push(child);
    const exited = once(child, 'exit');
    const inFlight = fetch(`${url}/coupon/acme/coupons?delay=800`);
    // The request has reached the app when the signal comes.
    for (let i = 0; i < 100 && !upstream.requests.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(upstream.requests).toHaveLength(1);
    const signalled = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${url}/coupon/acme/coupons`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    const res = await inFlight;
    expect([res.status, await res.json()]).toEqual([200, { answered: '/coupon/acme/coupons' }]);
    expect(await exited).toEqual([0, null]);
    expect(Date.now() - signalled).toBeLessThan(5000);
  });

  it('closes a connection still open when SHUTDOWN_DRAIN_MS is over, and exits 0', async () => {
    const { child, url } = await startGatewayProcess(upstream.url, { SHUTDOWN_DRAIN_MS: '300' });
    children.push(child);
    const exited = once(child, 'exit');
    upstream.reset();
    const slow = fetch(`${url}/coupon/acme/coupons?delay=5000`).then(
      (r) => r.status,
      () => 'cut',
    );
    for (let i = 0; i < 100 && !upstream.requests.length; i++) await new Promise((r) => setTimeout(r, 10));
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(await slow).toBe('cut');
  });

  it('refuses to start with a SHUTDOWN_DRAIN_MS that is not a number of milliseconds, naming it', async () => {
    const child = spawn(process.execPath, [GATEWAY], {
      env: { PATH: process.env.PATH, PORT: '0', SHUTDOWN_DRAIN_MS: 'soon' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await once(child, 'exit')).toEqual([1, null]);
    expect(stderr).toContain("gateway failed to start: SHUTDOWN_DRAIN_MS must be an integer from 0 to 600000 (got 'soon')");
  });
});
