import jsep from 'jsep';

// Jayway's current-node symbol `@` is an identifier character here (jsep is a process-wide parser;
// nothing else in the suite uses it).
jsep.addIdentifierChar('@');

/** A compiled `filter`: whether an event payload matches. Never throws. */
export type PayloadFilter = (payload: unknown) => boolean;

export class FilterSyntaxError extends Error {}

/** The longest filter accepted (README "Filters"). */
export const MAX_FILTER_LENGTH = 1000;
const MAX_DEPTH = 32;

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const LOGICAL = new Set(['&&', '||']);

type Node = jsep.Expression;

/**
 * Compiles an entry's `filter` (README "Filters"): Jayway JsonPath's predicate form
 * `$[?(<expression>)]`, evaluated against the payload object itself. The expression is parsed by
 * jsep and only the subset the README lists is accepted: paths from `@` (`@.a.b`, `@['a b']`,
 * `@.items[0]`), string, number, boolean and `null` literals, `== != < <= > >=`, `&& || !` and
 * parentheses. Anything else (calls, assignments, regular expressions, `in`) is a
 * {@link FilterSyntaxError}, so what is stored always evaluates. Hand-written rather than a JsonPath
 * library because the contract fixes the subset and its rules for missing paths.
 */
export function compileFilter(filter: string): PayloadFilter {
  if (filter.length > MAX_FILTER_LENGTH) throw new FilterSyntaxError(`the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  const m = /^\s*\$\s*\[\s*\?\s*\(([\s\S]*)\)\s*\]\s*$/.exec(filter);
  if (!m) throw new FilterSyntaxError("the filter must have the form $[?(<predicate>)], for example $[?(@.status == 'ACTIVE')]");
  if (m[1].trim() === '') throw new FilterSyntaxError("the predicate is empty, for example $[?(@.status == 'ACTIVE')]");
  let ast: Node;
  try {
    ast = jsep(m[1]);
  } catch (e) {
    throw new FilterSyntaxError(`the predicate does not parse: ${(e as Error).message}`);
  }
  check(ast, 0);
  return (payload) => {
    try {
      return truthy(evaluate(ast, payload));
    } catch {
      return false;
    }
  };
}

/** Whether a filter compiles; the message of its problem otherwise. */
export function filterProblem(filter: string): string | undefined {
  try {
    compileFilter(filter);
    return undefined;
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e.message;
    throw e;
  }
}

function check(node: Node, depth: number): void {
  if (depth > MAX_DEPTH) throw new FilterSyntaxError('the predicate is nested too deeply');
  switch (node.type) {
    case 'Literal': {
      const v = (node as jsep.Literal).value;
      if (v instanceof RegExp) throw new FilterSyntaxError('regular expressions are not supported');
      return;
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name !== '@' && name !== 'true' && name !== 'false' && name !== 'null') {
        throw new FilterSyntaxError(`unknown name '${name}': paths start with @`);
      }
      return;
    }
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      if (!isPath(member)) throw new FilterSyntaxError('a path must start with @, for example @.status or @.total.amount');
      if (member.computed) {
        const key = member.property;
        if (
          key.type !== 'Literal' ||
          (typeof (key as jsep.Literal).value !== 'string' && typeof (key as jsep.Literal).value !== 'number')
        ) {
          throw new FilterSyntaxError("a bracketed path segment must be a string or an index, for example @['name'] or @.items[0]");
        }
      }
      check(member.object, depth + 1);
      return;
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      if (unary.operator !== '!' && unary.operator !== '-') throw new FilterSyntaxError(`operator ${unary.operator} is not supported`);
      check(unary.argument, depth + 1);
      return;
    }
    case 'BinaryExpression': {
      const binary = node as jsep.BinaryExpression;
      if (!COMPARISONS.has(binary.operator) && !LOGICAL.has(binary.operator)) {
        throw new FilterSyntaxError(`operator ${binary.operator} is not supported (use == != < <= > >= && ||)`);
      }
      check(binary.left, depth + 1);
      check(binary.right, depth + 1);
      return;
    }
    default:
      throw new FilterSyntaxError(`${node.type} is not supported in a filter`);
  }
}

function isPath(node: Node): boolean {
  while (node.type === 'MemberExpression') node = (node as jsep.MemberExpression).object;
  return node.type === 'Identifier' && (node as jsep.Identifier).name === '@';
}

/** `undefined` stands for a path that does not exist. */
function evaluate(node: Node, current: unknown): unknown {
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value;
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      return name === '@' ? current : name === 'true' ? true : name === 'false' ? false : null;
    }
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      const object = evaluate(member.object, current);
      const key = member.computed ? (member.property as jsep.Literal).value : (member.property as jsep.Identifier).name;
      if (object === null || typeof object !== 'object') return undefined;
      // Own properties only: `@.constructor` or `@.__proto__` name nothing in a JSON payload.
      return Object.prototype.hasOwnProperty.call(object, key as PropertyKey)
        ? (object as Record<string, unknown>)[key as string]
        : undefined;
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      const value = evaluate(unary.argument, current);
      if (unary.operator === '!') return !truthy(value);
      return typeof value === 'number' ? -value : undefined;
    }
    case 'BinaryExpression': {
      const { operator, left, right } = node as jsep.BinaryExpression;
      if (operator === '&&') return truthy(evaluate(left, current)) && truthy(evaluate(right, current));
      if (operator === '||') return truthy(evaluate(left, current)) || truthy(evaluate(right, current));
      return compare(operator, evaluate(left, current), evaluate(right, current));
    }
    default:
      return undefined;
  }
}

/**
 * README "Filters": `==`/`!=` compare JSON values strictly (no type coercion; arrays and objects by
 * content); the orderings compare two numbers or two strings and are false otherwise, so a missing
 * path never matches an ordering or `==`, and always matches `!=`.
 */
function compare(operator: string, a: unknown, b: unknown): boolean {
  // A missing path (undefined) equals nothing, not even another missing path.
  if (a === undefined || b === undefined) return operator === '!=';
  if (operator === '==') return equal(a, b);
  if (operator === '!=') return !equal(a, b);
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** An existing value other than `false`, `null`, `0` and `''` (a bare path tests existence). */
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}
