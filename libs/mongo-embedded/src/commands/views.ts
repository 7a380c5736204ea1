// Views (`create` with `viewOn` and `pipeline`): read-only catalog entries whose documents are
// their source's documents through a pipeline. A view is stored as a catalog entry whose options
// hold the definition, so the journal and snapshots keep it like any collection's options, a name
// cannot be both, and `drop`/`dropDatabase` need nothing special. Reads resolve the chain of views
// down to a collection and run the concatenated pipelines (read.ts); writes and index commands are
// refused with MongoDB's code 166 CommandNotSupportedOnView.

import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { Collection } from '../storage/collection';
import { Database } from '../storage/engine';
import { Doc, isPlainObject } from '../storage/paths';
import { CommandContext } from './context';

export interface ViewDef {
  viewOn: string;
  pipeline: Doc[];
}

/** MongoDB's limit on a chain of views (`ViewDepthLimitExceeded`). */
const MAX_VIEW_DEPTH = 20;

/** The definition when the catalog entry is a view, else null. */
export function viewOf(coll: Collection | undefined): ViewDef | null {
  const o = coll?.options;
  if (!o || typeof o.viewOn !== 'string') return null;
  return { viewOn: o.viewOn, pipeline: Array.isArray(o.pipeline) ? (o.pipeline as Doc[]) : [] };
}

export function viewNotCollection(ns: string): CommandError {
  return new CommandError(Codes.CommandNotSupportedOnView, `Namespace ${ns} is a view, not a collection`);
}

/**
 * Follows `name` through views down to what they read: the source collection's name (which may
 * not exist) and the pipeline to run over it, innermost view's stages first. `view` says whether
 * `name` was a view at all.
 */
export function resolveView(db: Database | undefined, name: string): { source: string; pipeline: Doc[]; view: boolean } {
  let current = name;
  let pipeline: Doc[] = [];
  for (let depth = 0; ; depth++) {
    const def = viewOf(db?.get(current));
    if (!def) return { source: current, pipeline, view: depth > 0 };
    if (depth >= MAX_VIEW_DEPTH) {
      throw new CommandError(
        Codes.ViewDepthLimitExceeded,
        `View depth too deep or view cycle detected. Maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    }
    pipeline = [...def.pipeline, ...pipeline];
    current = def.viewOn;
  }
}

const WRITE_STAGES = ['$out', '$merge'];

/** Refuses what MongoDB refuses in a view's pipeline: writing stages, at any depth. */
function checkViewPipeline(pipeline: Doc[], nested: '$lookup' | '$facet' | '$unionWith' | null): void {
  pipeline.forEach((stage, i) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const op = Object.keys(stage)[0];
    const arg = stage[op];
    if (WRITE_STAGES.includes(op)) {
      if (nested === '$lookup') throw new CommandError(51047, `${op} is not allowed within a $lookup's sub-pipeline`);
      if (nested === '$facet') throw new CommandError(40600, `${op} is not allowed to be used within a $facet stage`);
      if (nested === '$unionWith') throw new CommandError(31441, `${op} is not allowed within a $unionWith's sub-pipeline`);
      throw new CommandError(
        Codes.OptionNotSupportedOnView,
        `The aggregation stage ${op} in location ${i} of the pipeline cannot be used in the view definition because it writes to disk`,
      );
    }
    if ((op === '$lookup' || op === '$unionWith') && isPlainObject(arg) && Array.isArray(arg.pipeline))
      checkViewPipeline(arg.pipeline as Doc[], op);
    if (op === '$facet' && isPlainObject(arg)) {
      for (const sub of Object.values(arg)) if (Array.isArray(sub)) checkViewPipeline(sub as Doc[], '$facet');
    }
  });
}

/** The options `create` accepts together with `viewOn`. */
const VIEW_OPTIONS = new Set(['create', 'viewOn', 'pipeline', 'collation']);

