import { buildEvent, CloudEventEnvelope } from '@suite/api-kit';
import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection } from 'mongoose';
import { LEASE_COLLECTION, OUTBOX_LEASE_ID, OutboxDispatcher, OutboxLease, OutboxRepository } from './outbox';
import { openConnection } from './persistence.module';

// Two instances of one service: two connections to the same database, each with its own
// dispatcher, as two processes behind the launcher's gateway have.
const LEASE_MS = 800;
const HEARTBEAT_MS = 100;
const INTERVAL_MS = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const event = (tenant: string, n: number) =>
  buildEvent({
    source: '/coupon',
    type: 'coupon.created',
    subject: `C${n}`,
    tenant,
    entityVersion: 0,
    actor: { type: 'employee', id: 'u1' },
    requestId: `r${n}`,
    time: new Date(),
    data: { code: `C${n}` },
  });

interface Instance {
  name: string;
  connection: Connection;
  outbox: OutboxRepository;
  lease: OutboxLease;
  dispatcher: OutboxDispatcher;
  /** Every publish call this instance made, in order. */
  published: Array<{ id: string; at: number }>;
}

describe('outbox dispatcher lease: one dispatcher at a time across instances', () => {
  let db: TestDatabase;
  let dbName: string;
  const instances: Instance[] = [];

  async function instance(name: string, options: { leaseMs?: number; heartbeatMs?: number } = {}): Promise<Instance> {
    const connection = await openConnection({ uri: db.uri, dbName });
    const outbox = new OutboxRepository(connection);
    const lease = new OutboxLease(connection, { leaseMs: LEASE_MS, heartbeatMs: HEARTBEAT_MS, holder: name, ...options });
    const published: Instance['published'] = [];
    const dispatcher = new OutboxDispatcher(
      outbox,
      async (e: CloudEventEnvelope<object>) => {
        published.push({ id: e.id, at: Date.now() });
        await sleep(1); // a broker round trip: passes overlap if two instances dispatch
      },
      { intervalMs: INTERVAL_MS, lease },
    );
    const created = { name, connection, outbox, lease, dispatcher, published };
    instances.push(created);
    return created;
  }

  beforeAll(async () => {
    db = await startTestDatabase();
  });
  beforeEach(() => {
    dbName = uniqueDbName('lease');
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) {
      await i.dispatcher.stop().catch(() => undefined);
      await i.connection.close().catch(() => undefined);
    }
  });
  afterAll(async () => {
    await db.stop();
  });

  it('publishes every entry exactly once while two instances run, all from the lease holder', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    a.dispatcher.start();
    b.dispatcher.start();
    const ids: string[] = [];
    // Writes keep arriving on both instances while both dispatchers tick.
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < 10; k++) {
        const e = event('alpha', round * 10 + k);
        ids.push(e.id);
        await (k % 2 ? a : b).outbox.emit(e);
      }
      await sleep(15);
    }
    await until('the outbox is drained', async () => (await a.outbox.unpublished(1)).length === 0);

    const calls = [...a.published, ...b.published].map((p) => p.id);
    expect(calls.length).toBe(ids.length);
    expect(new Set(calls).size).toBe(ids.length);
    expect([...calls].sort()).toEqual([...ids].sort());
    // One of them held the lease the whole time and did all the publishing.
    const holder = (await a.lease.current())?.holder;
    const [dispatching, idle] = holder === a.name ? [a, b] : [b, a];
    expect(dispatching.published).toHaveLength(ids.length);
    expect(idle.published).toHaveLength(0);
  }, 30_000);

  it('lets another instance take over once the lease of a holder that died has run out, never before', async () => {
    const a = await instance('instance-a');
    const b = await instance('instance-b');
    a.dispatcher.start();
    await until('instance-a holds the lease', () => a.lease.held);
    b.dispatcher.start();
    await a.outbox.emit(event('beta', 1));
    // Published and marked: a holder that dies in between gets its entry published again (EVT-5).
    await until(
      'instance-a published the first event',
      async () => a.published.length === 1 && (await a.outbox.unpublished(1)).length === 0,
    );

    // instance-a dies: its connection is gone, its lease is never released.
    const leaseOfDeadHolder = await a.lease.current();
    await a.connection.close(true);
    await b.outbox.emit(event('beta', 2));
    await b.outbox.emit(event('beta', 3));

    await until('instance-b published the events written after the holder died', () => b.published.length === 2);
    const taken = await b.lease.current();
    expect(taken?.holder).toBe('instance-b');
    // Taken over only after the dead holder's lease had expired.
    expect(b.published[0].at).toBeGreaterThanOrEqual(leaseOfDeadHolder!.expiresAt.getTime());
    expect(a.published.map((p) => p.id)).toHaveLength(1);
    // Marked once handed over (after the publish call returned): every event, within the wait.
    await until('every event marked published', async () => (await b.outbox.forTenant('beta')).every((e) => e.publishedAt instanceof Date));
    expect(b.published).toHaveLength(2);
  }, 30_000);

  it('releases the lease on a clean stop, so the other instance takes over without waiting for it to expire', async () => {
    const a = await instance('instance-a', { leaseMs: 60_000, heartbeatMs: HEARTBEAT_MS });
    const b = await instance('instance-b', { leaseMs: 60_000, heartbeatMs: HEARTBEAT_MS });
    a.dispatcher.start();
    await until('instance-a holds the lease', () => a.lease.held);
    b.dispatcher.start();
    await sleep(3 * HEARTBEAT_MS);
    expect(b.lease.held).toBe(false);

    await a.dispatcher.stop();
    await b.outbox.emit(event('gamma', 1));
    // A minute-long lease: only the release lets instance-b in within the wait (a quarter of it,
    // generous for a busy machine: 5 s timed out once under the full suite on two cores).
    await until('instance-b published', () => b.published.length === 1, 15_000);
    expect((await b.lease.current())?.holder).toBe('instance-b');
  }, 30_000);

  it('stops acting as the holder when it cannot renew the lease, before anybody else may take it', async () => {
    const a = await instance('instance-a');
    expect(await a.lease.acquire()).toBe(true);
    expect(a.lease.held).toBe(true);
    const stored = await a.lease.current();
    expect(stored).toMatchObject({ _id: OUTBOX_LEASE_ID, holder: 'instance-a' });
    // No renewal (no heartbeat timer): the local validity ends before the stored expiry.
    await until('the unrenewed lease is no longer held', () => !a.lease.held, 5_000);
    expect(Date.now()).toBeLessThan(stored!.expiresAt.getTime());

    // A second instance cannot take a lease that has not expired, and can once it has.
    const b = await instance('instance-b');
    expect(await b.lease.acquire()).toBe(false);
    await until('the stored lease has expired', () => Date.now() > stored!.expiresAt.getTime(), 5_000);
    expect(await b.lease.acquire()).toBe(true);
    expect(await a.lease.acquire()).toBe(false);
    expect(await a.connection.db!.collection(LEASE_COLLECTION).countDocuments()).toBe(1);
  }, 30_000);

  it('refuses a heartbeat longer than half the lease', async () => {
    const connection = await openConnection({ uri: db.uri, dbName });
    try {
      expect(() => new OutboxLease(connection, { leaseMs: 1000, heartbeatMs: 600 })).toThrow(/at most half the lease/);
    } finally {
      await connection.close();
    }
  });
});
