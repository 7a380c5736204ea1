// Document validation: a collection's `validator` (query operators and/or `$jsonSchema`),
// `validationLevel` and `validationAction`, and the structured `errInfo` MongoDB 5.0+ attaches to
// code 121 DocumentValidationFailure.
//
// The validator is compiled into a small tree of its own instead of one mingo `Query`, for two
// reasons: the error details name every failing clause (so each clause must be testable on its
// own), and MongoDB's `$type` (BSON types, array elements) and `$jsonSchema` are not what mingo
// implements. Leaf operators other than `$type` are still evaluated by mingo, exactly as in `find`.
// The shapes of the details follow MongoDB's doc_validation_error generator: a failing top-level
// clause reports `operatorName`, `specifiedAs`, `reason` and the considered value(s); `$and`/`$or`/
// `$nor` list their failing (or, negated, satisfied) clauses by index; `$jsonSchema` lists its
// failing keywords under `schemaRulesNotSatisfied`.

import { Aggregator, Query } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey, toNumber, typeRank, TypeRank } from './bson-order';
import { Doc, isPlainObject, pathValues } from './paths';

/** What a write needs from a collection to validate a document. */
export interface ValidatedCollection {
  options: Doc;
}

export interface ValidateOptions {
  /** `bypassDocumentValidation: true` on the command. */
  bypass?: boolean;
  /** The stored document an update replaces (absent for inserts and upserts). */
  before?: Doc;
}

const LEVELS = ['off', 'strict', 'moderate'];
const ACTIONS = ['error', 'warn'];

/**
 * Validates a document about to be written to `coll`; throws 121 DocumentValidationFailure with
 * `errInfo` when the collection's validator rejects it and `validationAction` is `error`.
 * Callers: insert, update (incl. replacements and upserts), findAndModify, and `$out`/`$merge`.
 */
export function validateForWrite(coll: ValidatedCollection, doc: Doc, opts: ValidateOptions = {}): void {
  const o = coll.options;
  if (opts.bypass || !isPlainObject(o.validator) || o.validationLevel === 'off') return;
  const v = compiledValidator(o.validator);
  if (v.empty || v.root.test(doc)) return;
  // `moderate`: updates of documents that already broke the rules are not checked.
  if (o.validationLevel === 'moderate' && opts.before && !v.root.test(opts.before)) return;
  // `warn`: MongoDB only logs the failure; the write goes through.
  if (o.validationAction === 'warn') return;
  throw new CommandError(Codes.DocumentValidationFailure, 'Document failed validation', {
    errInfo: { failingDocumentId: doc._id, details: v.root.explain(doc, false) ?? {} },
  });
}

/**
 * The validation options of a `create` or `collMod` command, checked as MongoDB checks them.
 * Only the fields present are returned (`listCollections` reports what was set explicitly).
 */
export function parseValidationOptions(body: Doc, cmd: string): Doc {
  const out: Doc = {};
  if (body.validator !== undefined) {
    if (!isPlainObject(body.validator)) {
      throw new CommandError(
        Codes.TypeMismatch,
        `BSON field '${cmd}.validator' is the wrong type '${typeName(body.validator)}', expected type 'object'`,
      );
    }
    try {
      compiledValidator(body.validator);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      throw new CommandError(e.code, `Parsing of collection validator failed :: caused by :: ${e.message}`);
    }
    // An empty validator is no validator: MongoDB does not list it.
    if (Object.keys(body.validator).length > 0) out.validator = body.validator;
  }
  for (const [field, allowed] of [
    ['validationLevel', LEVELS],
    ['validationAction', ACTIONS],
  ] as const) {
    const v = body[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') {
      throw new CommandError(Codes.TypeMismatch, `BSON field '${cmd}.${field}' is the wrong type '${typeName(v)}', expected type 'string'`);
    }
    if (!allowed.includes(v))
      throw new CommandError(Codes.BadValue, `Enumeration value '${v}' for field '${cmd}.${field}' is not a valid value.`);
    out[field] = v;
  }
  return out;
}

/** A `jsonSchemaValidator` for mingo, so `$jsonSchema` in queries means what it means here. */
export function jsonSchemaValidator(schema: Doc): (doc: Doc) => boolean {
  const s = compileSchema(schema, true);
  return (doc) => schemaTest(s, doc, true);
}

// ---------------------------------------------------------------------------------------------
// Compiled validators, cached by the validator object (options are replaced, never mutated).

interface Compiled {
  empty: boolean;
  root: MatchNode;
}

const compiledCache = new WeakMap<Doc, Compiled>();

function compiledValidator(validator: Doc): Compiled {
  let c = compiledCache.get(validator);
  if (!c) {
    c = { empty: Object.keys(validator).length === 0, root: parseFilter(validator) };
    compiledCache.set(validator, c);
  }
  return c;
}

interface MatchNode {
  test(doc: Doc): boolean;
  /**
   * The details of this node's contribution to the error: why it failed, or, when `inverted`
   * (under `$not`/`$nor`), why it matched.
   */
  explain(doc: Doc, inverted: boolean): Doc | undefined;
}

function badValue(msg: string): CommandError {
  return new CommandError(Codes.BadValue, msg);
}

/** A filter document: one node per clause, an implicit `$and` when there are several. */
function parseFilter(filter: Doc): MatchNode {
  const clauses: MatchNode[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) {
      const node = parseTopLevelOperator(k, v);
      if (node) clauses.push(node);
      continue;
    }
    if (isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v)[0].startsWith('$') && !('$ref' in v && '$id' in v)) {
      clauses.push(...parseFieldOperators(k, v));
    } else if (v instanceof RegExp) {
      clauses.push(new LeafNode(k, '$regex', { [k]: v }, { [k]: v }));
    } else {
      clauses.push(new LeafNode(k, '$eq', { [k]: v }, { [k]: v }));
    }
  }
  return clauses.length === 1 ? clauses[0] : new ListNode('$and', clauses);
}

