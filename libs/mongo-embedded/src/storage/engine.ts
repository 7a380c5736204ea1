// The catalog: databases and their collections. Collections and databases are created
// implicitly by writes, as in MongoDB. Every catalog change goes to the write log (journal).

import { CommandError, Codes } from '../errors';
import { Collection, WriteLog } from './collection';
import { Doc } from './paths';

export class Database {
  readonly collections = new Map<string, Collection>();

  constructor(
    readonly name: string,
    private readonly log: WriteLog,
  ) {}

  get(name: string): Collection | undefined {
    return this.collections.get(name);
  }

  /** Creates the collection; throws NamespaceExists if it exists. */
  create(name: string, options: Doc = {}, journal = true): Collection {
    validateCollectionName(this.name, name);
    if (this.collections.has(name)) throw new CommandError(Codes.NamespaceExists, `Collection ${this.name}.${name} already exists.`);
    const coll = new Collection(this.name, name, options, this.log);
    this.collections.set(name, coll);
    if (journal) this.log({ op: 'cc', db: this.name, c: name, options });
    return coll;
  }

  /** The collection, created implicitly when missing (insert, upsert, createIndexes). */
  getOrCreate(name: string): Collection {
    return this.collections.get(name) ?? this.create(name);
  }

  drop(name: string, journal = true): boolean {
    const existed = this.collections.delete(name);
    if (existed && journal) this.log({ op: 'dc', db: this.name, c: name });
    return existed;
  }
}

export class Engine {
  readonly databases = new Map<string, Database>();
  /** Receives every mutation; the journal replaces it when a data dir is used. */
  sink: WriteLog = () => undefined;
  /**
   * Whether commands may take the fast paths of commands/fast-paths.ts. They answer exactly as
   * the general path does; tests switch them off to compare both on the same inputs.
   */
  fastPaths = true;
  /** How many commands (`find`, `findAndModify`) and update statements the fast paths answered. */
  readonly fastPathHits = { find: 0, update: 0, findAndModify: 0 };
  /** Commands run and failed, by name: `serverStatus.metrics.commands`, as MongoDB reports them. */
  readonly commandCounts = new Map<string, { total: number; failed: number }>();
  private readonly log: WriteLog = (r) => this.sink(r);

  db(name: string): Database {
    let db = this.databases.get(name);
    if (!db) {
      validateDbName(name);
      db = new Database(name, this.log);
      this.databases.set(name, db);
    }
    return db;
  }

  /** The database if it exists, without creating it. */
  peek(name: string): Database | undefined {
    return this.databases.get(name);
  }

  /** Moves a collection (with its documents and indexes) to a new namespace. */
  rename(fromDb: string, fromName: string, toDb: string, toName: string, journal = true): void {
    const src = this.databases.get(fromDb);
    const coll = src?.get(fromName);
    if (!src || !coll) throw new CommandError(Codes.NamespaceNotFound, `Source collection ${fromDb}.${fromName} does not exist`);
    const target = this.db(toDb);
    src.collections.delete(fromName);
    coll.db = toDb;
    coll.name = toName;
    target.collections.set(toName, coll);
    if (journal) this.log({ op: 'rn', db: fromDb, c: fromName, toDb, to: toName });
  }

  dropDatabase(name: string, journal = true): void {
    if (this.databases.delete(name) && journal) this.log({ op: 'dd', db: name });
  }
}

function validateDbName(name: string): void {
  if (!name || name.length > 63 || /[/\\. "$\0]/.test(name)) {
    throw new CommandError(Codes.InvalidNamespace, `Invalid database name: '${name}'`);
  }
}

function validateCollectionName(db: string, name: string): void {
  if (
    typeof name !== 'string' ||
    !name ||
    name.includes('\0') ||
    name.startsWith('.') ||
    name.includes('$') ||
    name.startsWith('system.')
  ) {
    throw new CommandError(Codes.InvalidNamespace, `Invalid collection name: ${db}.${String(name)}`);
  }
}
