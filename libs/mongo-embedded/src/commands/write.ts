// Write commands: insert, update, delete (ordered/unordered batches with per-statement
// `writeErrors`) and findAndModify. Each command runs synchronously from start to reply, so a
// guarded `findAndModify`/`update` (e.g. `{count: {$lt: 50}}` + `$inc`) is atomic: no other
// command can interleave between the match and the write.

import { ObjectId } from 'bson';
import { CommandError, Codes } from '../errors';
import { collationOf, refuseUncollated, refuseUncollatedProjection, refuseUncollatedUpdate } from '../storage/collation';
import { Collection } from '../storage/collection';
import { Doc, idFirst, isPlainObject } from '../storage/paths';
import { compileFilter, compileProjection, FilterMemo, parseSort, Row, scan, sortDocs } from '../storage/query';
import { applyUpdate, applyUpdateMany, buildUpsertDoc, validateStoredDoc, validateUpdate } from '../storage/update';
import { validateForWrite } from '../storage/validation';
import { checkFilterVariables, checkPipelineVariables, letVariables } from '../storage/variables';
import { collName, CommandContext, Handler, optBool, optDoc } from './context';
import { fastFindAndModify, fastUpdateStatement } from './fast-paths';

function statements(body: Doc, field: string): Doc[] {
  const v = body[field];
  if (!Array.isArray(v)) throw new CommandError(Codes.FailedToParse, `BSON field '${field}' is missing but a required field`);
  if (v.length > 100000)
    throw new CommandError(Codes.InvalidOptions, `Write batch sizes must be between 1 and 100000. Got ${v.length} operations.`);
  return v.map((s, i) => {
    if (!isPlainObject(s))
      throw new CommandError(Codes.TypeMismatch, `BSON field '${field}.${i}' is the wrong type, expected type 'object'`);
    return s;
  });
}

function ordered(body: Doc): boolean {
  return body.ordered === undefined ? true : body.ordered !== false;
}

function asCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  return new CommandError(Codes.InternalError, e instanceof Error ? e.message : String(e));
}

/** Prepares a document for insertion: `_id` generated when absent and moved first. */
function prepareInsert(doc: Doc): Doc {
  const out = doc._id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc);
  validateStoredDoc(out);
  return out;
}

function finishBatch(reply: Doc, errors: Doc[]): Doc {
  if (errors.length) reply.writeErrors = errors;
  return reply;
}

/** Applies one update statement's change to the matched rows; returns [matched, modified]. */
function updateRows(
  coll: Collection,
  rows: Row[],
  u: Doc | Doc[],
  opts: { arrayFilters?: Doc[]; filter: Doc; variables?: Doc },
  bypass = false,
): [number, number] {
  const { results, error } = applyUpdateMany(
    rows.map((r) => r.doc),
    u,
    opts,
  );
  let modified = 0;
  for (let i = 0; i < results.length; i++) {
    if (!results[i].modified) continue;
    // Documents before a failing one stay updated, as in MongoDB's multi-updates.
    validateForWrite(coll, results[i].doc, { bypass, before: rows[i].doc });
    coll.replace(rows[i].rid, results[i].doc);
    modified++;
  }
  if (error) throw error;
  return [rows.length, modified];
}

/**
 * The fields of an update statement MongoDB 7.0 knows. Its parser refuses any other one, `sort`
 * included (8.0 added it for `updateOne`/`replaceOne`), and fails the whole command.
 */
const UPDATE_STATEMENT_FIELDS = new Set([
  'q',
  'u',
  'c',
  'arrayFilters',
  'hint',
  'multi',
  'upsert',
  'upsertSupplied',
  'collation',
  'sampleId',
  '$_allowShardKeyUpdatesWithoutFullShardKey',
]);

function checkUpdateStatementFields(stmts: Doc[]): void {
  for (const s of stmts) {
    for (const k of Object.keys(s)) {
      if (!UPDATE_STATEMENT_FIELDS.has(k)) throw new CommandError(40415, `BSON field 'update.updates.${k}' is an unknown field.`);
    }
    // An internal option (upsert the document in `c.new`) this server does not implement.
    if (s.upsertSupplied === true) {
      throw new CommandError(Codes.CommandNotSupported, "The embedded server does not support 'upsertSupplied' in update statements.");
    }
  }
}

