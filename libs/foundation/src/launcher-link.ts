/**
 * An app's side of the suite launcher (`npm start`, tools/launcher.ts), over the IPC channel the
 * launcher opens to each app it spawns. The launcher starts the embedded database and the apps at
 * the same time: an app loads its modules meanwhile, and with SUITE_DATABASE_GATE=ipc it connects
 * only once the launcher says the database listens. Once it listens itself, it says so, and the
 * launcher checks its readiness at that moment instead of finding it by polling. An app started
 * otherwise (a container, a test) has no such channel: nothing waits and nothing is sent.
 *
 * The messages, also spelled out in tools/launcher.ts (which does not load this library): the app
 * asks `{ suite: 'waiting-for-database' }` and the launcher answers `{ suite: 'database-ready' }`
 * once the database listens (asked, it cannot miss the answer); `{ suite: 'listening' }` from the app.
 * A process hosting several apps (./app-host) names the app: `{ suite: 'listening', service }`; the
 * launcher asks it `{ suite: 'stop-service', service }` (answered `{ suite: 'service-stopped', service }`
 * once that app is closed) and `{ suite: 'start-service', service }` (answered by its `listening`).
 */

/** The variable the launcher sets when the app must wait for the database (value `ipc`). */
export const DATABASE_GATE_VARIABLE = 'SUITE_DATABASE_GATE';

type Env = Record<string, string | undefined>;

function linked(): boolean {
  return typeof process.send === 'function' && process.connected;
}

function isMessage(value: unknown, kind: string): boolean {
  return typeof value === 'object' && value !== null && (value as { suite?: unknown }).suite === kind;
}

/**
 * Resolves when the app may connect to its database: at once unless the launcher asked it to wait;
 * then when the launcher says the database listens, or goes away. The launcher's ready timeout
 * bounds the wait (it stops an app that is not ready in time), so there is none here.
 */
export function databaseGate(env: Env = process.env): Promise<void> {
  if (env[DATABASE_GATE_VARIABLE] !== 'ipc' || !linked()) return Promise.resolve();
  return new Promise((resolve) => {
    const open = () => {
      process.off('message', onMessage);
      process.off('disconnect', open);
      resolve();
    };
    const onMessage = (message: unknown) => {
      if (isMessage(message, 'database-ready')) open();
    };
    process.on('message', onMessage);
    process.on('disconnect', open);
    process.send!({ suite: 'waiting-for-database' }, undefined, {}, () => undefined);
  });
}

/** Tells the launcher, if there is one, that the app listens (naming it when the process hosts several). */
export function reportListening(service?: string): void {
  tell(service === undefined ? { suite: 'listening' } : { suite: 'listening', service });
}

/** Tells the launcher that a hosted app was closed as it asked. */
export function reportStopped(service: string): void {
  tell({ suite: 'service-stopped', service });
}

function tell(message: object): void {
  if (!linked()) return;
  // A launcher that has gone meanwhile is no error of the app's.
  process.send!(message, undefined, {}, () => undefined);
}

/** What the launcher asks of a process hosting several apps. */
export interface HostRequest {
  kind: 'stop-service' | 'start-service';
  service: string;
}

/** Calls `handle` for each request of the launcher to a hosting process (none without a launcher). */
export function onHostRequest(handle: (request: HostRequest) => void): void {
  if (!linked()) return;
  process.on('message', (message: unknown) => {
    for (const kind of ['stop-service', 'start-service'] as const) {
      const service = isMessage(message, kind) ? (message as { service?: unknown }).service : undefined;
      if (typeof service === 'string') handle({ kind, service });
    }
  });
}
