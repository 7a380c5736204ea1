import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { observeMongoCommands, registerOutboxProbe } from '@suite/observability';
import type { Connection } from 'mongoose';
import { OutboxRepository } from './outbox';
import { MONGO_CONNECTION } from './tokens';

/**
 * The database's part of `GET /metrics`: the duration of every command the connection sends
 * (`mongodb_command_duration_seconds`, from the driver's command monitoring, on when the
 * connection was opened with `monitorCommands`), and the outbox backlog and the age of its oldest
 * entry (`events_outbox_backlog`, `events_outbox_oldest_age_seconds`), read on each scrape.
 */
@Injectable()
export class DatabaseMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stops: (() => void)[] = [];

  constructor(
    @Inject(MONGO_CONNECTION) private readonly connection: Connection,
    private readonly outbox: OutboxRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.stops.push(
      observeMongoCommands(this.connection.getClient()),
      registerOutboxProbe(() => this.outbox.backlog()),
    );
  }

  onApplicationShutdown(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
