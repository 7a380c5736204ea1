import { ApiError } from '../errors';
import type { ComparisonOperator, FieldCondition, QScalar } from './field-condition';
import { FieldRegistry, FieldSpec, MAX_PATH_LENGTH, MAX_PATH_SEGMENTS, resolveField } from './field-registry';
import { assertNoForbiddenOperators, entry, MongoFilter } from './filter';
import { parseQ, QClauseNode, QComparisonNode, QGroupNode, QParseLimits, QScalarNode, QTermNode, QValueNode } from './q-parser';
import { queryError } from './query-error';
import { checkRegex } from './regex-pattern';
import { parseIsoDate, parseJsonNumber } from './scalar-values';

/** Limits of Q-30. A service may lower them (HTTP-8 item 12), never raise them. */
export interface QLimits extends QParseLimits {
  maxRegexLength: number;
}

export const Q_LIMITS: Readonly<QLimits> = Object.freeze({
  maxLength: 4096,
  maxTerms: 50,
  maxDepth: 5,
  maxListItems: 200,
  maxPathSegments: MAX_PATH_SEGMENTS,
  maxPathLength: MAX_PATH_LENGTH,
  maxRegexLength: 200,
});

export interface CompileQContext {
  /**
   * Languages a localized field without suffix is expanded over, in order: the LOC-3
   * selection of the request, or all tenant languages when the header is absent, empty or `*`.
   */
  languages: readonly string[];
  /**
   * All languages of the tenant, which decide whether `name.<lang>` exists. Defaults to
   * `languages`. Pass it whenever `languages` is a narrowed `Accept-Language` selection.
   */
  tenantLanguages?: readonly string[];
  /** `compoundLogicalQuery` is rejected unless this is true. Default false. */
  allowCompound?: boolean;
  /** Lower regex limit (the coupon service uses 100). Values above 200 are ignored. */
  maxRegexLength?: number;
  /** Lower limits of any kind; values above Q-30 are ignored. */
  limits?: Partial<QLimits>;
}

function effectiveLimits(ctx: CompileQContext): QLimits {
  const out: QLimits = { ...Q_LIMITS };
  const overrides: Partial<QLimits> = { ...ctx.limits };
  if (ctx.maxRegexLength !== undefined) overrides.maxRegexLength = ctx.maxRegexLength;
  for (const key of Object.keys(Q_LIMITS) as (keyof QLimits)[]) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < out[key]) out[key] = v;
  }
  return out;
}

/**
 * Compiles `q` (§5) into a MongoDB filter over the fields of `registry`.
 *
 * Contract: the result is plain data whose only operator keys are `$and $or $in $gt $gte $lt $lte
 * $exists $ne $regex $options`, whose field keys come from the registry and
 * whose values are scalars placed by the compiler; dates are `Date` objects. An absent,
 * empty or whitespace-only `q` gives `{}`. Every problem with `q` — including a `q` that is not a
 * string — is thrown as `ApiError` `invalid_query` with one detail on field `q`; nothing
 * else is ever thrown for user input. The persistence layer wraps the output with
 * `mongoose.trusted(...)` and combines it with its own filters under `$and`.
 */
export function compileQ(q: unknown, registry: FieldRegistry, ctx: CompileQContext): MongoFilter {
  if (q === undefined) return {};
  if (typeof q !== 'string') throw queryError('invalid_type', 'q must be a single string');
  const limits = effectiveLimits(ctx);
  const clauses = parseQ(q, { limits, allowCompound: ctx.allowCompound === true });
  if (clauses.length === 0) return {};
  const compiler = new QCompiler(registry, ctx, limits);
  const filters = clauses.map((c) => compiler.clause(c));
  return filters.length === 1 ? filters[0] : { $and: filters };
}

/** How the values of a field are typed. */
interface Typing {
  /** Field name for messages. */
  field: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'syntax';
}

class QCompiler {
  private readonly tenantLanguages: readonly string[];

  constructor(
    private readonly registry: FieldRegistry,
    private readonly ctx: CompileQContext,
    private readonly limits: QLimits,
  ) {
    this.tenantLanguages = ctx.tenantLanguages ?? ctx.languages;
  }

  clause(node: QClauseNode): MongoFilter {
    return node.kind === 'group' ? this.group(node) : this.term(node);
  }

  private group(node: QGroupNode): MongoFilter {
    const parts = node.operands.map((o) => this.clause(o));
    if (parts.length === 1) return parts[0];
    return node.conj === 'OR' ? { $or: parts } : { $and: parts };
  }

  private term(node: QTermNode): MongoFilter {
    const resolved = resolveField(this.registry, node.path, this.tenantLanguages);
    if (resolved.kind === 'error') throw queryError(resolved.type, resolved.message);
    const { value } = node;
    switch (resolved.kind) {
      case 'language':
        return this.typed(resolved.db, { field: resolved.name, type: 'string' }, value);
      case 'free':
        return this.typed(resolved.db, { field: resolved.name, type: 'syntax' }, value);
      case 'declared':
        return this.declared(resolved.name, resolved.db, resolved.spec, value);
    }
  }