/**
 * A command's `let`, evaluated on first use. MongoDB evaluates it per statement, so an invalid
 * `let` is a write error of each statement rather than a command error.
 */
function lazyLet(body: Doc, cmd: string): () => Doc | undefined {
  let done: { vars?: Doc; error?: unknown } | null = null;
  return () => {
    if (!done) {
      try {
        done = { vars: letVariables(body, cmd) };
      } catch (error) {
        done = { error };
      }
    }
    if (done.error) throw done.error;
    return done.vars;
  };
}

/** The variables a pipeline update reads: the command's `let` and the statement's constants `c`. */
function statementVariables(lets: Doc | undefined, s: Doc): Doc | undefined {
  const c = optDoc(s, 'c');
  return c ? { ...lets, ...c } : lets;
}

function arrayFiltersOf(s: Doc): Doc[] | undefined {
  const af = s.arrayFilters;
  if (af === undefined || af === null) return undefined;
  if (!Array.isArray(af) || !af.every(isPlainObject))
    throw new CommandError(Codes.TypeMismatch, "BSON field 'arrayFilters' must be an array of objects");
  return af as Doc[];
}

export const writeCommands: Record<string, Handler> = {
  insert: (ctx, body) => {
    const name = collName(body, 'insert');
    const docs = statements(body, 'documents');
    const bypass = optBool(body, 'bypassDocumentValidation');
    const coll = ctx.engine.db(ctx.dbName).getOrCreate(name);
    const errors: Doc[] = [];
    let n = 0;
    for (let i = 0; i < docs.length; i++) {
      try {
        const doc = prepareInsert(docs[i]);
        validateForWrite(coll, doc, { bypass });
        coll.insert(doc);
        n++;
      } catch (e) {
        errors.push(asCommandError(e).toWriteError(i));
        if (ordered(body)) break;
      }
    }
    return finishBatch({ n }, errors);
  },

  update: (ctx, body) => {
    const name = collName(body, 'update');
    const stmts = statements(body, 'updates');
    const bypass = optBool(body, 'bypassDocumentValidation');
    checkUpdateStatementFields(stmts);
    const letOf = lazyLet(body, 'update');
    const db = ctx.engine.db(ctx.dbName);
    const errors: Doc[] = [];
    const upserted: Doc[] = [];
    const memo: FilterMemo | undefined = stmts.length > 1 ? new Map() : undefined;
    // Statements of a command without `let` may take the fast path (fast-paths.ts).
    const fast = ctx.engine.fastPaths && body.let === undefined;
    let n = 0;
    let nModified = 0;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      try {
        const done = fast ? fastUpdateStatement(ctx.engine, db.get(name), s, bypass) : null;
        if (done) {
          n += done.n;
          nModified += done.nModified;
          if (done.upserted !== undefined) upserted.push({ index: i, _id: done.upserted });
          continue;
        }
        const filter = optDoc(s, 'q') ?? {};
        const multi = s.multi === true;
        const u = validateUpdate(s.u, multi);
        const arrayFilters = arrayFiltersOf(s);
        const collation = collationOf(s, 'update.updates');
        refuseUncollated(collation, filter);
        refuseUncollatedUpdate(collation, s.u, s.arrayFilters);
        const lets = letOf();
        const variables = statementVariables(lets, s);
        checkFilterVariables(filter, lets);
        if (Array.isArray(u)) checkPipelineVariables(u, variables);
        const coll = db.get(name);
        if (!coll) compileFilter(filter, undefined, undefined, collation);
        const rows = coll ? scan(coll, filter, { stopAfter: multi ? undefined : 1, memo, variables: lets, collation }) : [];
        if (rows.length > 0 && coll) {
          const [matched, modified] = updateRows(coll, rows, u, { arrayFilters, filter, variables }, bypass);
          n += matched;
          nModified += modified;
        } else if (s.upsert === true) {
          const doc = buildUpsertDoc(filter, u, arrayFilters, variables);
          const target = db.getOrCreate(name);
          validateForWrite(target, doc, { bypass });
          target.insert(doc);
          upserted.push({ index: i, _id: doc._id });
          n++;
        }
      } catch (e) {
        errors.push(asCommandError(e).toWriteError(i));
        if (ordered(body)) break;
      }
    }
    const reply: Doc = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    return finishBatch(reply, errors);
  },

  delete: (ctx, body) => {
    const name = collName(body, 'delete');
    const stmts = statements(body, 'deletes');
    const letOf = lazyLet(body, 'delete');
    const coll = ctx.engine.peek(ctx.dbName)?.get(name);
    const errors: Doc[] = [];
    const memo: FilterMemo | undefined = stmts.length > 1 ? new Map() : undefined;
    let n = 0;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      try {
        const filter = optDoc(s, 'q') ?? {};
        const limit = Number(s.limit ?? 0);
        if (limit !== 0 && limit !== 1)
          throw new CommandError(Codes.FailedToParse, 'The limit field in delete objects must be 0 or 1. Got ' + limit);
        const variables = letOf();
        checkFilterVariables(filter, variables);
        const collation = collationOf(s, 'delete.deletes');
        refuseUncollated(collation, filter);
        if (!coll) {
          compileFilter(filter, undefined, undefined, collation);
          continue;
        }
        const rows = scan(coll, filter, { stopAfter: limit === 1 ? 1 : undefined, memo, variables, collation });
        for (const r of rows) coll.remove(r.rid);
        n += rows.length;
      } catch (e) {
        errors.push(asCommandError(e).toWriteError(i));
        if (ordered(body)) break;
      }
    }
    return finishBatch({ n }, errors);
  },

  findAndModify: (ctx, body) => findAndModify(ctx, body, 'findAndModify'),
  findandmodify: (ctx, body) => findAndModify(ctx, body, 'findandmodify'),
};

