// Command-level `let` variables (find, aggregate, update, delete, findAndModify) as MongoDB 5.0+
// defines them: names validated like user variables, each value an expression evaluated once,
// before any document is read, with the earlier `let` names in scope. MongoDB resolves `$$name`
// when it parses the command, so an undefined variable is an error even when nothing matches;
// mingo only notices when it evaluates, so references are checked here up front.

import { Aggregator } from 'mingo';
import { CommandError, Codes } from '../errors';
import { typeRank, TypeRank } from './bson-order';
import { Doc, isPlainObject } from './paths';

/** Variables every expression may read (MongoDB's builtins; KEEP/PRUNE/DESCEND are `$redact`'s). */
const BUILTINS = new Set(['ROOT', 'CURRENT', 'REMOVE', 'NOW', 'CLUSTER_TIME', 'SEARCH_META', 'USER_ROLES', 'KEEP', 'PRUNE', 'DESCEND']);
/** Reserved names only an internal client may seed through `let` (MongoDB's code 4738901). */
const INTERNAL_CONSTANTS = new Set(['NOW', 'CLUSTER_TIME', 'JS_SCOPE', 'IS_MR', 'USER_ROLES']);

const UNDEFINED_VARIABLE = 17276;
const LET_READS_DOCUMENT = 4890500;
const INTERNAL_CONSTANT = 4738901;

export function undefinedVariable(name: string): CommandError {
  return new CommandError(UNDEFINED_VARIABLE, `Use of undefined variable: ${name}`);
}

/** mingo reports an unknown `$$name` as "Use of undefined variable: name"; MongoDB's code is 17276. */
export function undefinedVariableError(e: unknown): CommandError | null {
  const m = e instanceof Error ? /^Use of undefined variable: (.*)$/.exec(e.message) : null;
  return m ? undefinedVariable(m[1]) : null;
}

function bsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeRank(v) === TypeRank.Number) return 'long';
  return (v as { _bsontype?: string })?._bsontype?.toLowerCase() ?? typeof v;
}

/** MongoDB's rule for user-written variable names: `[a-z]` or non-ASCII first, then `\w` or non-ASCII. */
function nameProblem(name: string): string | null {
  if (name === 'CURRENT') return null;
  if (name === '') return 'empty variable names are not allowed';
  const first = name.charCodeAt(0);
  if (!((first >= 97 && first <= 122) || first >= 0x80)) return `'${name}' starts with an invalid character for a user variable name`;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c >= 0x80;
    if (!ok) return `'${name}' contains an invalid character for a variable name: '${name[i]}'`;
  }
  return null;
}

interface Uses {
  /** Root names of every `$$name` read. */
  refs: Set<string>;
  /** Names bound anywhere inside (`$let`, `as`, `$reduce`, `$lookup.let`): a deliberate over-approximation. */
  bound: Set<string>;
  /** True when a field path (`$a`) is read. */
  fields: boolean;
}

function newUses(): Uses {
  return { refs: new Set(), bound: new Set(), fields: false };
}

function walkExpr(v: unknown, u: Uses, depth = 0): void {
  if (depth > 200) return;
  if (typeof v === 'string') {
    if (v.startsWith('$$')) u.refs.add(v.slice(2).split('.')[0]);
    else if (v.startsWith('$')) u.fields = true;
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) walkExpr(x, u, depth + 1);
    return;
  }
  if (!isPlainObject(v)) return;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === '$literal') return;
  for (const k of keys) {
    const arg = v[k];
    if (k === '$let' && isPlainObject(arg) && isPlainObject(arg.vars)) for (const n of Object.keys(arg.vars)) u.bound.add(n);
    if ((k === '$map' || k === '$filter') && isPlainObject(arg)) {
      u.bound.add(typeof arg.as === 'string' ? arg.as : 'this');
      walkExpr({ ...arg, as: undefined }, u, depth + 1);
      continue;
    }
    if (k === '$reduce') u.bound.add('value').add('this');
    walkExpr(arg, u, depth + 1);
  }
}

/** A query filter reads variables only inside `$expr` (and the logical operators around it). */
function walkFilter(filter: unknown, u: Uses, depth = 0): void {
  if (!isPlainObject(filter) || depth > 100) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$expr') walkExpr(v, u);
    else if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) for (const sub of v) walkFilter(sub, u, depth + 1);
  }
}

/** Stages whose arguments are not expressions (or bind names this walk does not model). */
const OPAQUE_STAGES = new Set([
  '$merge',
  '$out',
  '$geoNear',
  '$search',
  '$searchMeta',
  '$changeStream',
  '$listLocalSessions',
  '$currentOp',
]);

