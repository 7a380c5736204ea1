// Read commands: find, getMore, killCursors, count, distinct, aggregate and explain.

import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, compareValues, toNumber } from '../storage/bson-order';
import {
  Collation,
  collatedAggregator,
  collatedDistinct,
  collationOf,
  MingoAggregator,
  refuseUncollated,
  refuseUncollatedProjection,
} from '../storage/collation';
import { Collection } from '../storage/collection';
import { cloneDeep, Doc, idFirst, isPlainObject, pathValues } from '../storage/paths';
import {
  checkDeadline,
  compileFilter,
  countMatches,
  compileProjection,
  parseSort,
  PlanStats,
  scan,
  scanInSortOrder,
  sortDocs,
} from '../storage/query';
import { checkFilterVariables, checkPipelineVariables, letVariables, undefinedVariableError } from '../storage/variables';
import { prepareWrite, splitWriteStage } from './aggregate-writes';
import { collName, CommandContext, deadlineOf, Handler, optBool, optDoc, optNumber } from './context';
import { pointFind } from './fast-paths';
import { listLocalSessions } from './sessions';
import { resolveView, viewOf } from './views';

function collectionOf(ctx: CommandContext, name: string): Collection | undefined {
  return ctx.engine.peek(ctx.dbName)?.get(name);
}

function nonNegative(body: Doc, field: string): number | undefined {
  const v = optNumber(body, field);
  if (v !== undefined && v < 0 && field !== 'limit')
    throw new CommandError(Codes.BadValue, `${field} must be non-negative, but received: ${v}`);
  return v;
}

/** Runs a find-shaped query and returns the (unprojected) matching documents. */
function runFind(ctx: CommandContext, coll: Collection | undefined, body: Doc, deadline: number | undefined, variables?: Doc): Doc[] {
  const filter = optDoc(body, 'filter') ?? {};
  checkFilterVariables(filter, variables);
  const collation = collationOf(body, 'find');
  refuseUncollated(collation, filter);
  refuseUncollatedProjection(collation, body.projection);
  const sort = parseSort(body.sort);
  const skip = nonNegative(body, 'skip') ?? 0;
  let limit = nonNegative(body, 'limit') ?? 0;
  if (limit < 0) limit = -limit;
  if (!coll) {
    compileFilter(filter, undefined, undefined, collation); // parse errors are reported even for a missing collection
    return [];
  }
  const stats: PlanStats = ctx.stats ?? { indexName: null, keysExamined: 0, docsExamined: 0 };
  // Through a view, the query applies to the view's output (MongoDB turns it into an aggregation).
  const fromView = viewDocs(ctx, coll, deadline, collation);
  const stopAfter = sort.length === 0 && limit > 0 ? skip + limit : undefined;
  // Read in the order of an index that gives the sort: a page reads only skip + limit matches, and
  // no read sorts its matches again.
  const want = limit > 0 ? skip + limit : Number.POSITIVE_INFINITY;
  const ordered = !fromView ? scanInSortOrder(coll, filter, sort, want, { deadline, stats, variables, collation }) : null;
  let docs = ordered
    ? ordered.map((r) => r.doc)
    : fromView
      ? fromView.filter(compileFilter(filter, undefined, variables))
      : scan(coll, filter, { deadline, stopAfter, stats, variables, collation }).map((r) => r.doc);
  checkDeadline(deadline);
  if (!ordered) docs = sortDocs(docs, sort, (d) => d, collation ? (a, b) => collation.compare(a, b) : undefined);
  if (skip) docs = docs.slice(skip);
  if (limit) docs = docs.slice(0, limit);
  return docs;
}

function find(ctx: CommandContext, body: Doc): Doc {
  const point = pointFind(ctx, body);
  if (point) return point;
  const name = collName(body, 'find');
  const deadline = deadlineOf(body);
  const coll = collectionOf(ctx, name);
  const variables = letVariables(body, 'find');
  const docs = runFind(ctx, coll, body, deadline, variables);
  const project = compileProjection(optDoc(body, 'projection'), optDoc(body, 'filter'), variables);
  const limit = optNumber(body, 'limit') ?? 0;
  const batchSize = optNumber(body, 'batchSize');
  if (batchSize !== undefined && batchSize < 0)
    throw new CommandError(Codes.BadValue, `BatchSize value must be non-negative, but received: ${batchSize}`);
  const singleBatch = optBool(body, 'singleBatch') || limit < 0;
  const stored = !viewOf(coll); // a view's documents are computed, not stored objects
  return { cursor: ctx.cursors.open(`${ctx.dbName}.${name}`, docs, { batchSize: batchSize ?? 101, singleBatch, map: project, stored }) };
}

