/**
 * Query-string decoding for HTTP-4. Every parameter stays one flat string: the query string is
 * never decoded into nested objects. Problems (bracket or `$` names, repeated parameters) are not
 * answered here, because the router runs before the guards and ERR-10 wants `401`/`403` first;
 * they are recorded on the parsed object under a symbol and raised by the request interceptor,
 * which runs after the guards.
 */
export const QUERY_PROBLEMS = Symbol.for('suite.queryProblems');

export interface QueryProblem {
  field: string;
  type: 'invalid_parameter_name' | 'duplicate_parameter';
  message: string;
}

export type ParsedQuery = Record<string, string> & { [QUERY_PROBLEMS]?: QueryProblem[] };

const FORBIDDEN_NAME = /[[\]$]/;

export function parseQueryString(raw: string): ParsedQuery {
  // A null-prototype object: `__proto__` or `constructor` as parameter names stay plain keys.
  const out = Object.create(null) as ParsedQuery;
  if (!raw) return out;
  const problems: QueryProblem[] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(raw)) {
    if (FORBIDDEN_NAME.test(name)) {
      problems.push({ field: name, type: 'invalid_parameter_name', message: `parameter names must not contain '[', ']' or '$'` });
      continue;
    }
    if (seen.has(name)) {
      if (!problems.some((p) => p.field === name && p.type === 'duplicate_parameter')) {
        problems.push({ field: name, type: 'duplicate_parameter', message: `${name} may appear only once` });
      }
      continue;
    }
    seen.add(name);
    out[name] = value;
  }
  if (problems.length) Object.defineProperty(out, QUERY_PROBLEMS, { value: problems, enumerable: false });
  return out;
}
