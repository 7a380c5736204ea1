// Read commands: find, getMore, killCursors, count, distinct, aggregate and explain.

import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, compareValues, toNumber } from '../storage/bson-order';
import { Collection } from '../storage/collection';
import { cloneDeep, Doc, idFirst, isPlainObject, pathValues } from '../storage/paths';
import { checkDeadline, compileFilter, compileProjection, parseSort, PlanStats, scan, sortDocs } from '../storage/query';
import { collName, CommandContext, deadlineOf, Handler, optBool, optDoc, optNumber } from './context';

function collectionOf(ctx: CommandContext, name: string): Collection | undefined {
  return ctx.engine.peek(ctx.dbName)?.get(name);
}

function nonNegative(body: Doc, field: string): number | undefined {
  const v = optNumber(body, field);
  if (v !== undefined && v < 0 && field !== 'limit') throw new CommandError(Codes.BadValue, `${field} must be non-negative, but received: ${v}`);
  return v;
}

/** Runs a find-shaped query and returns the (unprojected) matching documents. */
function runFind(ctx: CommandContext, coll: Collection | undefined, body: Doc, deadline: number | undefined): Doc[] {
  const filter = optDoc(body, 'filter') ?? {};
  const sort = parseSort(body.sort);
  const skip = nonNegative(body, 'skip') ?? 0;
  let limit = nonNegative(body, 'limit') ?? 0;
  if (limit < 0) limit = -limit;
  if (!coll) {
    compileFilter(filter); // parse errors are reported even for a missing collection
    return [];
  }
  const stats: PlanStats = ctx.stats ?? { indexName: null, keysExamined: 0, docsExamined: 0 };
  const rows = scan(coll, filter, { deadline, stopAfter: sort.length === 0 && limit > 0 ? skip + limit : undefined, stats });
  let docs = rows.map((r) => r.doc);
  checkDeadline(deadline);
  docs = sortDocs(docs, sort, (d) => d);
  if (skip) docs = docs.slice(skip);
  if (limit) docs = docs.slice(0, limit);
  return docs;
}