function distinctValues(docs: Doc[], key: string, collation: Collation | null): unknown[] {
  const seen = new Map<string, unknown>();
  const parts = key.split('.');
  if (collation) {
    return collatedDistinct(
      docs.flatMap((d) => pathValues(d, parts).values.flatMap((v) => (Array.isArray(v) ? v : [v]))),
      collation,
    );
  }
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

/**
 * Stages that never modify the documents they read: mingo's `$match` filters, `$sort` reorders
 * the array, `$limit`/`$skip` cut it, `$group` builds new documents (its accumulators read
 * values and build new arrays and objects). A pipeline of only these runs on the stored
 * documents themselves instead of deep copies (an outbox backlog `$match` + `$group` over
 * thousands of unpublished batches spent most of its time copying them).
 */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$group']);

const UNSUPPORTED_STAGES = new Set([
  '$changeStream',
  '$currentOp',
  '$listSessions',
  '$search',
  '$geoNear',
  '$collStats',
  '$indexStats',
  '$planCacheStats',
]);

/** The documents of a view (its pipelines over its source), or null when `coll` is not a view. */
function viewDocs(
  ctx: CommandContext,
  coll: Collection | undefined,
  deadline: number | undefined,
  collation: Collation | null,
): Doc[] | null {
  if (!coll || !viewOf(coll)) return null;
  // Views have the simple collation (a view collation is refused at create), which a query cannot override.
  if (collation) throw new CommandError(Codes.OptionNotSupportedOnView, "Cannot override a view's default collation");
  return runAggregate(ctx, { aggregate: coll.name, pipeline: [] }, deadline);
}

/**
 * Runs an aggregation. A final `$out`/`$merge` is validated before anything is read, then applied
 * to the output, which is not returned (the command answers with an empty cursor); under
 * `explain` nothing is written and the output is returned for the statistics.
 */
function runAggregate(ctx: CommandContext, body: Doc, deadline: number | undefined): Doc[] {
  const pipeline = body.pipeline;
  if (!Array.isArray(pipeline)) throw new CommandError(Codes.TypeMismatch, "'pipeline' option must be specified as an array");
  const variables = letVariables(body, 'aggregate');
  pipeline.forEach((stage, i) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const op = Object.keys(stage)[0];
    if (UNSUPPORTED_STAGES.has(op))
      throw new CommandError(Codes.CommandNotSupported, `The embedded server does not support the aggregation stage ${op}.`);
    if (op === '$listLocalSessions' && i > 0) throw new CommandError(40602, `${op} is only valid as the first stage in a pipeline`);
  });
  checkPipelineVariables(pipeline, variables);
  refuseUncollated(collationOf(body, 'aggregate'), pipeline);
  const { read, write } = splitWriteStage(pipeline as Doc[]);
  const prepared = write ? prepareWrite(ctx, write, body, variables) : null;
  const docs = runReadStages(ctx, body, read, variables, deadline);
  if (!prepared || ctx.explainOnly) return docs;
  prepared.apply(docs, variables);
  return [];
}

