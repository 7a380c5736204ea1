// Fast paths for the command shapes the services send most: a point `find` by `_id` or a unique
// key, and `update` statements / `findAndModify` with simple operators on a document selected
// through a unique index (single upserts, guarded updates, the statements of bulk writes). Each
// returns null whenever its shape or the data holds anything it does not handle, and the caller
// runs the general path instead; what a fast path answers is exactly the general path's answer
// (documents, field order, `n`, `nModified`, upserted ids, errors), see simple-update.ts.

import { ObjectId } from 'bson';
import { Collection } from '../storage/collection';
import { Engine } from '../storage/engine';
import { Doc, idFirst, isPlainObject } from '../storage/paths';
import { applySimpleUpdate, compileSimpleUpdate, SimpleUpdate, uniqueLookup } from '../storage/simple-update';
import { upsertSeed, validateStoredDoc } from '../storage/update';
import { validateForWrite } from '../storage/validation';
import { CommandContext } from './context';
import { viewOf } from './views';

/** The fields of a `find` the fast path takes (dispatch has removed the generic ones). */
const POINT_FIND_FIELDS = new Set(['find', 'filter', 'limit', 'singleBatch', 'batchSize']);

function optInteger(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v));
}

/**
 * A `find` whose filter selects at most one document through a unique index (`findOne` by
 * `_id` or by a unique key): no planner, no compiled filter. Null for anything else.
 */
export function pointFind(ctx: CommandContext, body: Doc): Doc | null {
  if (!ctx.engine.fastPaths) return null;
  for (const k of Object.keys(body)) if (!POINT_FIND_FIELDS.has(k)) return null;
  const name = body.find;
  const filter = body.filter;
  if (typeof name !== 'string' || name.length === 0 || !isPlainObject(filter)) return null;
  if (!optInteger(body.limit) || !optInteger(body.batchSize) || (body.batchSize as number) < 0) return null;
  if (body.singleBatch !== undefined && typeof body.singleBatch !== 'boolean') return null;
  const coll = ctx.engine.peek(ctx.dbName)?.get(name);
  if (!coll || viewOf(coll)) return null;
  const found = uniqueLookup(coll, filter);
  if (found === null) return null;
  const limit = (body.limit as number | undefined) ?? 0;
  const docs = found === 'none' ? [] : [found.doc];
  const singleBatch = body.singleBatch === true || limit < 0;
  const batchSize = (body.batchSize as number | undefined) ?? 101;
  ctx.engine.fastPathHits.find++;
  return { cursor: ctx.cursors.open(`${ctx.dbName}.${name}`, docs, { batchSize, singleBatch, stored: true }) };
}

/** What one update statement did. */
export interface StatementResult {
  n: number;
  nModified: number;
  /** The `_id` of the document an upsert inserted. */
  upserted?: unknown;
}

/** Statement fields the fast path takes; `hint` is ignored here as on the general path. */
const FAST_STATEMENT_FIELDS = new Set(['q', 'u', 'upsert', 'multi', 'hint']);

/**
 * One `update` statement `{q, u, upsert?, multi?}` with a simple operator update and a filter
 * that selects through a unique index. Null when the statement, the filter, the update or the
 * stored document needs the general path. Write errors (duplicate key of an upsert, validation)
 * are thrown exactly as the general path throws them.
 */
export function fastUpdateStatement(engine: Engine, coll: Collection | undefined, s: Doc, bypass: boolean): StatementResult | null {
  let r: StatementResult | null;
  try {
    r = updateStatement(coll, s, bypass);
  } catch (e) {
    // Only a write error of a statement the fast path took gets here: it answered.
    engine.fastPathHits.update++;
    throw e;
  }
  if (r) engine.fastPathHits.update++;
  return r;
}

