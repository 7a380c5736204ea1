import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, startTestDatabase, TestDatabase, testAuthEnv } from '@suite/testing';

// The process `npm start` hosts the apps in (the bundle, through app-host-main), driven over IPC as
// the launcher drives it, and stopped with SIGTERM at the moments an orchestrator or Ctrl-C may pick.
const HOST = path.join(__dirname, '..', 'dist', 'tools', 'app-host-main.js');

interface Host {
  child: ChildProcess;
  messages: Array<{ suite?: string; service?: string }>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * customer-segment runs, category is left stopped (as after a deliberate stopService); the database
 * gate is answered unless `openGate` is false (the apps then wait for it).
 */
async function startHost(db: TestDatabase, openGate = true): Promise<Host> {
  const [segmentPort, categoryPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [HOST], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH,
      ...testAuthEnv(),
      MONGODB_URI: db.uri,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SUITE_DATABASE_GATE: 'ipc',
      SUITE_HOSTED_APPS: `customer-segment=${segmentPort},category=${categoryPort}`,
      SUITE_STOPPED_APPS: 'category',
    },
  });
  const messages: Host['messages'] = [];
  child.on('message', (m: Host['messages'][number]) => {
    messages.push(m);
    if (m.suite === 'waiting-for-database' && openGate) child.send({ suite: 'database-ready' });
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, messages, exited };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const listening = (h: Host, service: string) => h.messages.some((m) => m.suite === 'listening' && m.service === service);

describe('app host process: SIGTERM', () => {
  let db: TestDatabase;
  const hosts: Host[] = [];
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await db.stop();
  });

  it('stops an app that was still starting when the signal came, and exits 0 once every app has', async () => {
    const host = await startHost(db);
    hosts.push(host);
    await until('customer-segment listens', () => listening(host, 'customer-segment'));
    // category starts now: the signal comes before it has started (it loads, connects, builds its routes).
    host.child.send({ suite: 'start-service', service: 'category' });
    await new Promise((r) => setTimeout(r, 20));
    const signalled = Date.now();
    host.child.kill('SIGTERM');
    expect(await host.exited).toEqual([0, null]);
    // Within the drain of the listening app, not the launcher's SIGKILL 10 s later.
    expect(Date.now() - signalled).toBeLessThan(8000);
    expect(listening(host, 'category')).toBe(false);
  }, 90_000);

  it('exits 0 at once on a signal before any app listens', async () => {
    const host = await startHost(db, false);
    hosts.push(host);
    await until('the apps wait for the database', () => host.messages.some((m) => m.suite === 'waiting-for-database'));
    host.child.kill('SIGTERM');
    expect(await host.exited).toEqual([0, null]);
  }, 90_000);
});
