import { openConnection, TenantModelRegistry } from '@suite/persistence';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import type { CommandStartedEvent } from 'mongodb';
import { Connection } from 'mongoose';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { MembershipKeysRepository } from './membership-keys.repository';

describe('MembershipKeysRepository (embedded server, commands seen by the driver)', () => {
  let db: TestDatabase;
  let connection: Connection;
  let assignments: CustomerAssignmentsRepository;
  let keys: MembershipKeysRepository;
  const commands: CommandStartedEvent[] = [];
  const finds = () => commands.splice(0).filter((c) => c.commandName === 'find' && c.command.find === 'mka_segment_customer_assignments');
  const now = new Date('2024-01-01T00:00:00.000Z');

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('memberkeys'), commandMetrics: true });
    connection.getClient().on('commandStarted', (e: CommandStartedEvent) => commands.push(e));
    const registry = new TenantModelRegistry(connection);
    assignments = new CustomerAssignmentsRepository(registry);
    keys = new MembershipKeysRepository(registry);
    for (const [segmentId, customerId, legalEntityId] of [
      ['gold', 'c1', null],
      ['silver', 'c1', 'le1'],
      ['gold', 'c2', null],
      ['bronze', 'c3', 'le9'],
    ] as const) {
      await assignments.insert('mka', { segmentId, customerId, legalEntityId }, {}, now);
    }
    await assignments.insert('mkb', { segmentId: 'gold', customerId: 'c1', legalEntityId: null }, {}, now);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('answers each customer its own keys, concurrent questions of a tenant in one query after the one running', async () => {
    commands.splice(0);
    const asked = ['c1', 'c2', 'c1', 'nobody', 'c3'];
    const answers = await Promise.all(asked.map((c) => keys.keysOfCustomer('mka', c)));
    const sorted = (list: Array<{ segmentId: string; legalEntityId: string | null }>) =>
      [...list].sort((a, b) => a.segmentId.localeCompare(b.segmentId));
    expect(answers.map(sorted)).toEqual([
      [
        { segmentId: 'gold', legalEntityId: null },
        { segmentId: 'silver', legalEntityId: 'le1' },
      ],
      [{ segmentId: 'gold', legalEntityId: null }],
      [
        { segmentId: 'gold', legalEntityId: null },
        { segmentId: 'silver', legalEntityId: 'le1' },
      ],
      [],
      [{ segmentId: 'bronze', legalEntityId: 'le9' }],
    ]);
    // The first question is read alone; the four asked while it ran share the next query.
    expect(finds()).toHaveLength(2);
    // The same answers as the assignments repository's own read, one customer at a time.
    for (const c of ['c1', 'c2', 'c3']) {
      expect(sorted(await keys.keysOfCustomer('mka', c))).toEqual(sorted(await assignments.keysOfCustomer('mka', c)));
    }
    // Answers are separate objects even for one customer asked twice.
    answers[0][0].segmentId = 'changed';
    expect(answers[2].map((k) => k.segmentId)).not.toContain('changed');
  });

  it('reads after the question: a membership written before it was asked is always seen', async () => {
    const first = keys.keysOfCustomer('mka', 'c4');
    // Asked while the first read runs, after the write: its read is sent after both.
    await assignments.insert('mka', { segmentId: 'gold', customerId: 'c4', legalEntityId: null }, {}, now);
    const second = keys.keysOfCustomer('mka', 'c4');
    await first;
    expect(await second).toEqual([{ segmentId: 'gold', legalEntityId: null }]);
  });

  it('keeps tenants apart', async () => {
    const [a, b, none] = await Promise.all([
      keys.keysOfCustomer('mka', 'c2'),
      keys.keysOfCustomer('mkb', 'c1'),
      keys.keysOfCustomer('mkc', 'c1'),
    ]);
    expect(a).toEqual([{ segmentId: 'gold', legalEntityId: null }]);
    expect(b).toEqual([{ segmentId: 'gold', legalEntityId: null }]);
    expect(none).toEqual([]);
  });
});
