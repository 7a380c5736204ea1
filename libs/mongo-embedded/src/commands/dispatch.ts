// The command table and the one entry point that turns a request body into a reply document.
// It never throws: handler errors become `{ ok: 0, code, codeName, errmsg }`, unexpected
// exceptions become code 1 InternalError, so one bad command cannot take the server down.

import { CommandError, Codes } from '../errors';
import { parseCollation } from '../storage/collation';
import { Doc, isPlainObject } from '../storage/paths';
import { adminCommands, transactionsRefused } from './admin';
import { catalogCommands } from './catalog';
import { CommandContext, Handler } from './context';
import { readCommands } from './read';
import { sessionsOf } from './sessions';
import { refuseOnView } from './views';
import { writeCommands } from './write';

const COMMANDS: Record<string, Handler> = {
  ...adminCommands,
  ...catalogCommands,
  ...readCommands,
  ...writeCommands,
};

/** Generic fields every command may carry; they are accepted and ignored. */
const GENERIC_FIELDS = new Set([
  '$db',
  'lsid',
  '$readPreference',
  '$clusterTime',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'writeConcern',
  'readConcern',
  'comment',
  '$client',
  'maxTimeMSOpOnly',
]);

/** Names of the supported commands (for docs and tests). */
export const SUPPORTED_COMMANDS = Object.keys(COMMANDS);

function nonSimpleCollation(c: unknown): boolean {
  return c !== undefined && c !== null && !(isPlainObject(c) && c.locale === 'simple');
}

/** Commands that apply their `collation` themselves (`update`/`delete` statements carry their own). */
const COLLATION_AWARE = new Set(['find', 'aggregate', 'count', 'distinct', 'findAndModify', 'findandmodify']);

/**
 * Collations change how strings compare: a command that does not apply one refuses a non-simple
 * collation instead of silently comparing binary. A collection or view default collation (`create`)
 * is refused too: every operation and index on the collection would have to inherit it (index
 * collations are refused at creation).
 */
function refuseCollation(name: string, body: Doc): void {
  if (COLLATION_AWARE.has(name) || body.collation === undefined) return;
  if (name === 'create') {
    if (!parseCollation(body.collation, 'create.collation')) return;
    throw new CommandError(
      Codes.CommandNotSupported,
      "The embedded server does not support a default collation for collections and views (the 'collation' option of create); " +
        'pass the collation with each operation instead.',
    );
  }
  if (nonSimpleCollation(body.collation)) {
    const msg = `The embedded server does not support a collation on '${name}' (only the simple binary collation).`;
    throw new CommandError(Codes.CommandNotSupported, msg);
  }
}

export function runCommand(ctx: Omit<CommandContext, 'dbName'>, body: Doc, defaultDb = 'admin'): Doc {
  const reply = execute(ctx, body, defaultDb);
  if (isPlainObject(body)) {
    const name = Object.keys(body)[0];
    if (name !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, name)) {
      let counts = ctx.engine.commandCounts.get(name);
      if (!counts) ctx.engine.commandCounts.set(name, (counts = { total: 0, failed: 0 }));
      counts.total++;
      if (reply.ok !== 1) counts.failed++;
    }
  }
  return reply;
}

function execute(ctx: Omit<CommandContext, 'dbName'>, body: Doc, defaultDb: string): Doc {
  try {
    if (!isPlainObject(body) || Object.keys(body).length === 0) throw new CommandError(Codes.FailedToParse, 'Command body is empty');
    const name = Object.keys(body)[0];
    const dbName = typeof body.$db === 'string' ? body.$db : defaultDb;
    // A standalone server has no transactions; refuse them instead of running the statements
    // outside of one (which would silently break atomicity the caller relies on).
    if (body.startTransaction !== undefined || body.autocommit !== undefined || body.txnNumber !== undefined) throw transactionsRefused();
    const handler = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!handler) throw new CommandError(Codes.CommandNotFound, `no such command: '${name}'`);
    // MongoDB registers a command's session before running it (`$listLocalSessions` lists it).
    sessionsOf(ctx.engine).touch(body.lsid);
    refuseCollation(name, body);
    const clean: Doc = {};
    // `aggregate` keeps its read concern: `$out`/`$merge` refuse 'linearizable', as MongoDB does.
    for (const k of Object.keys(body)) if (!GENERIC_FIELDS.has(k) || (k === 'readConcern' && name === 'aggregate')) clean[k] = body[k];
    const full = { ...ctx, dbName };
    const reply = refuseOnView(full, name, clean) ?? handler(full, clean);
    reply.ok = 1;
    return reply;
  } catch (e) {
    if (e instanceof CommandError) return e.toReply();
    return new CommandError(Codes.InternalError, 'internal error: ' + (e instanceof Error ? e.message : String(e))).toReply();
  }
}