function runReadStages(ctx: CommandContext, body: Doc, pipeline: Doc[], variables: Doc | undefined, deadline: number | undefined): Doc[] {
  const db = ctx.engine.peek(ctx.dbName);
  let source: Doc[];
  let stages = withCountAsGroup(pipeline);
  const first = stages.length ? Object.keys(stages[0])[0] : null;
  const collation = collationOf(body, 'aggregate');
  const refuseView = (name: string): void => {
    // MongoDB's aggregate appends the namespace to the message without a separator.
    const msg = `Cannot override a view's default collation${ctx.dbName}.${name}`;
    if (collation) throw new CommandError(Codes.OptionNotSupportedOnView, msg);
  };
  if (typeof body.aggregate === 'string') {
    if (first === '$listLocalSessions') {
      const msg = '$listLocalSessions must be run against the database with {aggregate: 1}, not a collection';
      throw new CommandError(Codes.InvalidNamespace, msg);
    }
    // A view reads its source collection through the view's pipelines, which run first.
    const view = resolveView(db, body.aggregate);
    if (view.view) refuseView(body.aggregate);
    if (view.view) stages = [...withCountAsGroup(view.pipeline), ...stages];
    const coll = db?.get(view.source);
    // A leading $match runs through the planner, so it can use an index.
    if (coll && stages.length && isPlainObject(stages[0].$match) && !('$text' in (stages[0].$match as Doc))) {
      source = scan(coll, stages[0].$match as Doc, { deadline, stats: ctx.stats, variables, collation }).map((r) => r.doc);
      stages = stages.slice(1);
    } else {
      source = coll ? [...coll.docs.values()] : [];
      if (ctx.stats && coll) ctx.stats.docsExamined += coll.size;
    }
  } else if (body.aggregate === 1 && first === '$documents') {
    source = [];
  } else if (body.aggregate === 1 && first === '$listLocalSessions') {
    source = listLocalSessions(ctx.engine, stages[0].$listLocalSessions);
    stages = stages.slice(1);
  } else if (body.aggregate === 1) {
    const what = first ? `'${first}'` : 'an empty pipeline';
    throw new CommandError(Codes.InvalidNamespace, `{aggregate: 1} is not valid for ${what}; a collection is required.`);
  } else {
    throw new CommandError(Codes.FailedToParse, "Invalid command format: the 'aggregate' field must specify a collection name or 1");
  }
  checkDeadline(deadline);
  if (stages.length === 0) return source;
  // `$lookup`, `$graphLookup` and `$unionWith` read views through their pipelines too.
  const resolver = (name: string): Doc[] => {
    if (resolveView(db, name).view) refuseView(name);
    if (resolveView(db, name).view) return runAggregate(ctx, { aggregate: name, pipeline: [] }, deadline);
    const c = db?.get(name);
    return c ? [...c.docs.values()] : [];
  };
  let result: Doc[];
  try {
    // Stored documents are shared with the catalog; stages get copies so nothing can mutate them,
    // unless every stage only reads its input (filters, reorders, or builds new documents).
    const options = { collectionResolver: resolver, scriptEnabled: false, variables };
    const agg: MingoAggregator = collation ? collatedAggregator(stages, collation, options) : new Aggregator(stages, options);
    result = [];
    const readOnly = !collation && stages.every((st) => READ_ONLY_STAGES.has(Object.keys(st)[0]));
    const it = agg.stream(readOnly ? source : source.map(cloneDeep));
    for (let r = it.next(); !r.done; r = it.next()) {
      result.push(r.value as Doc);
      if ((result.length & 1023) === 0) checkDeadline(deadline);
    }
  } catch (e) {
    if (e instanceof CommandError) throw e;
    const undef = undefinedVariableError(e);
    if (undef) throw undef;
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
    checkFilterVariables(query, undefined); // count has no `let`: any `$$name` but a builtin is undefined
    const collation = collationOf(body, 'count');
    refuseUncollated(collation, query);
    const skip = nonNegative(body, 'skip') ?? 0;
    let limit = optNumber(body, 'limit') ?? 0;
    if (limit < 0) limit = -limit;
    if (!coll) {
      compileFilter(query, undefined, undefined, collation);
      return { n: 0 };
    }
    let n: number;
    const fromView = viewDocs(ctx, coll, deadline, collation);
    if (fromView) {
      // estimatedDocumentCount (`count` without a query) on a view counts its output, as MongoDB does.
      n = Object.keys(query).length ? fromView.filter(compileFilter(query)).length : fromView.length;
    } else if (Object.keys(query).length === 0) {
      n = coll.size;
      checkDeadline(deadline);
    } else {
      n = countMatches(coll, query, { deadline, stopAfter: limit ? skip + limit : undefined, stats: ctx.stats, collation });
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
    checkFilterVariables(optDoc(body, 'query'), undefined); // nor has distinct
    const collation = collationOf(body, 'distinct');
    refuseUncollated(collation, optDoc(body, 'query'));
    if (!coll) {
      compileFilter(optDoc(body, 'query'), undefined, undefined, collation);
      return { values: [] };
    }
    const fromView = viewDocs(ctx, coll, deadline, collation);
    const docs = fromView
      ? fromView.filter(compileFilter(optDoc(body, 'query') ?? {}))
      : scan(coll, optDoc(body, 'query') ?? {}, { deadline, stats: ctx.stats, collation }).map((r) => r.doc);
    return { values: distinctValues(docs, key, collation) };
  },

  aggregate: (ctx, body) => {
    const cursorOpt = optDoc(body, 'cursor');
    if (!cursorOpt && body.explain !== true)
      throw new CommandError(Codes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    if (body.explain === true) {
      const stats: PlanStats = { indexName: null, keysExamined: 0, docsExamined: 0 };
      runAggregate({ ...ctx, stats, explainOnly: true }, body, deadlineOf(body));
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
        nReturned = runFind(sub, collectionOf(ctx, collName(inner, 'find')), inner, undefined, letVariables(inner, 'find')).length;
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
