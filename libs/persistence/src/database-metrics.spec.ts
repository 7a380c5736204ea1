import { buildEvent } from '@suite/api-kit';
import { metricsText, observeMongoCommands } from '@suite/observability';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection } from 'mongoose';
import { OutboxRepository } from './outbox';
import { openConnection } from './persistence.module';

/** The count of `mongodb_command_duration_seconds` for one command, as `GET /metrics` shows it. */
async function commandCount(command: string): Promise<number> {
  const prefix = `mongodb_command_duration_seconds_count{command="${command}",outcome="ok"} `;
  const line = (await metricsText()).split('\n').find((l) => l.startsWith(prefix));
  return Number(line?.slice(prefix.length) ?? 0);
}

describe('database metrics against the embedded server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(() => db.stop());

  const withConnection = async (commandMetrics: boolean, run: (c: Connection) => Promise<void>) => {
    const connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('dbmetrics'), commandMetrics });
    const stop = observeMongoCommands(connection.getClient());
    try {
      await run(connection);
    } finally {
      stop();
      await connection.dropDatabase();
      await connection.close();
    }
  };

  it('times every command of a connection opened with command metrics, and none without them', async () => {
    await withConnection(true, async (connection) => {
      const before = await commandCount('aggregate');
      // countDocuments is an aggregate on the wire.
      await connection.collection('things').countDocuments({});
      await connection.collection('things').countDocuments({ n: 1 });
      expect(await commandCount('aggregate')).toBe(before + 2);
    });
    const aggregates = await commandCount('aggregate');
    await withConnection(false, async (connection) => {
      await connection.collection('things').countDocuments({});
    });
    expect(await commandCount('aggregate')).toBe(aggregates);
  });

  it('reads the outbox backlog and its oldest entry from the dispatch index', async () => {
    await withConnection(false, async (connection) => {
      const outbox = new OutboxRepository(connection);
      await outbox.ensureIndexes();
      expect(await outbox.backlog()).toEqual({ count: 0, oldestCreatedAt: undefined });
      const event = (n: number) =>
        buildEvent({
          source: '/coupon',
          type: 'coupon.created',
          subject: `C${n}`,
          tenant: 'acme',
          entityVersion: 0,
          actor: { type: 'employee', id: 'u1' },
          requestId: `r${n}`,
          time: new Date(),
          data: {},
        });
      await outbox.emit(event(1));
      const [first] = await outbox.unpublished(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await outbox.emit(event(2));
      expect(await outbox.backlog()).toEqual({ count: 2, oldestCreatedAt: first.createdAt });
      await outbox.markPublished(first._id);
      const after = await outbox.backlog();
      expect(after.count).toBe(1);
      expect(after.oldestCreatedAt!.getTime()).toBeGreaterThan(first.createdAt.getTime());
    });
  });
});