function walkPipeline(stages: unknown, u: Uses, depth = 0): void {
  if (!Array.isArray(stages) || depth > 20) return;
  for (const stage of stages) {
    if (!isPlainObject(stage)) continue;
    for (const [op, arg] of Object.entries(stage)) {
      if (OPAQUE_STAGES.has(op)) continue;
      if (op === '$match') walkFilter(arg, u);
      else if (op === '$lookup' && isPlainObject(arg)) {
        if (isPlainObject(arg.let)) {
          for (const [n, e] of Object.entries(arg.let)) {
            u.bound.add(n);
            walkExpr(e, u);
          }
        }
        walkPipeline(arg.pipeline, u, depth + 1);
      } else if (op === '$unionWith' && isPlainObject(arg)) walkPipeline(arg.pipeline, u, depth + 1);
      else if (op === '$facet' && isPlainObject(arg)) for (const sub of Object.values(arg)) walkPipeline(sub, u, depth + 1);
      else if (op === '$graphLookup' && isPlainObject(arg)) walkExpr(arg.startWith, u);
      else walkExpr(arg, u);
    }
  }
}

function checkRefs(u: Uses, variables: Doc | undefined): void {
  for (const name of u.refs) {
    if (BUILTINS.has(name) || u.bound.has(name) || (variables && name in variables)) continue;
    throw undefinedVariable(name);
  }
}

/** Refuses `$$name` references in a filter's `$expr` that neither `let` nor a builtin defines. */
export function checkFilterVariables(filter: unknown, variables: Doc | undefined): void {
  if (!isPlainObject(filter) || !('$expr' in filter || '$and' in filter || '$or' in filter || '$nor' in filter)) return;
  const u = newUses();
  walkFilter(filter, u);
  checkRefs(u, variables);
}

/** The same for an aggregation or update pipeline. */
export function checkPipelineVariables(pipeline: unknown, variables: Doc | undefined): void {
  const u = newUses();
  walkPipeline(pipeline, u);
  checkRefs(u, variables);
}

/** True when a value holds anything an expression evaluates (a `$`-string or an operator). */
function needsEvaluation(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (typeof v === 'string') return v.startsWith('$');
  if (Array.isArray(v)) return v.some((x) => needsEvaluation(x, depth + 1));
  if (!isPlainObject(v)) return false;
  return Object.entries(v).some(([k, x]) => k.startsWith('$') || needsEvaluation(x, depth + 1));
}

function evaluate(expr: unknown, variables: Doc): unknown {
  try {
    const out = new Aggregator([{ $replaceWith: { v: expr } }], { scriptEnabled: false, variables }).run([{}]) as Doc[];
    return out[0]?.v;
  } catch (e) {
    const undef = undefinedVariableError(e);
    if (undef) throw undef;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CommandError(/unknown|not (registered|supported)/i.test(msg) ? Codes.InvalidPipelineOperator : Codes.BadValue, msg);
  }
}

/**
 * The evaluated `let` of a command (`cmd` names it in errors), or undefined without one. Errors
 * as MongoDB 7.0 gives them: wrong type (14), invalid name (9), reserved constant (4738901),
 * undefined variable (17276), a value reading the document (4890500).
 */
export function letVariables(body: Doc, cmd: string): Doc | undefined {
  const raw = body.let;
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) {
    throw new CommandError(Codes.TypeMismatch, `BSON field '${cmd}.let' is the wrong type '${bsonTypeName(raw)}', expected type 'object'`);
  }
  const out: Doc = {};
  for (const [name, expr] of Object.entries(raw)) {
    const problem = nameProblem(name);
    if (problem) {
      if (INTERNAL_CONSTANTS.has(name)) throw new CommandError(INTERNAL_CONSTANT, `Attempt to set internal constant: ${name}`);
      throw new CommandError(Codes.FailedToParse, `Invalid 'let' parameter :: caused by :: ${problem}`);
    }
    if (!needsEvaluation(expr)) {
      out[name] = expr;
      continue;
    }
    const u = newUses();
    walkExpr(expr, u);
    checkRefs(u, out);
    if (u.fields || u.refs.has('ROOT') || u.refs.has('CURRENT')) {
      throw new CommandError(
        LET_READS_DOCUMENT,
        // MongoDB's message, missing space included.
        'Command let Expression tried to access a field, but this is not allowed because' +
          'Command let Expressions run before the query examines any documents.',
      );
    }
    out[name] = evaluate(expr, out);
  }
  return out;
}
