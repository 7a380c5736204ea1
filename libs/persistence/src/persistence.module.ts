import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, READINESS_PROBE } from '@suite/api-kit';
import type { Logger } from 'pino';
import { OutboxDispatcher, OutboxRepository } from './outbox';
import mongoose, { Connection } from 'mongoose';
import { TenantModelRegistry } from './tenant-model-registry';

export const MONGO_CONNECTION = Symbol.for('suite.mongoConnection');
/** The EventSink services emit through (the outbox, EVT-4). */
export const EVENT_SINK = Symbol.for('suite.eventSink');
const DISPATCH_ENABLED = Symbol.for('suite.dispatchOutbox');

export interface PersistenceOptions {
  uri: string;
  /** TEN-3: one database per service (`customer_segment`, `coupon`, `category`). */
  dbName: string;
  /** ERR-11: how long a request waits for an unreachable database (default 2000 ms). */
  serverSelectionTimeoutMS?: number;
  maxModels?: number;
  /**
   * Run the outbox dispatcher in this process (default true). The suite has no broker yet, so the
   * default publisher writes each event to the log at debug level; a broker adapter replaces it.
   */
  dispatchOutbox?: boolean;
}

/**
 * Opens one mongoose connection with the suite's settings: `autoIndex`/`autoCreate` off (TEN-6),
 * `sanitizeFilter` on. `bufferCommands` is off so that an unreachable database fails a
 * request within the server-selection timeout instead of queueing it.
 */
export async function openConnection(options: PersistenceOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    autoIndex: false,
    autoCreate: false,
    sanitizeFilter: true,
    bufferCommands: false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2000,
  });
  await connection.asPromise();
  return connection;
}

@Injectable()
class ConnectionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    private readonly dispatcher: OutboxDispatcher,
    @Inject(DISPATCH_ENABLED) private readonly dispatch: boolean,
  ) {}
  onApplicationBootstrap() {
    if (this.dispatch) this.dispatcher.start();
  }
  async onApplicationShutdown() {
    await this.dispatcher.stop();
    await this.connection.close();
  }
}


@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: MONGO_CONNECTION, useFactory: () => openConnection(options) },
        {
          provide: TenantModelRegistry,
          useFactory: (connection: Connection) => new TenantModelRegistry(connection, options.maxModels),
          inject: [MONGO_CONNECTION],
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
          useFactory: (outbox: OutboxRepository, logger: Logger) =>
            new OutboxDispatcher(outbox, async (event) => {
              logger.debug({ event }, 'event published');
            }),
          inject: [OutboxRepository, LOGGER],
        },
        ConnectionLifecycle,
      ],
      exports: [MONGO_CONNECTION, TenantModelRegistry, READINESS_PROBE, EVENT_SINK, OutboxRepository, OutboxDispatcher],
    };
  }
}
