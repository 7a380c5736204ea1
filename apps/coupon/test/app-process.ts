import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, testAuthEnv } from '@suite/testing';

/** The compiled coupon app (jest's global setup builds dist/ first when sources changed). */
const MAIN = path.join(__dirname, '..', '..', '..', 'dist', 'apps', 'coupon', 'src', 'main.js');

/** The coupon app as its own Node process, as `npm start` runs it: it can be killed like one. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** SIGKILL: no shutdown hook runs, leases stay taken, a batch may be cut off. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `dist/apps/coupon/src/main.js` on a free port against `mongodbUri` and waits until it is ready. */
export async function startAppProcess(mongodbUri: string, env: Record<string, string> = {}): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...testAuthEnv(), MONGODB_URI: mongodbUri, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the coupon app exited: ${output.join('')}`);
    const ready = await fetch(`${url}/health/ready`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the coupon app was not ready: ${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  return { url, child, output, kill9: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') };
}
