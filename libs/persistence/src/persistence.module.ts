import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, READINESS_PROBE } from '@suite/api-kit';
import type { Logger } from 'pino';
import { loggingPublisher, OutboxDispatcher, OutboxLease, OutboxLeaseOptions, OutboxRepository } from './outbox';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import mongoose, { Connection, ConnectOptions } from 'mongoose';
import { TenantModelRegistry } from './tenant-model-registry';
import { ChangeEvents } from './change-events';
import { EVENT_SINK, MONGO_CONNECTION } from './tokens';
import { DatabaseMetrics } from './database-metrics';
import { IdempotencyKeyRepository, IdempotencyKeys, IdempotencyOptions } from './idempotency';

export { EVENT_SINK, MONGO_CONNECTION };

const DISPATCH_ENABLED = Symbol.for('suite.dispatchOutbox');

export interface PersistenceOptions {
  uri: string;
  /** TEN-3: one database per service (`customer_segment`, `coupon`, `category`). */
  dbName: string;
  /** ERR-11: how long a request waits for an unreachable database (default 2000 ms). */
  serverSelectionTimeoutMS?: number;
  maxModels?: number;
  /**
   * Run the outbox dispatcher in this process (default true). Its default publisher writes each
   * event to the log at debug level; the foundation replaces it with the webhook service's
   * ingestion when WEBHOOK_URL is set (`usePublisher`).
   */
  dispatchOutbox?: boolean;
  /** How often the lease holder polls the outbox (OUTBOX_POLL_MS; default 1000 ms). */
  outboxPollMs?: number;
  /** With several instances only the holder of a lease dispatches: its length and heartbeat (defaults 5000 ms, 1000 ms). */
  outboxLease?: OutboxLeaseOptions;
  /** `@Idempotent()` routes: wait, lease and retention of idempotency keys (defaults: 5 s, 30 s, 24 h). */
  idempotency?: Partial<IdempotencyOptions>;
  /**
   * Time every command for `mongodb_command_duration_seconds` (default true): the driver's command
   * monitoring, which costs one more decoding of each reply (see the README's metrics section).
   */
  commandMetrics?: boolean;
}

/**
 * Opens one mongoose connection with the suite's settings: `autoIndex`/`autoCreate` off (TEN-6),
 * `sanitizeFilter` on. `bufferCommands` is off so that an unreachable database fails a
 * request within the server-selection timeout instead of queueing it.
 */
export function connectionOptions(options: PersistenceOptions): ConnectOptions {
  return {
    dbName: options.dbName,
    autoIndex: false,
    autoCreate: false,
    sanitizeFilter: true,
    bufferCommands: false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2000,
    monitorCommands: options.commandMetrics ?? true,
  };
}

/** A connection outside Nest (tests, tools), with the same settings as the module's. */
export async function openConnection(options: PersistenceOptions): Promise<Connection> {
  // Nothing outside the module reads command timings: no command monitoring unless asked for.
  const connection = mongoose.createConnection(options.uri, connectionOptions({ commandMetrics: false, ...options }));
  await connection.asPromise();
  return connection;
}

@Injectable()
class ConnectionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    private readonly dispatcher: OutboxDispatcher,
    private readonly outbox: OutboxRepository,
    @Inject(DISPATCH_ENABLED) private readonly dispatch: boolean,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}
  async onApplicationBootstrap() {
    const conflicts = await this.outbox.ensureIndexes();
    if (conflicts.length) {
      this.logger.warn({ collection: 'outbox', conflicts }, 'outbox index definitions differ from the declared ones (run npm run migrate)');
    }
    if (this.dispatch) this.dispatcher.start();
  }
  async onApplicationShutdown() {
    // The connection itself is closed by @nestjs/mongoose's core module.
    await this.dispatcher.stop();
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      // The connection comes from @nestjs/mongoose (one per app, closed on shutdown). Tenant models
      // never use @InjectModel: they come from TenantModelRegistry (TEN-5). One quick retry at boot,
      // so a missing database stops the app in seconds instead of after nine retries.
      imports: [MongooseModule.forRoot(options.uri, { ...connectionOptions(options), retryAttempts: 1, retryDelay: 500 })],
      providers: [
        { provide: MONGO_CONNECTION, useExisting: getConnectionToken() },
        {
          provide: TenantModelRegistry,
          useFactory: (connection: Connection, logger: Logger) => new TenantModelRegistry(connection, options.maxModels, logger),
          inject: [MONGO_CONNECTION, LOGGER],
        },
        {
          provide: READINESS_PROBE,
          useFactory: (connection: Connection) => async () => {
            if (!connection.db) throw new Error('not connected');
            await connection.db.command({ ping: 1 });
          },
          inject: [MONGO_CONNECTION],
        },
        { provide: OutboxRepository, useFactory: (connection: Connection) => new OutboxRepository(connection), inject: [MONGO_CONNECTION] },
        { provide: EVENT_SINK, useExisting: OutboxRepository },
        { provide: DISPATCH_ENABLED, useValue: options.dispatchOutbox ?? true },
        {
          provide: OutboxDispatcher,
          useFactory: (outbox: OutboxRepository, logger: Logger, connection: Connection) => {
            const dispatcher = new OutboxDispatcher(outbox, loggingPublisher(logger), {
              lease: new OutboxLease(connection, options.outboxLease),
              logger,
              intervalMs: options.outboxPollMs,
            });
            outbox.onEmitted(() => dispatcher.wake());
            return dispatcher;
          },
          inject: [OutboxRepository, LOGGER, MONGO_CONNECTION],
        },
        ConnectionLifecycle,
        DatabaseMetrics,
        ChangeEvents,
        // `@Idempotent()` routes of every app find their keys here (the module is global).
        {
          provide: IdempotencyKeyRepository,
          useFactory: (registry: TenantModelRegistry) => new IdempotencyKeyRepository(registry),
          inject: [TenantModelRegistry],
        },
        {
          provide: IdempotencyKeys,
          useFactory: (records: IdempotencyKeyRepository, logger: Logger) => new IdempotencyKeys(records, options.idempotency, logger),
          inject: [IdempotencyKeyRepository, LOGGER],
        },
      ],
      exports: [
        MONGO_CONNECTION,
        TenantModelRegistry,
        READINESS_PROBE,
        EVENT_SINK,
        OutboxRepository,
        OutboxDispatcher,
        ChangeEvents,
        IdempotencyKeys,
      ],
    };
  }
}
