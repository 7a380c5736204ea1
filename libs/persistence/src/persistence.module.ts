import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { READINESS_PROBE } from '@suite/api-kit';
import mongoose, { Connection } from 'mongoose';
import { TenantModelRegistry } from './tenant-model-registry';

export const MONGO_CONNECTION = Symbol.for('suite.mongoConnection');

export interface PersistenceOptions {
  uri: string;
  /** TEN-3: one database per service (`customer_segment`, `coupon`, `category`). */
  dbName: string;
  /** ERR-11: how long a request waits for an unreachable database (default 2000 ms). */
  serverSelectionTimeoutMS?: number;
  maxModels?: number;
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
class ConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CONNECTION) private readonly connection: Connection) {}
  async onApplicationShutdown() {
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
        ConnectionCloser,
      ],
      exports: [MONGO_CONNECTION, TenantModelRegistry, READINESS_PROBE],
    };
  }
}
