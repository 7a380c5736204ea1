// The embedded server: a TCP listener speaking the MongoDB wire protocol over an in-memory
// engine, optionally made durable by a journal in a data directory.

import net from 'node:net';
import { CursorManager } from './commands/cursors';
import { Engine } from './storage/engine';
import { expireTtl } from './storage/ttl';
import { Journal } from './storage/journal';
import { Connection, ServerCore } from './wire/connection';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; defaults to 127.0.0.1 (never exposed beyond the machine by default). */
  host?: string;
  /** With a data directory every acknowledged write is journaled and survives a kill -9. */
  dataDir?: string;
  /** Suppress the start-up notice and diagnostics on stderr. */
  quiet?: boolean;
  /** Journal size (bytes) that triggers a background compaction; default 64 MiB. */
  compactAfterBytes?: number;
  /** How often TTL indexes are applied; default 60 s, as MongoDB's TTL monitor. */
  ttlIntervalMs?: number;
  /**
   * `false` runs every command on the general path (no point-read or simple-update fast
   * paths); the answers are the same, tests use it to prove that. Default true.
   */
  fastPaths?: boolean;
}

const NOTICE =
  'embedded-mongo: this is an embedded MongoDB-compatible development server for tests and local runs, not a production database.';

/**
 * A MongoDB-compatible server for development and tests. Connect with the official driver or
 * mongoose using `uri` (append `/<db>`). Not a production database.
 */
export class EmbeddedMongo {
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private stopped = false;
  private ttlTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly server: net.Server,
    private readonly core: ServerCore & { journal: Journal | null },
    /** The TCP port the server listens on. */
    readonly port: number,
    readonly host: string,
  ) {}

  /** `mongodb://<host>:<port>`; callers append `/<db>`. */
  get uri(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `mongodb://${h}:${this.port}`;
  }

  /** Starts a server; resolves once it accepts connections (and, with `dataDir`, has replayed the journal). */
  static async start(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
    const host = opts.host ?? '127.0.0.1';
    const quiet = opts.quiet ?? false;
    const log = (m: string): void => {
      if (!quiet) process.stderr.write(m + '\n');
    };
    log(NOTICE);
    const engine = new Engine();
    engine.fastPaths = opts.fastPaths ?? true;
    const journal = opts.dataDir ? Journal.open(opts.dataDir, engine, log, { compactAfterBytes: opts.compactAfterBytes }) : null;
    const cursors = new CursorManager();
    const core = {
      engine,
      cursors,
      journal,
      afterCommand: () => journal?.flush(),
      log,
    };
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((e) => {
      journal?.close();
      cursors.close();
      throw e;
    });
    const port = (server.address() as net.AddressInfo).port;
    const mongo = new EmbeddedMongo(server, core, port, host);
    mongo.ttlTimer = setInterval(() => {
      try {
        expireTtl(engine);
        core.afterCommand();
      } catch (e) {
        log(`embedded-mongo: TTL pass failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }, opts.ttlIntervalMs ?? 60_000);
    mongo.ttlTimer.unref();
    server.on('connection', (socket) => mongo.accept(socket));
    server.on('error', (e) => log(`embedded-mongo: server error: ${e.message}`));
    return mongo;
  }

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this.core, this.nextConnectionId++);
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
  }

  /** Closes every connection, stops listening and closes the journal. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    for (const c of this.connections) c.close();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.core.cursors.close();
    await this.core.journal?.closeAsync();
  }
}