function find(ctx: CommandContext, body: Doc): Doc {
  const name = collName(body, 'find');
  const deadline = deadlineOf(body);
  const coll = collectionOf(ctx, name);
  const docs = runFind(ctx, coll, body, deadline);
  const project = compileProjection(optDoc(body, 'projection'), optDoc(body, 'filter'));
  const limit = optNumber(body, 'limit') ?? 0;
  const batchSize = optNumber(body, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw new CommandError(Codes.BadValue, `BatchSize value must be non-negative, but received: ${batchSize}`);
  const singleBatch = optBool(body, 'singleBatch') || limit < 0;
  return { cursor: ctx.cursors.open(`${ctx.dbName}.${name}`, docs, { batchSize: batchSize ?? 101, singleBatch, map: project, stored: true }) };
}

function distinctValues(docs: Doc[], key: string): unknown[] {
  const seen = new Map<string, unknown>();
  const parts = key.split('.');
  for (const d of docs) {
    for (const v of pathValues(d, parts).values) {
      const els = Array.isArray(v) ? v : [v];
      for (const el of els) {
        const k = canonicalKey(el);
        if (!seen.has(k)) seen.set(k, el);
      }
    }
  }
  return [...seen.values()].sort(compareValues);
}

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$currentOp', '$listSessions', '$search', '$geoNear', '$collStats', '$indexStats', '$planCacheStats']);

function runAggregate(ctx: CommandContext, body: Doc, deadline: number | undefined): Doc[] {
  const pipeline = body.pipeline;
  if (!Array.isArray(pipeline)) throw new CommandError(Codes.TypeMismatch, "'pipeline' option must be specified as an array");
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const op = Object.keys(stage)[0];
    if (UNSUPPORTED_STAGES.has(op)) throw new CommandError(Codes.CommandNotSupported, `The embedded server does not support the aggregation stage ${op}.`);
  }
  const db = ctx.engine.peek(ctx.dbName);
  let source: Doc[];
  let stages = withCountAsGroup(pipeline as Doc[]);
  if (typeof body.aggregate === 'string') {
    const coll = db?.get(body.aggregate);
    // A leading $match runs through the planner, so it can use an index.
    if (coll && stages.length && isPlainObject(stages[0].$match) && !('$text' in (stages[0].$match as Doc))) {
      source = scan(coll, stages[0].$match as Doc, { deadline, stats: ctx.stats }).map((r) => r.doc);
      stages = stages.slice(1);
    } else {
      source = coll ? [...coll.docs.values()] : [];
      if (ctx.stats && coll) ctx.stats.docsExamined += coll.size;
    }
  } else if (body.aggregate === 1 && stages.length && '$documents' in stages[0]) {
    source = [];
  } else {
    throw new CommandError(Codes.InvalidNamespace, "{aggregate: 1} is not valid for '$match'; a collection is required.");
  }
  checkDeadline(deadline);
  if (stages.length === 0) return source;
  const resolver = (name: string): Doc[] => {
    const c = db?.get(name);
    return c ? [...c.docs.values()] : [];
  };
  let result: Doc[];
  try {
    // Stored documents are shared with the catalog; stages get copies so nothing can mutate them.
    const agg = new Aggregator(stages, { collectionResolver: resolver, scriptEnabled: false, variables: isPlainObject(body.let) ? body.let : undefined });
    result = [];
    const it = agg.stream(source.map(cloneDeep));
    for (let r = it.next(); !r.done; r = it.next()) {
      result.push(r.value as Doc);
      if ((result.length & 1023) === 0) checkDeadline(deadline);
    }
  } catch (e) {
    if (e instanceof CommandError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CommandError(/unknown|unregistered|not (supported|registered)/i.test(msg) ? 40324 : Codes.BadValue, msg);
  }
  checkDeadline(deadline);
  return result.map((d) => (isPlainObject(d) ? idFirst(d) : d));
}

/**
 * `$count` as MongoDB defines it: `$group` by null with `$sum: 1`, then `$project` without `_id`,
 * so an empty input gives no document (mingo answers `{n: 0}`). Also inside `$facet`, `$lookup`
 * and `$unionWith` sub-pipelines, where `{total: [{$count: 'n'}]}` is the usual page-total idiom.
 */
function withCountAsGroup(stages: Doc[]): Doc[] {
  return stages.flatMap((stage): Doc[] => {
    const op = Object.keys(stage)[0];
    const arg = stage[op];
    if (op === '$count') {
      if (typeof arg !== 'string' || arg === '') throw new CommandError(40156, 'the count field must be a non-empty string');
      if (arg.startsWith('$')) throw new CommandError(40158, 'the count field cannot be a $-prefixed path');
      if (arg.includes('.')) throw new CommandError(40160, "the count field cannot contain '.'");
      return [{ $group: { _id: null, [arg]: { $sum: 1 } } }, { $project: { _id: 0 } }];
    }
    if (op === '$facet' && isPlainObject(arg)) {
      const facets: Doc = {};
      for (const [name, sub] of Object.entries(arg)) facets[name] = Array.isArray(sub) ? withCountAsGroup(sub as Doc[]) : sub;
      return [{ $facet: facets }];
    }
    if ((op === '$lookup' || op === '$unionWith') && isPlainObject(arg) && Array.isArray(arg.pipeline)) {
      return [{ [op]: { ...arg, pipeline: withCountAsGroup(arg.pipeline as Doc[]) } }];
    }
    return [stage];
  });
}

export const readCommands: Record<string, Handler> = {
  find,

  getMore: (ctx, body) => {
    const id = optNumber(body, 'getMore');
    if (id === undefined) throw new CommandError(Codes.TypeMismatch, "BSON field 'getMore' is missing");
    const coll = typeof body.collection === 'string' ? body.collection : '';
    deadlineOf(body);
    const batchSize = optNumber(body, 'batchSize');
    return { cursor: ctx.cursors.getMore(id, `${ctx.dbName}.${coll}`, batchSize) };
  },

  killCursors: (ctx, body) => {
    const ids = body.cursors;
    if (!Array.isArray(ids)) throw new CommandError(Codes.TypeMismatch, "BSON field 'killCursors.cursors' is missing or not an array");
    return ctx.cursors.kill(ids.map((x) => toNumber(x)));
  },

  count: (ctx, body) => {
    const name = collName(body, 'count');
    const deadline = deadlineOf(body);
    const coll = collectionOf(ctx, name);
    const query = optDoc(body, 'query') ?? {};
    const skip = nonNegative(body, 'skip') ?? 0;
    let limit = optNumber(body, 'limit') ?? 0;
    if (limit < 0) limit = -limit;
    if (!coll) {
      compileFilter(query);
      return { n: 0 };
    }
    let n: number;
    if (Object.keys(query).length === 0) {
      n = coll.size;
      checkDeadline(deadline);
    } else {
      n = scan(coll, query, { deadline, stopAfter: limit ? skip + limit : undefined, stats: ctx.stats }).length;
    }
    n = Math.max(0, n - skip);
    if (limit) n = Math.min(n, limit);
    return { n };
  },

  distinct: (ctx, body) => {
    const name = collName(body, 'distinct');
    const key = body.key;
    if (typeof key !== 'string') throw new CommandError(Codes.TypeMismatch, "BSON field 'distinct.key' is missing or of the wrong type");
    const deadline = deadlineOf(body);
    const coll = collectionOf(ctx, name);
    if (!coll) {
      compileFilter(optDoc(body, 'query'));
      return { values: [] };
    }
    const docs = scan(coll, optDoc(body, 'query') ?? {}, { deadline, stats: ctx.stats }).map((r) => r.doc);
    return { values: distinctValues(docs, key) };
  },

  aggregate: (ctx, body) => {
    const cursorOpt = optDoc(body, 'cursor');
    if (!cursorOpt && body.explain !== true) throw new CommandError(Codes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    if (body.explain === true) {
      const stats: PlanStats = { indexName: null, keysExamined: 0, docsExamined: 0 };
      runAggregate({ ...ctx, stats }, body, deadlineOf(body));
      return { explainVersion: '1', queryPlanner: planner(ctx, String(body.aggregate), stats), stages: [] };
    }
    const deadline = deadlineOf(body);
    const docs = runAggregate(ctx, body, deadline);
    const batchSize = cursorOpt?.batchSize !== undefined ? toNumber(cursorOpt.batchSize) : 101;
    const ns = typeof body.aggregate === 'string' ? `${ctx.dbName}.${body.aggregate}` : `${ctx.dbName}.$cmd.aggregate`;
    return { cursor: ctx.cursors.open(ns, docs, { batchSize }) };
  },

  explain: (ctx, body) => {
    const inner = optDoc(body, 'explain');
    if (!inner) throw new CommandError(Codes.FailedToParse, 'explain command requires a nested object');
    const cmd = Object.keys(inner)[0];
    const stats: PlanStats = { indexName: null, keysExamined: 0, docsExamined: 0 };
    const sub: CommandContext = { ...ctx, stats, explainOnly: true };
    const started = Date.now();
    let nReturned = 0;
    switch (cmd) {
      case 'find':
        nReturned = runFind(sub, collectionOf(ctx, collName(inner, 'find')), inner, undefined).length;
        break;
      case 'count':
        nReturned = (readCommands.count(sub, inner).n as number) ?? 0;
        break;
      case 'distinct':
        nReturned = (readCommands.distinct(sub, inner).values as unknown[]).length;
        break;
      case 'aggregate':
        nReturned = runAggregate(sub, inner, undefined).length;
        break;
      default:
        throw new CommandError(Codes.CommandNotSupported, `The embedded server cannot explain '${cmd}'.`);
    }
    return {
      explainVersion: '1',
      queryPlanner: planner(ctx, String(inner[cmd]), stats),
      executionStats: {
        executionSuccess: true,
        nReturned,
        executionTimeMillis: Date.now() - started,
        totalKeysExamined: stats.keysExamined,
        totalDocsExamined: stats.docsExamined,
      },
      serverInfo: { host: 'embedded', version: '7.0.0' },
    };
  },
};

function planner(ctx: CommandContext, coll: string, stats: PlanStats): Doc {
  const c = ctx.engine.peek(ctx.dbName)?.get(coll);
  const ixscan = (name: string): Doc => {
    const index = c?.indexes.get(name);
    return { stage: 'IXSCAN', indexName: name, keyPattern: index?.spec.key ?? {}, isMultiKey: index?.multikey ?? false };
  };
  const names = stats.indexName ? stats.indexName.split(',') : [];
  const winningPlan =
    names.length === 0
      ? { stage: 'COLLSCAN', direction: 'forward' }
      : names.length === 1
        ? { stage: 'FETCH', inputStage: ixscan(names[0]) }
        : { stage: 'FETCH', inputStage: { stage: 'OR', inputStages: names.map(ixscan) } };
  return { namespace: `${ctx.dbName}.${coll}`, winningPlan, rejectedPlans: [] };
}