function updateStatement(coll: Collection | undefined, s: Doc, bypass: boolean): StatementResult | null {
  if (!coll) return null;
  for (const k of Object.keys(s)) if (!FAST_STATEMENT_FIELDS.has(k)) return null;
  const q = s.q;
  if (!isPlainObject(q)) return null;
  const plan = compileSimpleUpdate(s.u);
  if (!plan) return null;
  const found = uniqueLookup(coll, q);
  if (found === null) return null;
  if (found !== 'none') {
    const r = updateFound(coll, found, plan, bypass);
    return r && { n: 1, nModified: r.modified ? 1 : 0 };
  }
  if (s.upsert !== true) return { n: 0, nModified: 0 };
  const doc = insertUpsert(coll, q, plan, bypass);
  return doc && { n: 1, nModified: 0, upserted: doc._id };
}

/** Applies the update to the document found and stores it when it changed; null for the general path. */
function updateFound(coll: Collection, found: { rid: number; doc: Doc }, plan: SimpleUpdate, bypass: boolean) {
  const r = applySimpleUpdate(plan.update, found.doc);
  if (r?.modified) {
    validateForWrite(coll, r.doc, { bypass, before: found.doc });
    coll.replace(found.rid, r.doc, true, plan.paths);
  }
  return r;
}

/** Builds and inserts the document of an upsert that found nothing; null for the general path. */
function insertUpsert(coll: Collection, q: Doc, plan: SimpleUpdate, bypass: boolean): Doc | null {
  const doc = upsertDocument(q, plan.insert);
  if (!doc) return null;
  validateForWrite(coll, doc, { bypass });
  coll.insert(doc);
  return doc;
}

/** The document an upsert inserts (as `buildUpsertDoc` builds it), or null for the general path. */
function upsertDocument(q: Doc, steps: Parameters<typeof applySimpleUpdate>[0]): Doc | null {
  const seed: Doc = {};
  upsertSeed(q, seed);
  const r = applySimpleUpdate(steps, seed);
  if (!r) return null;
  let doc = r.doc;
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  doc = idFirst(doc);
  validateStoredDoc(doc, 'update');
  return doc;
}

/** `findAndModify` fields the fast path takes (dispatch has removed the generic ones). */
const FAST_FAM_FIELDS = new Set(['query', 'update', 'new', 'upsert', 'remove', 'bypassDocumentValidation']);

/**
 * `findAndModify` (`findOneAndUpdate`) with a simple operator update on a document selected
 * through a unique index, with or without upsert, returning the old or the new document. Null
 * for anything else (sort, projection, remove, arrayFilters, collation, let, ...).
 */
export function fastFindAndModify(ctx: CommandContext, body: Doc, cmd: string): Doc | null {
  if (!ctx.engine.fastPaths) return null;
  let r: Doc | null;
  try {
    r = findAndModify(ctx, body, cmd);
  } catch (e) {
    ctx.engine.fastPathHits.findAndModify++;
    throw e;
  }
  if (r) ctx.engine.fastPathHits.findAndModify++;
  return r;
}

function findAndModify(ctx: CommandContext, body: Doc, cmd: string): Doc | null {
  for (const k of Object.keys(body)) if (k !== cmd && !FAST_FAM_FIELDS.has(k)) return null;
  const name = body[cmd];
  const q = body.query;
  if (typeof name !== 'string' || name.length === 0 || !isPlainObject(q)) return null;
  if (body.remove !== undefined && body.remove !== false) return null;
  for (const f of ['new', 'upsert', 'bypassDocumentValidation']) {
    if (body[f] !== undefined && typeof body[f] !== 'boolean') return null;
  }
  const coll = ctx.engine.peek(ctx.dbName)?.get(name);
  if (!coll || viewOf(coll)) return null;
  const plan = compileSimpleUpdate(body.update);
  if (!plan) return null;
  const found = uniqueLookup(coll, q);
  if (found === null) return null;
  const bypass = body.bypassDocumentValidation === true;
  const returnNew = body.new === true;
  if (found !== 'none') {
    const r = updateFound(coll, found, plan, bypass);
    return r && { lastErrorObject: { n: 1, updatedExisting: true }, value: returnNew ? r.doc : found.doc };
  }
  if (body.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
  const doc = insertUpsert(coll, q, plan, bypass);
  if (!doc) return null;
  return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? doc : null };
}
