import { execFile } from 'node:child_process';
import path from 'node:path';
import { bearer, httpRequest, ServiceHarness, startServiceHarness } from '@suite/testing';
import { Db, MongoClient } from 'mongodb';
import { AppModule } from '../apps/customer-segment/src/app.module';
import { DATABASE_NAME, loadCustomerSegmentConfig } from '../apps/customer-segment/src/config/customer-segment.config';
import { SEGMENT_SCOPES } from '../apps/customer-segment/src/customer-segment.scopes';

// `npm run migrate` as it runs in CI or compose: the compiled tools/migrate.js (jest's global setup
// builds dist/ first) as a child process against the database an app writes to over HTTP.
const MIGRATE = path.join(__dirname, '..', 'dist', 'tools', 'migrate.js');

function migrate(uri: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MIGRATE, ...args], { env: { ...process.env, MONGODB_URI: uri } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

describe('index migration (npm run migrate) and indexes changed under a running app', () => {
  let h: ServiceHarness;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    h = await startServiceHarness({
      service: 'customer-segment',
      peerUrlEnv: 'CATEGORY_URL',
      build: (env, logger) => AppModule.forRoot(loadCustomerSegmentConfig(env), logger),
    });
    client = await MongoClient.connect(h.db.uri);
    db = client.db(DATABASE_NAME);
  }, 60000);
  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
    await h?.close();
  });

  const createSegment = async (tenant: string, id: string) =>
    httpRequest(`${h.url}/customer-segment/${tenant}/segments`, 'POST', {
      headers: await bearer({ tenant, scopes: [SEGMENT_SCOPES.manage] }),
      body: { id, name: { en: id }, status: 'ACTIVE', siteCode: 'main' },
    });
  const indexNames = async (collection: string) =>
    (await db.collection(collection).listIndexes().toArray()).map((i) => `${i.name} ${JSON.stringify(i.key)}`).sort();

  it('serves a write when a tenant collection holds an index with another definition, and migrate reports it (exit 2)', async () => {
    // The collection predates a change of the `status_1` declaration.
    await db.collection('acme_segments').createIndex({ status: -1 }, { name: 'status_1' });

    const first = await createSegment('acme', 'gold');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'gold' });
    expect((await createSegment('acme', 'silver')).status).toBe(201);
    // The other declared index was created; the conflicting one was left as it was.
    expect(await indexNames('acme_segments')).toEqual(['_id_ {"_id":1}', 'siteCode_1 {"siteCode":1}', 'status_1 {"status":-1}']);
    expect((await createSegment('globex', 'gold')).status).toBe(201);
    expect(await indexNames('globex_segments')).toEqual(['_id_ {"_id":1}', 'siteCode_1 {"siteCode":1}', 'status_1 {"status":1}']);

    const run = await migrate(h.db.uri);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('customer-segment (database customer_segment)');
    const conflict = run.stdout.slice(run.stdout.indexOf('  acme_segments\n'));
    expect(conflict).toMatch(/^ {2}acme_segments\n {4}existed {2}siteCode_1\n {4}CONFLICT status_1: same name, different definition\n/);
    expect(conflict).toContain('declared {"key":{"status":1},"name":"status_1"}\n');
    expect(conflict).toContain('existing {"key":{"status":-1},"name":"status_1"}\n');
    // Every collection of the running customer-segment app was complete (its `rule_jobs` index made
    // at boot among them); the coupon, category and webhook databases get their outbox and
    // rate-limit counters, coupon its code-guessing counters and webhook its delivery schedule
    // (`destinations`, two indexes).
    expect(run.stdout).toContain('9 created, 6 existed, 1 differing, 0 replaced, 0 failed');
    expect(run.stdout).toContain('--apply-changes');
    // Reported, not changed.
    expect(await indexNames('acme_segments')).toContain('status_1 {"status":-1}');
  });

  it('rebuilds the index as declared with --apply-changes (exit 0); a second run changes nothing', async () => {
    const applied = await migrate(h.db.uri, '--apply-changes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/acme_segments\n {4}existed {2}siteCode_1\n {4}replaced status_1\n/);
    expect(await indexNames('acme_segments')).toContain('status_1 {"status":1}');

    const again = await migrate(h.db.uri, '--json');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.indexes.length).toBeGreaterThan(0);
    expect(report.indexes.filter((i: { outcome: string }) => i.outcome !== 'existed')).toEqual([]);
    expect((await createSegment('acme', 'bronze')).status).toBe(201);
  });

  it('fails with exit 1 and a message when the database cannot be reached', async () => {
    const run = await migrate('mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('migrate failed');
  });
});
