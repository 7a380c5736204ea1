import { startTestDatabase, TestDatabase, uniqueDbName } from '@suite/testing';
import { Connection } from 'mongoose';
import pino from 'pino';
import { openConnection } from '../persistence.module';
import { TenantModelRegistry } from '../tenant-model-registry';
import { IdempotencyKeyRepository } from './idempotency-key.repository';
import { IDEMPOTENCY_KEY_ENTITY } from './idempotency-key.schema';
import { Claim, HeldKey, IdempotencyKeys, IdempotencyOptions } from './idempotency-keys';
import type { StoredOutcome } from './stored-outcome';

const CREATED: StoredOutcome = { kind: 'response', status: 201, headers: [['Location', '/x/1']], body: '{"id":"1"}' };

function held(claim: Claim): HeldKey {
  if (claim.kind !== 'acquired') throw new Error(`expected to acquire the key, got ${claim.kind}`);
  return claim.held;
}

describe('IdempotencyKeys against the embedded server', () => {
  let db: TestDatabase;
  let connection: Connection;
  let registry: TenantModelRegistry;
  let records: IdempotencyKeyRepository;
  const logger = pino({ level: 'silent' });
  const keys = (options: Partial<IdempotencyOptions> = {}) => new IdempotencyKeys(records, options, logger);
  const stored = (tenant: string, id: string) => registry.model(tenant, IDEMPOTENCY_KEY_ENTITY).findById(id).lean().exec();
  let n = 0;
  const newId = () => `id-${++n}`;

  beforeAll(async () => {
    db = await startTestDatabase();
    connection = await openConnection({ uri: db.uri, dbName: uniqueDbName('idempotency') });
    registry = new TenantModelRegistry(connection);
    records = new IdempotencyKeyRepository(registry);
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
    await db.stop();
  });

  it('runs a new key, then replays its outcome for the same fingerprint and refuses another fingerprint', async () => {
    const k = keys();
    const id = newId();
    const first = held(await k.claim('alpha', id, 'fp'));
    expect(await stored('alpha', id)).toMatchObject({ state: 'running', fingerprint: 'fp', lockedUntil: expect.any(Date) });
    await first.complete(CREATED);
    const doc = await stored('alpha', id);
    expect(doc).toMatchObject({ state: 'done', outcome: CREATED });
    expect(doc).not.toHaveProperty('lockedUntil');
    expect(doc!.expiresAt.getTime() - doc!.createdAt.getTime()).toBe(24 * 3600 * 1000);
    expect(await k.claim('alpha', id, 'fp')).toEqual({ kind: 'replay', outcome: CREATED });
    expect(await k.claim('alpha', id, 'other')).toEqual({ kind: 'mismatch' });
  });

  it('keeps tenants apart: the same record id in another tenant is a new key', async () => {
    const k = keys();
    const id = newId();
    await held(await k.claim('alpha', id, 'fp')).complete(CREATED);
    const other = held(await k.claim('beta', id, 'different'));
    await other.release();
    expect(await stored('beta', id)).toBeNull();
    expect(await stored('alpha', id)).toMatchObject({ state: 'done' });
  });

  it('creates the collection with its TTL index on the first claim, never on a read', async () => {
    expect(await records.find('gamma', 'nothing')).toBeNull();
    expect(await registry.tenantCollections('gamma')).toEqual([]);
    await held(await keys().claim('gamma', newId(), 'fp')).release();
    expect(await registry.tenantCollections('gamma')).toEqual(['gamma_idempotency_keys']);
    const indexes = await connection.db!.collection('gamma_idempotency_keys').indexes();
    expect(indexes).toContainEqual(expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }));
  });

  it('a released key runs again (after a 5xx)', async () => {
    const k = keys();
    const id = newId();
    await held(await k.claim('alpha', id, 'fp')).release();
    expect(await stored('alpha', id)).toBeNull();
    await held(await k.claim('alpha', id, 'fp')).complete(CREATED);
  });

  it('a duplicate waits for the running first request and gets its outcome', async () => {
    const k = keys({ waitMs: 5000 });
    const id = newId();
    const first = held(await k.claim('alpha', id, 'fp'));
    const waiting = k.claim('alpha', id, 'fp');
    setTimeout(() => void first.complete(CREATED), 150);
    const started = Date.now();
    expect(await waiting).toEqual({ kind: 'replay', outcome: CREATED });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('a duplicate waiting in another process (no wake-up) finds the outcome by polling', async () => {
    const id = newId();
    const first = held(await keys().claim('alpha', id, 'fp'));
    const waiting = keys({ waitMs: 5000, pollIntervalMs: 50 }).claim('alpha', id, 'fp');
    setTimeout(() => void first.complete(CREATED), 200);
    expect(await waiting).toEqual({ kind: 'replay', outcome: CREATED });
  });

  it('a duplicate of a released first request runs itself', async () => {
    const k = keys({ waitMs: 5000 });
    const id = newId();
    const first = held(await k.claim('alpha', id, 'fp'));
    const waiting = k.claim('alpha', id, 'fp');
    setTimeout(() => void first.release(), 100);
    const second = held(await waiting);
    await second.complete(CREATED);
    expect(await stored('alpha', id)).toMatchObject({ state: 'done' });
  });

  it('gives up waiting after waitMs: busy', async () => {
    const k = keys({ waitMs: 150 });
    const id = newId();
    const first = held(await k.claim('alpha', id, 'fp'));
    const started = Date.now();
    expect(await k.claim('alpha', id, 'fp')).toEqual({ kind: 'busy' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // A different request with the key is refused at once, running or not.
    expect(await k.claim('alpha', id, 'other')).toEqual({ kind: 'mismatch' });
    await first.release();
  });

  it('renews the lease while the first request runs, so a long request keeps its key', async () => {
    const k = keys({ leaseMs: 300, waitMs: 0 });
    const id = newId();
    const first = held(await k.claim('alpha', id, 'fp'));
    const leased = (await stored('alpha', id))!.lockedUntil!.getTime();
    await new Promise((r) => setTimeout(r, 700));
    expect((await stored('alpha', id))!.lockedUntil!.getTime()).toBeGreaterThan(leased + 300);
    expect(await k.claim('alpha', id, 'fp')).toEqual({ kind: 'busy' });
    await first.complete(CREATED);
    expect((await k.claim('alpha', id, 'fp')).kind).toBe('replay');
  });

  it('takes over a key whose holder stopped renewing (a crash), once; the old holder can no longer complete it', async () => {
    const id = newId();
    const crashed = held(await keys({ leaseMs: 100 }).claim('alpha', id, 'fp'));
    const crashedOwner = (await stored('alpha', id))!.owner;
    crashed.abandon(); // stops the renewals, as a dead process would
    await new Promise((r) => setTimeout(r, 150));
    // Other processes, whose leases are long: one takes the key over, the others find it running.
    const others = keys({ waitMs: 0 });
    const claims = await Promise.all(Array.from({ length: 10 }, () => others.claim('alpha', id, 'fp')));
    expect(claims.map((c) => c.kind).sort()).toEqual(['acquired', ...Array(9).fill('busy')]);
    const owner = (await stored('alpha', id))!.owner;
    expect(owner).not.toBe(crashedOwner);
    expect(await records.complete('alpha', id, crashedOwner, CREATED, new Date())).toBe(false);
    await held(claims.find((c) => c.kind === 'acquired')!).complete(CREATED);
    expect(await stored('alpha', id)).toMatchObject({ owner, state: 'done', outcome: CREATED });
  });

  it('ignores and overwrites a record past its retention, whatever its fingerprint', async () => {
    const k = keys({ retentionMs: 100 });
    const id = newId();
    await held(await k.claim('alpha', id, 'fp')).complete(CREATED);
    await new Promise((r) => setTimeout(r, 150));
    const again = held(await k.claim('alpha', id, 'other'));
    expect(await stored('alpha', id)).toMatchObject({ state: 'running', fingerprint: 'other' });
    await again.release();
  });

  it('of 50 concurrent claims of one new key exactly one runs; the others get its outcome', async () => {
    const k = keys({ waitMs: 5000 });
    const id = newId();
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const claim = await k.claim('alpha', id, 'fp');
        if (claim.kind === 'acquired') {
          runs++;
          await new Promise((r) => setTimeout(r, 50));
          await claim.held.complete(CREATED);
          return 'ran';
        }
        return claim.kind;
      }),
    );
    expect(runs).toBe(1);
    expect(results.filter((r) => r === 'replay')).toHaveLength(49);
  });
});