/** `create` of a view: validates the definition as MongoDB does and stores it. */
export function createView(ctx: CommandContext, name: string, body: Doc): Doc {
  if (body.viewOn === undefined) throw new CommandError(Codes.BadValue, "'pipeline' requires 'viewOn' to also be specified");
  if (typeof body.viewOn !== 'string') {
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field 'create.viewOn' is the wrong type '${typeof body.viewOn}', expected type 'string'`,
    );
  }
  const viewOn = body.viewOn;
  if (viewOn === '' || viewOn.includes('\0') || viewOn.includes('$') || viewOn.startsWith('.')) {
    throw new CommandError(Codes.InvalidNamespace, `invalid name for 'viewOn': ${viewOn}`);
  }
  for (const k of Object.keys(body)) {
    if (!VIEW_OPTIONS.has(k) && body[k] !== undefined) throw new CommandError(Codes.InvalidOptions, `option not supported on a view: ${k}`);
  }
  const raw = body.pipeline ?? [];
  if (!Array.isArray(raw))
    throw new CommandError(Codes.TypeMismatch, `BSON field 'create.pipeline' is the wrong type '${typeof raw}', expected type 'array'`);
  const pipeline = raw as Doc[];
  checkViewPipeline(pipeline, null);
  try {
    // Unknown stages and malformed arguments fail here, as MongoDB parses a view's pipeline on create.
    new Aggregator(pipeline, { scriptEnabled: false }).run([]);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!/undefined variable/i.test(msg)) throw new CommandError(/unregistered|unknown/i.test(msg) ? 40324 : Codes.BadValue, msg);
  }
  const db = ctx.engine.db(ctx.dbName);
  // A view may be defined on a missing namespace, but not on itself through other views.
  const chain = [name];
  for (let current = viewOn; ;) {
    chain.push(current);
    if (current === name) {
      throw new CommandError(Codes.GraphContainsCycle, `View cycle detected: [${chain.map((n) => `${ctx.dbName}.${n}`).join(' => ')}]`);
    }
    const def = viewOf(db.get(current));
    if (!def) break;
    if (chain.length > MAX_VIEW_DEPTH + 1) {
      throw new CommandError(
        Codes.ViewDepthLimitExceeded,
        `View depth too deep or view cycle detected. Maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    }
    current = def.viewOn;
  }
  db.create(name, { viewOn, pipeline });
  return {};
}

/** A `listCollections` entry for a view. */
export function viewEntry(coll: Collection, def: ViewDef): Doc {
  return { name: coll.name, type: 'view', options: { viewOn: def.viewOn, pipeline: def.pipeline }, info: { readOnly: true } };
}

/** Statement lists of the batch write commands: a view fails every statement that runs. */
const BATCH_FIELDS: Record<string, string> = { insert: 'documents', update: 'updates', delete: 'deletes' };

/** Commands refused outright on a view, with MongoDB's messages. */
const REFUSED_ON_VIEW: Record<string, (ns: string) => string> = {
  findAndModify: (ns) => `Namespace ${ns} is a view, not a collection`,
  findandmodify: (ns) => `Namespace ${ns} is a view, not a collection`,
  createIndexes: () => 'Cannot create indexes on a view',
  dropIndexes: (ns) => `Cannot drop indexes on view ${ns}`,
  deleteIndexes: (ns) => `Cannot drop indexes on view ${ns}`,
  listIndexes: (ns) => `Namespace ${ns} is a view, not a collection`,
  collStats: (ns) => `Namespace ${ns} is a view, not a collection`,
};

/**
 * For a write or index command aimed at a view: the reply MongoDB gives (batch writes fail per
 * statement in `writeErrors`; the others fail as a whole). Null when the target is not a view.
 */
export function refuseOnView(ctx: CommandContext, cmd: string, body: Doc): Doc | null {
  const field = BATCH_FIELDS[cmd];
  if (!field && !REFUSED_ON_VIEW[cmd]) return null;
  const name = body[cmd];
  if (typeof name !== 'string' || !viewOf(ctx.engine.peek(ctx.dbName)?.get(name))) return null;
  const ns = `${ctx.dbName}.${name}`;
  if (!field) throw new CommandError(Codes.CommandNotSupportedOnView, REFUSED_ON_VIEW[cmd](ns));
  const stmts = body[field];
  if (!Array.isArray(stmts)) return null; // the command's own parse error
  const err = viewNotCollection(ns);
  const ordered = body.ordered === undefined || body.ordered !== false;
  const count = ordered ? Math.min(1, stmts.length) : stmts.length;
  const writeErrors = Array.from({ length: count }, (_, i) => err.toWriteError(i));
  const reply: Doc = cmd === 'update' ? { n: 0, nModified: 0 } : { n: 0 };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  return reply;
}
