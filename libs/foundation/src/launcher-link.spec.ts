import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

// The app's side of the launcher's IPC channel, in a real child process on the built module (the
// jest global setup builds dist/): what the launcher relies on when it starts the database and the
// apps together.
const LINK = path.join(__dirname, '../../../dist/libs/foundation/src/launcher-link.js');
const APP = `
const { databaseGate, reportListening } = require(${JSON.stringify(LINK)});
databaseGate().then(() => {
  process.stdout.write('gate open\\n');
  reportListening();
});
`;

interface Child {
  process: ChildProcess;
  messages: unknown[];
  stdout: string[];
  /** Listened for from the fork on: the child may exit before a test gets round to asking. */
  exited: Promise<number | null>;
}

function startApp(env: Record<string, string>): Child {
  const child = fork('-e', [APP], {
    execArgv: [],
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const started: Child = { process: child, messages: [], stdout: [], exited };
  child.on('message', (m) => started.messages.push(m));
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => started.stdout.push(...d.split('\n').filter(Boolean)));
  return started;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('launcher link (an app started by the suite launcher)', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await once(c, 'exit');
      }
    }
  });

  it('with SUITE_DATABASE_GATE=ipc, asks for the database and connects only once the launcher says it listens', async () => {
    const app = startApp({ SUITE_DATABASE_GATE: 'ipc' });
    children.push(app.process);
    await until('the app asks', () => app.messages.length > 0);
    expect(app.messages).toEqual([{ suite: 'waiting-for-database' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.stdout).toEqual([]);

    app.process.send({ suite: 'database-ready' });
    await until('the app says it listens', () => app.messages.length > 1);
    expect(app.stdout).toEqual(['gate open']);
    expect(app.messages).toEqual([{ suite: 'waiting-for-database' }, { suite: 'listening' }]);
    // Nothing keeps it running once its work is done: the channel does not hold it.
    expect(await app.exited).toBe(0);
  });

  it('without the variable, goes ahead at once and still says when it listens', async () => {
    const app = startApp({});
    children.push(app.process);
    await until('the app says it listens', () => app.messages.length > 0);
    expect(app.stdout).toEqual(['gate open']);
    expect(app.messages).toEqual([{ suite: 'listening' }]);
  });

  it('goes ahead when the launcher goes away instead of answering', async () => {
    const app = startApp({ SUITE_DATABASE_GATE: 'ipc' });
    children.push(app.process);
    await until('the app asks', () => app.messages.length > 0);
    app.process.disconnect();
    await until('the gate opens', () => app.stdout.length > 0);
    expect(app.stdout).toEqual(['gate open']);
  });
});