function findAndModify(ctx: CommandContext, body: Doc, cmd: string): Doc {
  const fast = fastFindAndModify(ctx, body, cmd);
  if (fast) return fast;
  const name = collName(body, cmd);
  const filter = optDoc(body, 'query') ?? {};
  const sort = parseSort(body.sort);
  const remove = body.remove === true;
  const hasUpdate = body.update !== undefined && body.update !== null;
  const upsert = body.upsert === true;
  const bypass = optBool(body, 'bypassDocumentValidation');
  const returnNew = body.new === true;
  if (remove && hasUpdate) throw new CommandError(Codes.FailedToParse, 'Cannot specify both an update and remove=true');
  if (!remove && !hasUpdate) throw new CommandError(Codes.FailedToParse, 'Either an update or remove=true must be specified');
  if (remove && upsert) throw new CommandError(Codes.FailedToParse, 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew)
    throw new CommandError(
      Codes.FailedToParse,
      "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
    );
  const u = hasUpdate ? validateUpdate(body.update, false) : null;
  const arrayFilters = arrayFiltersOf(body);
  const collation = collationOf(body, cmd);
  refuseUncollated(collation, filter);
  if (hasUpdate) refuseUncollatedUpdate(collation, body.update, body.arrayFilters);
  refuseUncollatedProjection(collation, body.fields);
  const variables = letVariables(body, cmd);
  checkFilterVariables(filter, variables);
  if (Array.isArray(u)) checkPipelineVariables(u, variables);
  const project = compileProjection(optDoc(body, 'fields'), filter, variables);
  const out = (d: Doc | null): Doc | null => (d && project ? project(d) : d);

  const db = ctx.engine.db(ctx.dbName);
  const coll = db.get(name);
  let row: Row | undefined;
  if (coll) {
    const rows = scan(coll, filter, { stopAfter: sort.length ? undefined : 1, variables, collation });
    row = sortDocs(rows, sort, (r) => r.doc, collation ? (a, b) => collation.compare(a, b) : undefined)[0];
  }
  if (row && coll) {
    if (remove) {
      coll.remove(row.rid);
      return { lastErrorObject: { n: 1 }, value: out(row.doc) };
    }
    const r = applyUpdate(row.doc, u!, { arrayFilters, filter, variables });
    if (r.modified) {
      validateForWrite(coll, r.doc, { bypass, before: row.doc });
      coll.replace(row.rid, r.doc);
    }
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: out(returnNew ? r.doc : row.doc) };
  }
  if (upsert && u) {
    const doc = buildUpsertDoc(filter, u, arrayFilters, variables);
    const target = db.getOrCreate(name);
    validateForWrite(target, doc, { bypass });
    target.insert(doc);
    return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? out(doc) : null };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
}
