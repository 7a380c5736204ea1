/**
 * `npm run migrate`: creates the declared indexes of every existing tenant collection of the four
 * services (and of their shared collections) on the MongoDB of MONGODB_URI, idempotently, and reports
 * every index whose existing definition differs from the declared one. Such an index is left in
 * place unless `--apply-changes` is given; then it is dropped and rebuilt as declared.
 *
 * Exit codes: 0 every declared index exists as declared; 2 a difference remains (reported, not
 * changed), so that CI or compose notices; 1 a failure (no database, an index the server refused
 * to build).
 */
import { MongoClient } from 'mongodb';
import { IndexReportEntry, migrateIndexes, MigrationReport, StorageDeclaration } from '@suite/persistence';
import { CATEGORY_STORAGE } from '../apps/category/src/category.entities';
import { COUPON_STORAGE } from '../apps/coupon/src/coupon.entities';
import { CUSTOMER_SEGMENT_STORAGE } from '../apps/customer-segment/src/customer-segment.entities';
import { WEBHOOK_STORAGE } from '../apps/webhook/src/webhook.entities';

/** The services' storage declarations, in the order they are migrated and reported. */
export const STORAGES: readonly StorageDeclaration[] = [CUSTOMER_SEGMENT_STORAGE, COUPON_STORAGE, CATEGORY_STORAGE, WEBHOOK_STORAGE];

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_DIFFERENCES = 2;

const USAGE = `Usage: MONGODB_URI=mongodb://host:27017 npm run migrate [-- --apply-changes] [--json]

Creates the declared indexes of every tenant collection of customer-segment, coupon, category and
webhook (and of the shared collections), idempotently, and reports indexes whose definition differs.

  --apply-changes  drop each index whose definition differs and build it as declared
                   (an operator's decision on large collections: queries lose the index meanwhile)
  --json           print the report as JSON instead of text

Exit codes: 0 all declared indexes exist as declared; 2 differences reported and left in place;
1 failure (database unreachable, an index the server refused to build).
`;

export interface MigrateCliOptions {
  uri: string;
  applyChanges: boolean;
  json: boolean;
}

/** Parses the command line; a string is the message to print and exit 1 with. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): MigrateCliOptions | string {
  const known = new Set(['--apply-changes', '--json', '--help', '-h']);
  const unknown = argv.filter((a) => !known.has(a));
  if (argv.includes('--help') || argv.includes('-h')) return USAGE;
  if (unknown.length) return `unknown option(s): ${unknown.join(' ')}\n\n${USAGE}`;
  const uri = env.MONGODB_URI ?? '';
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) return `MONGODB_URI is required and must be a mongodb:// URI\n\n${USAGE}`;
  return { uri, applyChanges: argv.includes('--apply-changes'), json: argv.includes('--json') };
}

/** The exit code a report calls for. */
export function exitCodeOf(report: MigrationReport): number {
  if (report.indexes.some((i) => i.outcome === 'failed')) return EXIT_FAILED;
  if (report.indexes.some((i) => i.outcome === 'conflict')) return EXIT_DIFFERENCES;
  return EXIT_OK;
}

const show = (value: unknown) => JSON.stringify(value);

/** The report as an operator reads it: per service and collection, then notes and a summary. */
export function formatReport(report: MigrationReport, storages: readonly StorageDeclaration[] = STORAGES): string {
  const lines: string[] = [];
  for (const storage of storages) {
    lines.push(`${storage.service} (database ${storage.database})`);
    const entries = report.indexes.filter((i) => i.database === storage.database);
    if (!entries.length) lines.push('  no collections yet');
    const byCollection = new Map<string, IndexReportEntry[]>();
    for (const e of entries) byCollection.set(e.collection, [...(byCollection.get(e.collection) ?? []), e]);
    for (const [collection, list] of byCollection) {
      lines.push(`  ${collection}`);
      for (const outcome of ['created', 'existed', 'replaced'] as const) {
        const names = list.filter((e) => e.outcome === outcome).map((e) => e.index);
        if (names.length) lines.push(`    ${outcome.padEnd(9)}${names.join(', ')}`);
      }
      for (const e of list.filter((x) => x.outcome === 'conflict' || x.outcome === 'failed')) {
        if (e.outcome === 'conflict') {
          lines.push(`    CONFLICT ${e.index}: ${e.reason}`);
          lines.push(`               declared ${show(e.declared)}`);
          if (e.existing) lines.push(`               existing ${show(e.existing)}`);
        } else {
          lines.push(`    FAILED   ${e.index}: ${e.error}`);
        }
      }
    }
  }
  for (const u of report.undeclared) {
    lines.push(`note: ${u.database}.${u.collection} has index ${u.index} ${show(u.definition)}, which no code declares (left in place)`);
  }
  for (const c of report.unknownCollections) {
    lines.push(`note: ${c.database}.${c.collection} is not a tenant collection of a declared entity (left alone)`);
  }
  const count = (o: IndexReportEntry['outcome']) => report.indexes.filter((i) => i.outcome === o).length;
  lines.push(
    `${count('created')} created, ${count('existed')} existed, ${count('conflict')} differing, ` +
      `${count('replaced')} replaced, ${count('failed')} failed`,
  );
  if (count('conflict')) {
    lines.push(
      `${count('conflict')} index(es) differ from their declaration and were left in place: review them, then rerun with ` +
        '--apply-changes to drop and rebuild them as declared (or change them by hand).',
    );
  }
  return lines.join('\n') + '\n';
}

/** Runs the command: the report goes to `out`, usage and failures to `err`; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const options = parseArgs(argv, env);
  if (typeof options === 'string') {
    const help = argv.includes('--help') || argv.includes('-h');
    (help ? out : err)(options);
    return help ? EXIT_OK : EXIT_FAILED;
  }
  // A timeout in the URI wins; otherwise an unreachable database fails in 5 s, not the driver's 30 s.
  const client = new MongoClient(options.uri, /serverSelectionTimeoutMS=/i.test(options.uri) ? {} : { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const report = await migrateIndexes((name) => client.db(name), STORAGES, { applyChanges: options.applyChanges });
    out(options.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return exitCodeOf(report);
  } catch (e) {
    err(`migrate failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  } finally {
    await client.close().catch(() => undefined);
  }
}

if (require.main === module) {
  const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);
  void main(process.argv.slice(2), process.env, write(process.stdout), write(process.stderr)).then((code) => {
    process.exitCode = code;
  });
}