function parseTopLevelOperator(op: string, v: unknown): MatchNode | null {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(v) || v.length === 0) throw badValue(`${op} must be a nonempty array`);
      return new ListNode(
        op,
        v.map((sub) => {
          if (!isPlainObject(sub)) throw badValue('$or/$and/$nor entries need to be full objects');
          return parseFilter(sub);
        }),
      );
    }
    case '$expr':
      return new ExprNode(v);
    case '$jsonSchema':
      if (!isPlainObject(v)) throw new CommandError(Codes.TypeMismatch, '$jsonSchema must be an object');
      return new JsonSchemaNode(v);
    case '$comment':
      return null;
    case '$where':
    case '$text':
      throw badValue(`${op} is not allowed in this context`);
    default:
      throw badValue(
        `unknown top level operator: ${op}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
      );
  }
}

function parseFieldOperators(path: string, ops: Doc): MatchNode[] {
  const out: MatchNode[] = [];
  for (const [op, arg] of Object.entries(ops)) {
    const spec = { [path]: { [op]: arg } };
    switch (op) {
      case '$not': {
        if (arg instanceof RegExp) {
          out.push(new NotNode(new LeafNode(path, '$regex', { [path]: arg }, { [path]: arg }), true));
          break;
        }
        if (!isPlainObject(arg)) throw badValue('$not needs a regex or a document');
        if (Object.keys(arg).length === 0) throw badValue('$not cannot be empty');
        const inner = parseFieldOperators(path, arg);
        out.push(new NotNode(inner.length === 1 ? inner[0] : new ListNode('$and', inner), true));
        break;
      }
      case '$ne':
        out.push(new NotNode(new LeafNode(path, '$eq', { [path]: { $eq: arg } }, spec, '$ne'), false));
        break;
      case '$nin':
        if (!Array.isArray(arg)) throw badValue('$nin needs an array');
        out.push(new NotNode(new LeafNode(path, '$in', { [path]: { $in: arg } }, spec, '$nin'), false));
        break;
      case '$exists': {
        const leaf = new LeafNode(path, '$exists', { [path]: { $exists: true } }, spec);
        out.push(isTruthy(arg) ? leaf : new NotNode(leaf, false));
        break;
      }
      case '$type':
        out.push(new TypeNode(path, arg, spec));
        break;
      case '$options':
        if (!('$regex' in ops)) throw badValue('$options needs a $regex');
        break;
      case '$regex': {
        const sub: Doc = { $regex: arg };
        if (ops.$options !== undefined) sub.$options = ops.$options;
        out.push(new LeafNode(path, '$regex', { [path]: sub }, { [path]: sub }));
        break;
      }
      case '$near':
      case '$nearSphere':
      case '$geoNear':
        throw badValue(`${op} is not allowed in this context`);
      default:
        if (!op.startsWith('$')) throw badValue(`unknown operator: ${op}`);
        if ((op === '$in' || op === '$all') && !Array.isArray(arg)) throw badValue(`${op} needs an array`);
        out.push(new LeafNode(path, op, spec, spec));
    }
  }
  return out;
}

function isTruthy(v: unknown): boolean {
  if (typeof v === 'number') return v !== 0;
  return v !== false && v !== null && v !== undefined;
}

function compileQuery(filter: Doc): Query {
  try {
    return new Query(filter, { scriptEnabled: false, jsonSchemaValidator });
  } catch (e) {
    throw badValue(e instanceof Error ? e.message : String(e));
  }
}

/** `$and`, `$or`, `$nor` (and the implicit `$and` of several clauses). */
class ListNode implements MatchNode {
  constructor(
    private readonly op: string,
    private readonly children: MatchNode[],
  ) {}

  test(doc: Doc): boolean {
    if (this.op === '$and') return this.children.every((c) => c.test(doc));
    const any = this.children.some((c) => c.test(doc));
    return this.op === '$or' ? any : !any;
  }

  explain(doc: Doc, inverted: boolean): Doc {
    // `$nor` is an `$or` seen negated: it reports the clauses that matched.
    const childInverted = this.op === '$nor' ? !inverted : inverted;
    const entries: Doc[] = [];
    this.children.forEach((c, index) => {
      if (c.test(doc) !== childInverted) return;
      const details = c.explain(doc, childInverted);
      if (details) entries.push({ index, details });
    });
    return { operatorName: this.op, [childInverted ? 'clausesSatisfied' : 'clausesNotSatisfied']: entries };
  }
}

/** `$not` (named in the details) or the negation behind `$ne`/`$nin`/`$exists: false` (transparent). */
class NotNode implements MatchNode {
  constructor(
    private readonly child: MatchNode,
    private readonly named: boolean,
  ) {}

  test(doc: Doc): boolean {
    return !this.child.test(doc);
  }

  explain(doc: Doc, inverted: boolean): Doc | undefined {
    const details = this.child.explain(doc, !inverted);
    return this.named ? { operatorName: '$not', details } : details;
  }
}

interface LeafKind {
  normal: string;
  inverted: string;
  /** Types the operator applies to; a value of another type is reported as a type mismatch. */
  expected?: string[];
  /** The value itself, not its array elements, is considered. */
  noTraversal?: boolean;
}

const NUMBER_TYPES = ['decimal', 'double', 'int', 'long'];
/** The four bitwise operators fail and pass with the same reasons (MongoDB's error details). */
const BITWISE_REASONS = {
  normal: 'bitwise operator failed to match',
  inverted: 'bitwise operator matched successfully',
  expected: ['binData', ...NUMBER_TYPES],
};

const LEAF_KINDS: Record<string, LeafKind> = {
  $eq: { normal: 'comparison failed', inverted: 'comparison succeeded' },
  $gt: { normal: 'comparison failed', inverted: 'comparison succeeded' },
  $gte: { normal: 'comparison failed', inverted: 'comparison succeeded' },
  $lt: { normal: 'comparison failed', inverted: 'comparison succeeded' },
  $lte: { normal: 'comparison failed', inverted: 'comparison succeeded' },
  $in: { normal: 'no matching value found in array', inverted: 'matching value found in array' },
  $regex: { normal: 'regular expression did not match', inverted: 'regular expression did match', expected: ['regex', 'string', 'symbol'] },
  $mod: {
    normal: '$mod did not evaluate to expected remainder',
    inverted: '$mod did evaluate to expected remainder',
    expected: NUMBER_TYPES,
  },
  $size: {
    normal: 'array length was not equal to given size',
    inverted: 'array length was equal to given size',
    expected: ['array'],
    noTraversal: true,
  },
  $elemMatch: {
    normal: 'array did not satisfy the child predicate',
    inverted: 'array did satisfy the child predicate',
    expected: ['array'],
    noTraversal: true,
  },
  $all: { normal: 'array did not contain all specified values', inverted: 'array did contain all specified values', noTraversal: true },
  $bitsAllSet: BITWISE_REASONS,
  $bitsAllClear: BITWISE_REASONS,
  $bitsAnySet: BITWISE_REASONS,
  $bitsAnyClear: BITWISE_REASONS,
};
const GENERIC_KIND: LeafKind = { normal: 'expression did not match', inverted: 'expression did match' };

/** A field operator evaluated by mingo (as `find` evaluates it). */
class LeafNode implements MatchNode {
  private readonly query: Query;

  constructor(
    private readonly path: string,
    private readonly op: string,
    filter: Doc,
    private readonly specifiedAs: Doc,
    private readonly name = op,
  ) {
    this.query = compileQuery(filter);
  }

  test(doc: Doc): boolean {
    return this.query.test(doc);
  }

  explain(doc: Doc, inverted: boolean): Doc {
    const out: Doc = { operatorName: this.name, specifiedAs: this.specifiedAs };
    if (this.op === '$exists') {
      out.reason = inverted ? 'path does exist' : 'path does not exist';
      return out;
    }
    const kind = LEAF_KINDS[this.op] ?? GENERIC_KIND;
    const values = valuesAt(doc, this.path, kind.noTraversal === true);
    if (!values) out.reason = 'field was missing';
    else if (kind.expected && !values.some((v) => kind.expected!.includes(typeName(v)))) {
      out.reason = 'type did not match';
      appendConsideredTypes(out, values);
      const expected = [...new Set(kind.expected)].sort();
      if (expected.length === 1) out.expectedType = expected[0];
      else out.expectedTypes = expected;
    }
    if (out.reason === undefined) out.reason = inverted ? kind.inverted : kind.normal;
    if (values) appendConsideredValues(out, values);
    return out;
  }
}

/** `$type` with MongoDB's BSON type names and array-element semantics. */
class TypeNode implements MatchNode {
  private readonly types: Set<string>;

  constructor(
    private readonly path: string,
    arg: unknown,
    private readonly specifiedAs: Doc,
  ) {
    this.types = parseTypeSet(arg, '$type');
  }

  test(doc: Doc): boolean {
    const { values } = pathValues(doc, this.path.split('.'));
    for (const v of values) {
      if (this.types.has(typeName(v))) return true;
      if (Array.isArray(v) && v.some((e) => this.types.has(typeName(e)))) return true;
    }
    return false;
  }

  explain(doc: Doc, inverted: boolean): Doc {
    const out: Doc = { operatorName: '$type', specifiedAs: this.specifiedAs };
    const values = valuesAt(doc, this.path, false);
    out.reason = !values ? 'field was missing' : inverted ? 'type did match' : 'type did not match';
    if (values) {
      appendConsideredValues(out, values);
      appendConsideredTypes(out, values);
    }
    return out;
  }
}

const EXPR_RESULT = '__embeddedValidationExpressionResult';

/** `$expr`, evaluated by mingo; the details carry the expression's result. */
class ExprNode implements MatchNode {
  private readonly query: Query;
  private agg: Aggregator | null = null;

  constructor(private readonly expr: unknown) {
    this.query = compileQuery({ $expr: expr });
  }

  test(doc: Doc): boolean {
    return this.query.test(doc);
  }

  explain(doc: Doc, inverted: boolean): Doc {
    const out: Doc = { operatorName: '$expr', specifiedAs: { $expr: this.expr } };
    try {
      this.agg ??= new Aggregator([{ $set: { [EXPR_RESULT]: this.expr } }], { scriptEnabled: false });
      const [res] = this.agg.run([{ ...doc }]) as Doc[];
      out.reason = inverted ? 'expression did match' : 'expression did not match';
      out.expressionResult = res?.[EXPR_RESULT] ?? null;
    } catch (e) {
      out.reason = 'failed to evaluate aggregation expression';
      out.details = { errmsg: e instanceof Error ? e.message : String(e) };
    }
    return out;
  }
}

class JsonSchemaNode implements MatchNode {
  private readonly schema: Schema;

  constructor(private readonly raw: Doc) {
    this.schema = compileSchema(raw, true);
  }

  test(doc: Doc): boolean {
    return schemaTest(this.schema, doc, true);
  }

  explain(doc: Doc, inverted: boolean): Doc {
    if (inverted) return { operatorName: '$jsonSchema', reason: 'schema matched' };
    if (this.schema.alwaysFalse)
      return { operatorName: '$jsonSchema', specifiedAs: { $jsonSchema: this.raw }, reason: 'expression always evaluates to false' };
    return { operatorName: '$jsonSchema', ...this.schema.annotations, schemaRulesNotSatisfied: schemaExplain(this.schema, doc, true) };
  }
}

// ---------------------------------------------------------------------------------------------
// Values and BSON type names.

/** MongoDB's name for the BSON type of a stored value. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'number':
      // Numbers arrive as JS numbers: an integral int32 is what the driver sends as int.
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (v instanceof Uint8Array) return 'binData';
  switch ((v as { _bsontype?: string })._bsontype) {
    case undefined:
    case 'DBRef':
      return 'object';
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Timestamp':
      return 'timestamp';
    case 'Binary':
      return 'binData';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    case 'Code':
      return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    default:
      return 'object';
  }
}

const TYPE_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  12: 'dbPointer',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};
const BSON_ALIASES = new Set(Object.values(TYPE_CODES));
const JSON_TYPE_ALIASES: Record<string, string[]> = {
  array: ['array'],
  boolean: ['bool'],
  null: ['null'],
  number: NUMBER_TYPES,
  object: ['object'],
  string: ['string'],
};

/** Parses `$type`/`bsonType` arguments (aliases, numeric codes, arrays of those) into type names. */
function parseTypeSet(arg: unknown, what: string): Set<string> {
  const items = Array.isArray(arg) ? arg : [arg];
  if (items.length === 0) throw new CommandError(Codes.FailedToParse, `${what} must match at least one type`);
  const out = new Set<string>();
  for (const it of items) {
    if (typeof it === 'string') {
      if (it === 'number') NUMBER_TYPES.forEach((t) => out.add(t));
      else if (BSON_ALIASES.has(it)) out.add(it);
      else throw badValue(`Unknown type name alias: ${it}`);
    } else if (typeRank(it) === TypeRank.Number) {
      const n = toNumber(it);
      if (!TYPE_CODES[n]) throw badValue(`Invalid numerical type code: ${n}`);
      out.add(TYPE_CODES[n]);
    } else {
      throw new CommandError(Codes.TypeMismatch, `type must be represented as a number or a string`);
    }
  }
  return out;
}

const MAX_CONSIDERED_VALUES = 10;

/**
 * The values a path reaches (array elements in place of a leaf array unless `noTraversal`), or
 * undefined when the path does not exist. An empty leaf array yields `[]` (the path exists).
 */
function valuesAt(doc: Doc, path: string, noTraversal: boolean): unknown[] | undefined {
  const { values } = pathValues(doc, path.split('.'));
  if (values.length === 0) return undefined;
  if (noTraversal) return values;
  return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function appendConsideredValues(out: Doc, values: unknown[]): void {
  if (values.length === 1) out.consideredValue = values[0];
  else out.consideredValues = values.slice(0, MAX_CONSIDERED_VALUES);
  if (values.length > MAX_CONSIDERED_VALUES) out.consideredValuesTruncated = true;
}

function appendConsideredTypes(out: Doc, values: unknown[]): void {
  if (values.length === 0) return;
  const types = [...new Set(values.map(typeName))].sort();
  if (types.length === 1) out.consideredType = types[0];
  else out.consideredTypes = types;
}

// ---------------------------------------------------------------------------------------------
// $jsonSchema: MongoDB's draft-4 subset with `bsonType`.

interface Bound {
  n: number;
  spec: Doc;
}

interface Schema {
  annotations: Doc;
  /** A top-level schema whose type excludes objects: it matches no document. */
  alwaysFalse?: Doc;
  type?: { names: Set<string>; spec: Doc };
  pattern?: { re: RegExp; spec: Doc };
  maxLength?: Bound;
  minLength?: Bound;
  multipleOf?: Bound;
  maximum?: Bound & { exclusive: boolean };
  minimum?: Bound & { exclusive: boolean };
  minItems?: Bound;
  maxItems?: Bound;
  uniqueItems?: Doc;
  items?: Schema | Schema[];
  additionalItems?: { allowed: boolean | Schema; spec: Doc };
  properties?: Array<[string, Schema]>;
  patternProperties?: Array<{ source: string; re: RegExp; schema: Schema }>;
  additionalProperties?: { allowed: boolean | Schema; spec: Doc };
  required?: { names: string[]; spec: Doc };
  minProperties?: Bound;
  maxProperties?: Bound;
  dependencies?: Array<[string, string[] | Schema]>;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  enum?: { values: unknown[]; spec: Doc };
}

const SCHEMA_KEYWORDS = new Set([
  'additionalItems',
  'additionalProperties',
  'allOf',
  'anyOf',
  'bsonType',
  'dependencies',
  'description',
  'enum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'items',
  'maxItems',
  'maxLength',
  'maxProperties',
  'maximum',
  'minItems',
  'minLength',
  'minProperties',
  'minimum',
  'multipleOf',
  'not',
  'oneOf',
  'pattern',
  'patternProperties',
  'properties',
  'required',
  'title',
  'type',
  'uniqueItems',
]);
const UNSUPPORTED_KEYWORDS = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);

function failedToParse(msg: string): CommandError {
  return new CommandError(Codes.FailedToParse, msg);
}

function typeMismatch(msg: string): CommandError {
  return new CommandError(Codes.TypeMismatch, msg);
}

function isNumber(v: unknown): boolean {
  return typeRank(v) === TypeRank.Number;
}

function nonNegativeInteger(raw: Doc, kw: string): Bound {
  const v = raw[kw];
  if (!isNumber(v)) throw failedToParse(`Expected a number in: ${kw}: ${JSON.stringify(v)}`);
  const n = toNumber(v);
  if (!Number.isInteger(n)) throw failedToParse(`Expected an integer: ${kw}: ${n}`);
  if (n < 0) throw failedToParse(`Expected a positive number in: ${kw}: ${n}`);
  return { n, spec: { [kw]: v } };
}

/** The subschemas of `allOf`/`anyOf`/`oneOf`; at the top level they describe the document too. */
function subschemaList(raw: Doc, kw: string, root: boolean): Schema[] {
  const v = raw[kw];
  if (!Array.isArray(v)) throw typeMismatch(`$jsonSchema keyword '${kw}' must be an array`);
  if (v.length === 0) throw badValue(`$jsonSchema keyword '${kw}' must be a non-empty array`);
  return v.map((s) => {
    if (!isPlainObject(s))
      throw typeMismatch(`$jsonSchema keyword '${kw}' must be an array of objects, but found an element of type ${typeName(s)}`);
    return compileSchema(s, root);
  });
}

function compileRegex(source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch {
    try {
      return new RegExp(source);
    } catch (e) {
      throw badValue(`Regular expression is invalid: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Compiles a (sub)schema, refusing what MongoDB refuses with MongoDB's codes and messages. */
function compileSchema(raw: Doc, root: boolean): Schema {
  for (const kw of Object.keys(raw)) {
    if (SCHEMA_KEYWORDS.has(kw)) continue;
    if (UNSUPPORTED_KEYWORDS.has(kw)) throw failedToParse(`$jsonSchema keyword '${kw}' is not currently supported`);
    if (kw === 'encrypt' || kw === 'encryptMetadata') {
      throw new CommandError(Codes.QueryFeatureNotAllowed, 'Encryption-related validator keywords are not allowed in this context');
    }
    throw failedToParse(`Unknown $jsonSchema keyword: ${kw}`);
  }
  const s: Schema = { annotations: {} };
  for (const kw of ['title', 'description']) {
    if (raw[kw] === undefined) continue;
    if (typeof raw[kw] !== 'string') throw typeMismatch(`$jsonSchema keyword '${kw}' must be of type string`);
    s.annotations[kw] = raw[kw];
  }
  if (raw.type !== undefined && raw.bsonType !== undefined)
    throw failedToParse("Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
  const typeKw = raw.type !== undefined ? 'type' : raw.bsonType !== undefined ? 'bsonType' : null;
  if (typeKw) {
    s.type = { names: parseSchemaTypes(raw[typeKw], typeKw), spec: { [typeKw]: raw[typeKw] } };
    if (root && !s.type.names.has('object')) s.alwaysFalse = raw;
  }

  if (raw.pattern !== undefined) {
    if (typeof raw.pattern !== 'string') throw typeMismatch("$jsonSchema keyword 'pattern' must be a string");
    s.pattern = { re: compileRegex(raw.pattern), spec: { pattern: raw.pattern } };
  }
  if (raw.maxLength !== undefined) s.maxLength = nonNegativeInteger(raw, 'maxLength');
  if (raw.minLength !== undefined) s.minLength = nonNegativeInteger(raw, 'minLength');
  if (raw.multipleOf !== undefined) {
    if (!isNumber(raw.multipleOf)) throw typeMismatch("$jsonSchema keyword 'multipleOf' must be a number");
    if (!(toNumber(raw.multipleOf) > 0)) throw failedToParse("$jsonSchema keyword 'multipleOf' must have a positive value");
    s.multipleOf = { n: toNumber(raw.multipleOf), spec: { multipleOf: raw.multipleOf } };
  }
  for (const [kw, ex] of [
    ['maximum', 'exclusiveMaximum'],
    ['minimum', 'exclusiveMinimum'],
  ] as const) {
    if (raw[kw] === undefined) {
      if (raw[ex] !== undefined) throw failedToParse(`$jsonSchema keyword '${kw}' must be a present if ${ex} is present`);
      continue;
    }
    if (raw[ex] !== undefined && typeof raw[ex] !== 'boolean') throw typeMismatch(`$jsonSchema keyword '${ex}' must be a boolean`);
    if (!isNumber(raw[kw])) throw typeMismatch(`$jsonSchema keyword '${kw}' must be a number`);
    const exclusive = raw[ex] === true;
    s[kw] = { n: toNumber(raw[kw]), exclusive, spec: exclusive ? { [kw]: raw[kw], [ex]: true } : { [kw]: raw[kw] } };
  }

  if (raw.minItems !== undefined) s.minItems = nonNegativeInteger(raw, 'minItems');
  if (raw.maxItems !== undefined) s.maxItems = nonNegativeInteger(raw, 'maxItems');
  if (raw.uniqueItems !== undefined) {
    if (typeof raw.uniqueItems !== 'boolean') throw typeMismatch("$jsonSchema keyword 'uniqueItems' must be a boolean");
    if (raw.uniqueItems) s.uniqueItems = { uniqueItems: true };
  }
  if (raw.items !== undefined) {
    if (Array.isArray(raw.items)) {
      s.items = raw.items.map((it) => {
        if (!isPlainObject(it))
          throw typeMismatch(
            `$jsonSchema keyword 'items' requires that each element of the array is an object, but found a ${typeName(it)}`,
          );
        return compileSchema(it, false);
      });
    } else if (isPlainObject(raw.items)) {
      s.items = compileSchema(raw.items, false);
    } else {
      throw typeMismatch(`$jsonSchema keyword 'items' must be an array or an object, not ${typeName(raw.items)}`);
    }
  }
  if (raw.additionalItems !== undefined) {
    const ai = raw.additionalItems;
    if (typeof ai !== 'boolean' && !isPlainObject(ai)) {
      throw typeMismatch(`$jsonSchema keyword 'additionalItems' must be either an object or a boolean, but got a ${typeName(ai)}`);
    }
    s.additionalItems = { allowed: typeof ai === 'boolean' ? ai : compileSchema(ai, false), spec: { additionalItems: ai } };
  }

  if (raw.required !== undefined) {
    if (!Array.isArray(raw.required))
      throw typeMismatch(`$jsonSchema keyword 'required' must be an array, but found an element of type ${typeName(raw.required)}`);
    const names = new Set<string>();
    for (const n of raw.required) {
      if (typeof n !== 'string')
        throw typeMismatch(`$jsonSchema keyword 'required' must be an array of strings, but found an element of type: ${typeName(n)}`);
      if (names.has(n)) throw failedToParse("$jsonSchema keyword 'required' array cannot contain duplicate values");
      names.add(n);
    }
    if (names.size === 0) throw failedToParse("$jsonSchema keyword 'required' cannot be an empty array");
    s.required = { names: [...names].sort(), spec: { required: raw.required } };
  }
  if (raw.properties !== undefined) {
    if (!isPlainObject(raw.properties)) throw typeMismatch("$jsonSchema keyword 'properties' must be an object");
    s.properties = Object.entries(raw.properties).map(([name, sub]) => {
      if (!isPlainObject(sub)) throw typeMismatch(`Nested schema for $jsonSchema property '${name}' must be an object`);
      return [name, compileSchema(sub, false)];
    });
  }
  if (raw.patternProperties !== undefined) {
    if (!isPlainObject(raw.patternProperties)) throw typeMismatch("$jsonSchema keyword 'patternProperties' must be an object");
    s.patternProperties = Object.entries(raw.patternProperties).map(([source, sub]) => {
      if (!isPlainObject(sub))
        throw typeMismatch(`$jsonSchema keyword 'patternProperties' has property '${source}' which is not an object`);
      return { source, re: compileRegex(source), schema: compileSchema(sub, false) };
    });
  }
  if (raw.additionalProperties !== undefined) {
    const ap = raw.additionalProperties;
    if (typeof ap !== 'boolean' && !isPlainObject(ap))
      throw typeMismatch("$jsonSchema keyword 'additionalProperties' must be an object or a boolean");
    s.additionalProperties = { allowed: typeof ap === 'boolean' ? ap : compileSchema(ap, false), spec: { additionalProperties: ap } };
  }
  if (raw.minProperties !== undefined) s.minProperties = nonNegativeInteger(raw, 'minProperties');
  if (raw.maxProperties !== undefined) s.maxProperties = nonNegativeInteger(raw, 'maxProperties');
  if (raw.dependencies !== undefined) {
    if (!isPlainObject(raw.dependencies)) throw typeMismatch("$jsonSchema keyword 'dependencies' must be an object");
    s.dependencies = [];
    for (const [name, dep] of Object.entries(raw.dependencies)) {
      if (isPlainObject(dep)) {
        s.dependencies.push([name, compileSchema(dep, root)]);
      } else if (Array.isArray(dep)) {
        if (dep.length === 0) throw failedToParse(`property '${name}' in $jsonSchema keyword 'dependencies' cannot be an empty array`);
        const seen = new Set<string>();
        for (const d of dep) {
          if (typeof d !== 'string') {
            throw typeMismatch(
              `array '${name}' in $jsonSchema keyword 'dependencies' can only contain strings, but found element of type: ${typeName(d)}`,
            );
          }
          if (seen.has(d)) throw failedToParse(`array '${name}' in $jsonSchema keyword 'dependencies' contains duplicate element: ${d}`);
          seen.add(d);
        }
        s.dependencies.push([name, dep as string[]]);
      } else if (!(typeof dep === 'string' && (name === 'title' || name === 'description'))) {
        throw typeMismatch(`property '${name}' in $jsonSchema keyword 'dependencies' must be either an object or an array`);
      }
    }
  }

  if (raw.allOf !== undefined) s.allOf = subschemaList(raw, 'allOf', root);
  if (raw.anyOf !== undefined) s.anyOf = subschemaList(raw, 'anyOf', root);
  if (raw.oneOf !== undefined) s.oneOf = subschemaList(raw, 'oneOf', root);
  if (raw.not !== undefined) {
    if (!isPlainObject(raw.not))
      throw typeMismatch(`$jsonSchema keyword 'not' must be an object, but found an element of type ${typeName(raw.not)}`);
    s.not = compileSchema(raw.not, root);
  }
  if (raw.enum !== undefined) {
    if (!Array.isArray(raw.enum))
      throw typeMismatch(`$jsonSchema keyword 'enum' must be an array, but found an element of type ${typeName(raw.enum)}`);
    if (raw.enum.length === 0) throw failedToParse("$jsonSchema keyword 'enum' cannot be an empty array");
    const keys = new Set(raw.enum.map(unorderedKey));
    if (keys.size !== raw.enum.length) throw failedToParse("$jsonSchema keyword 'enum' array cannot contain duplicate values.");
    s.enum = { values: raw.enum, spec: { enum: raw.enum } };
  }
  return s;
}

function parseSchemaTypes(arg: unknown, kw: 'type' | 'bsonType'): Set<string> {
  if (typeof arg !== 'string' && !Array.isArray(arg))
    throw typeMismatch(`$jsonSchema keyword '${kw}' must be either a string or an array of strings`);
  const items = Array.isArray(arg) ? arg : [arg];
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const it of items) {
    if (typeof it !== 'string') throw typeMismatch(`$jsonSchema keyword '${kw}' array elements must be strings`);
    if (it === 'integer') throw failedToParse("$jsonSchema type 'integer' is not currently supported.");
    if (seen.has(it)) throw failedToParse(`$jsonSchema keyword '${kw}' has duplicate value: ${it}`);
    seen.add(it);
    if (kw === 'type') {
      const names = JSON_TYPE_ALIASES[it];
      if (!names) throw badValue(`Unknown JSON Schema type: ${it}`);
      names.forEach((n) => out.add(n));
    } else {
      parseTypeSet(it, kw).forEach((n) => out.add(n));
    }
  }
  if (out.size === 0) throw failedToParse(`$jsonSchema keyword '${kw}' must name at least one type`);
  return out;
}

/** Equality for `enum`/`uniqueItems`: BSON value semantics, embedded field order ignored. */
function unorderedKey(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(unorderedKey).join(',') + ']';
  if (isPlainObject(v)) {
    return (
      '{' +
      Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + unorderedKey(v[k]))
        .join(',') +
      '}'
    );
  }
  return canonicalKey(v);
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isMultipleOf(v: number, d: number): boolean {
  return v % d === 0;
}

function withinMaximum(v: number, b: Bound & { exclusive: boolean }): boolean {
  return b.exclusive ? v < b.n : v <= b.n;
}

function withinMinimum(v: number, b: Bound & { exclusive: boolean }): boolean {
  return b.exclusive ? v > b.n : v >= b.n;
}

function additionalPropertyNames(s: Schema, obj: Doc): string[] {
  const declared = new Set((s.properties ?? []).map(([n]) => n));
  return Object.keys(obj).filter((k) => obj[k] !== undefined && !declared.has(k) && !(s.patternProperties ?? []).some((p) => p.re.test(k)));
}

function firstDuplicate(arr: unknown[]): { found: boolean; value?: unknown } {
  const seen = new Set<string>();
  for (const v of arr) {
    const k = unorderedKey(v);
    if (seen.has(k)) return { found: true, value: v };
    seen.add(k);
  }
  return { found: false };
}

/**
 * Whether a value satisfies a schema. Restriction keywords only apply to values of their type
 * (`maxLength` to strings, `items` to arrays, `properties` to objects); at the top level the value
 * is the document. Absent properties are never tested here: `required` reports them.
 */
function schemaTest(s: Schema, v: unknown, root: boolean): boolean {
  if (s.alwaysFalse) return false;
  const t = typeName(v);
  if (!root && s.type && !s.type.names.has(t)) return false;
  if (!root && t === 'string') {
    const str = v as string;
    if (s.pattern && !s.pattern.re.test(str)) return false;
    if (s.maxLength && codePoints(str) > s.maxLength.n) return false;
    if (s.minLength && codePoints(str) < s.minLength.n) return false;
  }
  if (!root && NUMBER_TYPES.includes(t)) {
    const n = toNumber(v);
    if (s.multipleOf && !isMultipleOf(n, s.multipleOf.n)) return false;
    if (s.maximum && !withinMaximum(n, s.maximum)) return false;
    if (s.minimum && !withinMinimum(n, s.minimum)) return false;
  }
  if (!root && t === 'array' && !arrayKeywordsHold(s, v as unknown[])) return false;
  if ((root || t === 'object') && !objectKeywordsHold(s, v as Doc, root)) return false;
  if (s.allOf && !s.allOf.every((x) => schemaTest(x, v, root))) return false;
  if (s.anyOf && !s.anyOf.some((x) => schemaTest(x, v, root))) return false;
  if (s.oneOf && s.oneOf.filter((x) => schemaTest(x, v, root)).length !== 1) return false;
  if (s.not && schemaTest(s.not, v, root)) return false;
  if (s.enum && !enumHolds(s, v, root)) return false;
  return true;
}

function enumHolds(s: Schema, v: unknown, root: boolean): boolean {
  const key = unorderedKey(v);
  // A top-level enum compares the whole document; only object values can match it.
  return s.enum!.values.some((e) => (!root || isPlainObject(e)) && unorderedKey(e) === key);
}

function arrayKeywordsHold(s: Schema, arr: unknown[]): boolean {
  if (s.minItems && arr.length < s.minItems.n) return false;
  if (s.maxItems && arr.length > s.maxItems.n) return false;
  if (s.uniqueItems && firstDuplicate(arr).found) return false;
  if (s.items && !Array.isArray(s.items) && !arr.every((e) => schemaTest(s.items as Schema, e, false))) return false;
  if (Array.isArray(s.items)) {
    const items = s.items;
    if (!items.every((x, i) => i >= arr.length || schemaTest(x, arr[i], false))) return false;
    const extra = arr.slice(items.length);
    const ai = s.additionalItems?.allowed;
    if (ai === false && extra.length > 0) return false;
    if (ai && ai !== true && !extra.every((e) => schemaTest(ai, e, false))) return false;
  }
  return true;
}

function objectKeywordsHold(s: Schema, obj: Doc, root: boolean): boolean {
  for (const [name, sub] of s.properties ?? []) {
    if (obj[name] !== undefined && !schemaTest(sub, obj[name], false)) return false;
  }
  if (s.patternProperties) {
    for (const p of s.patternProperties) {
      for (const k of Object.keys(obj)) if (obj[k] !== undefined && p.re.test(k) && !schemaTest(p.schema, obj[k], false)) return false;
    }
  }
  if (s.additionalProperties) {
    const extra = additionalPropertyNames(s, obj);
    const ap = s.additionalProperties.allowed;
    if (ap === false && extra.length > 0) return false;
    if (ap && ap !== true && !extra.every((k) => schemaTest(ap, obj[k], false))) return false;
  }
  if (s.required && !s.required.names.every((n) => obj[n] !== undefined)) return false;
  const count = Object.keys(obj).filter((k) => obj[k] !== undefined).length;
  if (s.minProperties && count < s.minProperties.n) return false;
  if (s.maxProperties && count > s.maxProperties.n) return false;
  for (const [name, dep] of s.dependencies ?? []) {
    if (obj[name] === undefined) continue;
    if (Array.isArray(dep) ? !dep.every((d) => obj[d] !== undefined) : !schemaTest(dep, obj, root)) return false;
  }
  return true;
}

/**
 * The failing keywords of a schema, in MongoDB's order: string and number keywords, array
 * keywords, object keywords, logical keywords, then the type of a nested value.
 */
function schemaExplain(s: Schema, v: unknown, root: boolean): Doc[] {
  if (s.alwaysFalse)
    return [{ operatorName: '$jsonSchema', specifiedAs: { $jsonSchema: s.alwaysFalse }, reason: 'expression always evaluates to false' }];
  const out: Doc[] = [];
  const t = typeName(v);
  if (!root && t === 'string') {
    const str = v as string;
    if (s.pattern && !s.pattern.re.test(str)) {
      out.push({ operatorName: 'pattern', specifiedAs: s.pattern.spec, reason: 'regular expression did not match', consideredValue: v });
    }
    for (const kw of ['maxLength', 'minLength'] as const) {
      const b = s[kw];
      const len = codePoints(str);
      if (b && (kw === 'maxLength' ? len > b.n : len < b.n)) {
        out.push({ operatorName: kw, specifiedAs: b.spec, reason: 'specified string length was not satisfied', consideredValue: v });
      }
    }
  }
  if (!root && NUMBER_TYPES.includes(t)) {
    const n = toNumber(v);
    if (s.multipleOf && !isMultipleOf(n, s.multipleOf.n)) {
      out.push({
        operatorName: 'multipleOf',
        specifiedAs: s.multipleOf.spec,
        reason: 'considered value is not a multiple of the specified value',
        consideredValue: v,
      });
    }
    if (s.maximum && !withinMaximum(n, s.maximum))
      out.push({ operatorName: 'maximum', specifiedAs: s.maximum.spec, reason: 'comparison failed', consideredValue: v });
    if (s.minimum && !withinMinimum(n, s.minimum))
      out.push({ operatorName: 'minimum', specifiedAs: s.minimum.spec, reason: 'comparison failed', consideredValue: v });
  }
  if (!root && t === 'array') out.push(...arrayExplain(s, v as unknown[]));
  if (root || t === 'object') out.push(...objectExplain(s, v as Doc, root));
  out.push(...logicalExplain(s, v, root));
  if (!root && s.type && !s.type.names.has(t)) {
    out.push({
      operatorName: Object.keys(s.type.spec)[0],
      specifiedAs: s.type.spec,
      reason: 'type did not match',
      consideredValue: v,
      consideredType: t,
    });
  }
  return out;
}

function arrayExplain(s: Schema, arr: unknown[]): Doc[] {
  const out: Doc[] = [];
  for (const kw of ['minItems', 'maxItems'] as const) {
    const b = s[kw];
    if (b && (kw === 'minItems' ? arr.length < b.n : arr.length > b.n)) {
      out.push({
        operatorName: kw,
        specifiedAs: b.spec,
        reason: 'array did not match specified length',
        consideredValue: arr,
        numberOfItems: arr.length,
      });
    }
  }
  if (s.uniqueItems) {
    const dup = firstDuplicate(arr);
    if (dup.found) {
      out.push({
        operatorName: 'uniqueItems',
        specifiedAs: s.uniqueItems,
        reason: 'found a duplicate item',
        consideredValue: arr,
        duplicatedValue: dup.value,
      });
    }
  }
  if (s.items && !Array.isArray(s.items)) {
    const items = s.items;
    const i = arr.findIndex((e) => !schemaTest(items, e, false));
    if (i >= 0) {
      out.push({
        operatorName: 'items',
        ...items.annotations,
        reason: 'At least one item did not match the sub-schema',
        itemIndex: i,
        details: schemaExplain(items, arr[i], false),
      });
    }
  }
  if (Array.isArray(s.items)) {
    const items = s.items;
    const failing: Doc[] = [];
    items.forEach((x, i) => {
      if (i < arr.length && !schemaTest(x, arr[i], false)) failing.push({ itemIndex: i, details: schemaExplain(x, arr[i], false) });
    });
    if (failing.length) out.push({ operatorName: 'items', details: failing });
    const ai = s.additionalItems;
    if (ai && arr.length > items.length) {
      if (ai.allowed === false) {
        out.push({
          operatorName: 'additionalItems',
          specifiedAs: ai.spec,
          reason: 'found additional items',
          additionalItems: arr.slice(items.length),
        });
      } else if (ai.allowed !== true) {
        const sub = ai.allowed;
        const rel = arr.slice(items.length).findIndex((e) => !schemaTest(sub, e, false));
        if (rel >= 0) {
          const i = items.length + rel;
          out.push({
            operatorName: 'additionalItems',
            ...sub.annotations,
            reason: 'At least one additional item did not match the sub-schema',
            itemIndex: i,
            details: schemaExplain(sub, arr[i], false),
          });
        }
      }
    }
  }
  return out;
}

function objectExplain(s: Schema, obj: Doc, root: boolean): Doc[] {
  const out: Doc[] = [];
  if (s.properties) {
    const failing: Doc[] = [];
    for (const [name, sub] of s.properties) {
      if (obj[name] === undefined || schemaTest(sub, obj[name], false)) continue;
      const details = schemaExplain(sub, obj[name], false);
      if (details.length) failing.push({ propertyName: name, ...sub.annotations, details });
    }
    if (failing.length) out.push({ operatorName: 'properties', propertiesNotSatisfied: failing });
  }
  const extra = additionalPropertyNames(s, obj);
  const ap = s.additionalProperties;
  if (ap && ap.allowed === false && extra.length > 0) {
    out.push({ operatorName: 'additionalProperties', specifiedAs: ap.spec, additionalProperties: extra });
  } else if (ap && ap.allowed !== true && ap.allowed !== false) {
    const sub = ap.allowed;
    const name = extra.find((k) => !schemaTest(sub, obj[k], false));
    if (name !== undefined) {
      out.push({
        operatorName: 'additionalProperties',
        ...sub.annotations,
        reason: 'at least one additional property did not match the subschema',
        failingProperty: name,
        details: schemaExplain(sub, obj[name], false),
      });
    }
  }
  if (s.patternProperties) {
    const failing: Doc[] = [];
    for (const p of s.patternProperties) {
      const name = Object.keys(obj).find((k) => obj[k] !== undefined && p.re.test(k) && !schemaTest(p.schema, obj[k], false));
      if (name !== undefined)
        failing.push({
          propertyName: name,
          ...p.schema.annotations,
          regexMatched: p.source,
          details: schemaExplain(p.schema, obj[name], false),
        });
    }
    if (failing.length) out.push({ operatorName: 'patternProperties', details: failing });
  }
  if (s.required) {
    const missing = s.required.names.filter((n) => obj[n] === undefined);
    if (missing.length) out.push({ operatorName: 'required', specifiedAs: s.required.spec, missingProperties: missing });
  }
  const count = Object.keys(obj).filter((k) => obj[k] !== undefined).length;
  for (const kw of ['minProperties', 'maxProperties'] as const) {
    const b = s[kw];
    if (b && (kw === 'minProperties' ? count < b.n : count > b.n)) {
      out.push({
        operatorName: kw,
        specifiedAs: b.spec,
        reason: 'specified number of properties was not satisfied',
        numberOfProperties: count,
      });
    }
  }
  if (s.dependencies) {
    const failing: Doc[] = [];
    for (const [name, dep] of s.dependencies) {
      if (obj[name] === undefined) continue;
      if (Array.isArray(dep)) {
        const missing = dep.filter((d) => obj[d] === undefined);
        if (missing.length) failing.push({ conditionalProperty: name, missingProperties: missing });
      } else if (!schemaTest(dep, obj, root)) {
        failing.push({ conditionalProperty: name, details: schemaExplain(dep, obj, root) });
      }
    }
    if (failing.length) out.push({ operatorName: 'dependencies', failingDependencies: failing });
  }
  return out;
}

function logicalExplain(s: Schema, v: unknown, root: boolean): Doc[] {
  const out: Doc[] = [];
  const failingSchemas = (list: Schema[]): Doc[] =>
    list.flatMap((x, index) => (schemaTest(x, v, root) ? [] : [{ index, ...x.annotations, details: schemaExplain(x, v, root) }]));
  if (s.allOf && !s.allOf.every((x) => schemaTest(x, v, root)))
    out.push({ operatorName: 'allOf', schemasNotSatisfied: failingSchemas(s.allOf) });
  if (s.anyOf && !s.anyOf.some((x) => schemaTest(x, v, root)))
    out.push({ operatorName: 'anyOf', schemasNotSatisfied: failingSchemas(s.anyOf) });
  if (s.oneOf) {
    const matching = s.oneOf.flatMap((x, i) => (schemaTest(x, v, root) ? [i] : []));
    if (matching.length === 0) out.push({ operatorName: 'oneOf', schemasNotSatisfied: failingSchemas(s.oneOf) });
    else if (matching.length > 1)
      out.push({ operatorName: 'oneOf', reason: 'more than one subschema matched', matchingSchemaIndexes: matching });
  }
  if (s.not && schemaTest(s.not, v, root)) out.push({ operatorName: 'not', reason: 'child expression matched' });
  if (s.enum && !enumHolds(s, v, root)) {
    out.push({ operatorName: 'enum', specifiedAs: s.enum.spec, reason: 'value was not found in enum', consideredValue: v });
  }
  return out;
}
