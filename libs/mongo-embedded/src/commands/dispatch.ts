// The command table and the one entry point that turns a request body into a reply document.
// It never throws: handler errors become `{ ok: 0, code, codeName, errmsg }`, unexpected
// exceptions become code 1 InternalError, so one bad command cannot take the server down.

import { CommandError, Codes } from '../errors';
import { Doc, isPlainObject } from '../storage/paths';
import { adminCommands, transactionsRefused } from './admin';
import { catalogCommands } from './catalog';
import { CommandContext, Handler } from './context';
import { readCommands } from './read';
import { writeCommands } from './write';

const COMMANDS: Record<string, Handler> = {
  ...adminCommands,
  ...catalogCommands,
  ...readCommands,
  ...writeCommands,
};

/** Generic fields every command may carry; they are accepted and ignored. */
const GENERIC_FIELDS = ['$db', 'lsid', '$readPreference', '$clusterTime', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'writeConcern', 'readConcern', 'comment', '$client', 'maxTimeMSOpOnly'];

/** Names of the supported commands (for docs and tests). */
export const SUPPORTED_COMMANDS = Object.keys(COMMANDS);

function nonSimpleCollation(c: unknown): boolean {
  return c !== undefined && c !== null && !(isPlainObject(c) && c.locale === 'simple');
}

/**
 * Collations change how strings compare; without an implementation the server would silently
 * compare binary, so a request for one fails instead (index collations are refused at creation).
 */
function refuseCollation(body: Doc): void {
  const stmts = [body, ...(['updates', 'deletes'] as const).flatMap((f) => (Array.isArray(body[f]) ? (body[f] as Doc[]) : []))];
  for (const s of stmts) {
    if (isPlainObject(s) && nonSimpleCollation(s.collation)) {
      throw new CommandError(Codes.CommandNotSupported, 'Collations are not supported by the embedded server (only the simple binary collation).');
    }
  }
}

export function runCommand(ctx: Omit<CommandContext, 'dbName'>, body: Doc, defaultDb = 'admin'): Doc {
  try {
    if (!isPlainObject(body) || Object.keys(body).length === 0) throw new CommandError(Codes.FailedToParse, 'Command body is empty');
    const name = Object.keys(body)[0];
    const dbName = typeof body.$db === 'string' ? body.$db : defaultDb;
    // A standalone server has no transactions; refuse them instead of running the statements
    // outside of one (which would silently break atomicity the caller relies on).
    if (body.startTransaction !== undefined || body.autocommit !== undefined || body.txnNumber !== undefined) throw transactionsRefused();
    const handler = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!handler) throw new CommandError(Codes.CommandNotFound, `no such command: '${name}'`);
    refuseCollation(body);
    const clean: Doc = {};
    for (const k of Object.keys(body)) if (!GENERIC_FIELDS.includes(k)) clean[k] = body[k];
    const reply = handler({ ...ctx, dbName }, clean);
    reply.ok = 1;
    return reply;
  } catch (e) {
    if (e instanceof CommandError) return e.toReply();
    return new CommandError(Codes.InternalError, 'internal error: ' + (e instanceof Error ? e.message : String(e))).toReply();
  }
}