  private declared(name: string, db: string, spec: FieldSpec, value: QValueNode): MongoFilter {
    if (spec.compile) return this.custom(name, db, spec, value);
    switch (spec.type) {
      case 'string':
      case 'id':
        return this.typed(db, { field: name, type: 'string' }, value);
      case 'number':
      case 'boolean':
      case 'date':
        return this.typed(db, { field: name, type: spec.type }, value);
      case 'object':
      case 'mixins':
        if (value.kind !== 'keyword') {
          throw queryError('invalid_value', `field '${name}' can only be tested with null, exists or missing`);
        }
        return this.keyword(db, value.keyword);
      case 'localized': {
        // keywords test the whole map; every other form is expanded over the languages.
        if (value.kind === 'keyword') return this.keyword(db, value.keyword);
        const languages = this.ctx.languages;
        if (languages.length === 0) {
          throw queryError('unsupported_language', `no language is selected to search the localized field '${name}'`);
        }
        const parts = languages.map((l) => this.typed(`${db}.${l}`, { field: `${name}.${l}`, type: 'string' }, value));
        return parts.length === 1 ? parts[0] : { $or: parts };
      }
    }
  }

  /** Derived fields: the service's hook gets the typed condition; its output is still checked. */
  private custom(name: string, db: string, spec: FieldSpec, value: QValueNode): MongoFilter {
    const typing = this.typingOf(name, spec);
    const condition = this.condition(typing, value);
    const out = spec.compile!(condition, { field: name, db });
    try {
      assertNoForbiddenOperators(out);
    } catch (e) {
      // A hook that emits a forbidden operator is a programming error (500), never user-visible.
      throw new Error(`FieldSpec.compile for '${name}' produced a forbidden filter: ${(e as Error).message}`);
    }
    return out;
  }

  private typingOf(name: string, spec: FieldSpec): Typing {
    switch (spec.type) {
      case 'number':
      case 'boolean':
      case 'date':
        return { field: name, type: spec.type };
      case 'string':
      case 'id':
      case 'localized':
        return { field: name, type: 'string' };
      default:
        return { field: name, type: 'syntax' };
    }
  }

  private keyword(db: string, keyword: 'null' | 'exists' | 'missing'): MongoFilter {
    switch (keyword) {
      case 'null':
        return entry(db, null);
      case 'exists':
        return entry(db, { $exists: true, $ne: null });
      case 'missing':
        return entry(db, { $exists: false });
    }
  }

  private typed(db: string, typing: Typing, value: QValueNode): MongoFilter {
    const condition = this.condition(typing, value);
    switch (condition.kind) {
      case 'null':
      case 'exists':
      case 'missing':
        return this.keyword(db, condition.kind);
      case 'eq':
        return entry(db, condition.value);
      case 'in':
        return entry(db, { $in: condition.values });
      case 'compare':
        return entry(db, { ...condition.bounds });
      case 'regex':
        return entry(db, condition.caseInsensitive ? { $regex: condition.pattern, $options: 'i' } : { $regex: condition.pattern });
    }
  }

  /** Types a value node for one field (Q-20 table, Q-22). */
  private condition(typing: Typing, value: QValueNode): FieldCondition {
    switch (value.kind) {
      case 'keyword':
        return { kind: value.keyword };
      case 'scalar':
        return { kind: 'eq', value: this.scalar(typing, value.scalar) };
      case 'list':
        return {
          kind: 'in',
          // an unquoted `null` item is null, whatever the field type.
          values: value.items.map((i) => (!i.quoted && i.text === 'null' ? null : this.scalar(typing, i))),
        };
      case 'comparison':
        return { kind: 'compare', bounds: this.bounds(typing, [value.comparison]) };
      case 'range':
        return { kind: 'compare', bounds: this.bounds(typing, value.comparisons) };
      case 'regex': {
        if (typing.type !== 'string' && typing.type !== 'syntax') {
          throw queryError('invalid_value', `a regex cannot be applied to the ${typing.type} field '${typing.field}'`);
        }
        const checked = checkRegex(value.pattern, this.limits.maxRegexLength);
        return { kind: 'regex', pattern: checked.pattern, caseInsensitive: checked.caseInsensitive };
      }
    }
  }

  private bounds(typing: Typing, comparisons: QComparisonNode[]): Partial<Record<ComparisonOperator, QScalar>> {
    if (typing.type === 'boolean') {
      throw queryError('invalid_value', `the boolean field '${typing.field}' cannot be compared with <, <=, > or >=`);
    }
    const out: Partial<Record<ComparisonOperator, QScalar>> = {};
    let lower = false;
    let upper = false;
    for (const c of comparisons) {
      const isLower = c.op === '$gt' || c.op === '$gte';
      if (isLower ? lower : upper) {
        throw queryError('invalid_value', `a range on '${typing.field}' may have at most one ${isLower ? 'lower' : 'upper'} bound`);
      }
      if (isLower) lower = true;
      else upper = true;
      out[c.op] = this.scalar(typing, c.operand);
    }
    return out;
  }

  private scalar(typing: Typing, node: QScalarNode): QScalar {
    const { text } = node;
    switch (typing.type) {
      case 'string':
        return text;
      case 'number': {
        const n = parseJsonNumber(text);
        if (n === undefined) throw this.invalid(typing, text, 'a number');
        return n;
      }
      case 'boolean':
        if (text === 'true') return true;
        if (text === 'false') return false;
        throw this.invalid(typing, text, 'true or false');
      case 'date': {
        const d = parseIsoDate(text);
        if (!d) throw this.invalid(typing, text, 'an ISO 8601 date-time with offset or a date YYYY-MM-DD');
        return d;
      }
      case 'syntax': {
        // typed by how it is written; quoted values are always strings; no dates.
        if (node.quoted) return text;
        if (text === 'true') return true;
        if (text === 'false') return false;
        return parseJsonNumber(text) ?? text;
      }
    }
  }

  private invalid(typing: Typing, text: string, expected: string): ApiError {
    const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
    return queryError('invalid_value', `'${shown}' is not a valid value for '${typing.field}': expected ${expected}`);
  }
}
