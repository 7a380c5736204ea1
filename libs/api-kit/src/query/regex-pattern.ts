import { queryError } from './query-error';

export interface CheckedRegex {
  /** The pattern sent as the string value of `$regex`, without a `(?i)` prefix. */
  pattern: string;
  caseInsensitive: boolean;
}

/**
 * Applies the regex rules of to a pattern as written in `q`:
 * length limit (on the pattern as written, `(?i)` included), the `(?i)` prefix, JavaScript
 * `new RegExp` validity, and a refusal of patterns that can backtrack catastrophically.
 *
 * Why the last check: `maxTimeMS` bounds a query on a real MongoDB, but the embedded server and
 * any in-process matcher run JavaScript regexes synchronously, where a pattern such as `(a+)+$`
 * blocks the event loop for every tenant. A repeated group that itself contains a repetition or
 * an alternation is therefore rejected (`invalid_regex`). This is stricter than the spec's
 * "must compile" rule and is documented as such.
 */
export function checkRegex(written: string, maxLength: number): CheckedRegex {
  if (written.length > maxLength) {
    throw queryError('limit_exceeded', `regex patterns may have at most ${maxLength} characters`);
  }
  let pattern = written;
  let caseInsensitive = false;
  if (pattern.startsWith('(?i)')) {
    pattern = pattern.slice(4);
    caseInsensitive = true;
  }
  try {
    new RegExp(pattern, caseInsensitive ? 'i' : '');
  } catch {
    throw queryError('invalid_regex', `'${written}' is not a valid regular expression`);
  }
  const unsafe = findCatastrophicConstruct(pattern);
  if (unsafe !== undefined) {
    throw queryError(
      'invalid_regex',
      `'${written}' repeats a group that contains a repetition or alternation ` +
        `(at pattern position ${unsafe}); such patterns can take exponential time`,
    );
  }
  return { pattern, caseInsensitive };
}

interface Frame {
  repeats: boolean;
  alternates: boolean;
}

/**
 * Returns the position of a repeated group whose body repeats or alternates (star height above
 * one, or a repeated alternation), or undefined. Assumes the pattern already compiled. Linear.
 */
export function findCatastrophicConstruct(pattern: string): number | undefined {
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  let i = 0;
  const n = pattern.length;
  // Reads a quantifier at `at`; returns [length, repeating] or undefined when there is none.
  const quantifier = (at: number): [number, boolean] | undefined => {
    const c = pattern[at];
    if (c === '*' || c === '+') return [pattern[at + 1] === '?' ? 2 : 1, true];
    if (c === '?') return [pattern[at + 1] === '?' ? 2 : 1, false];
    if (c === '{') {
      let j = at + 1;
      let min = '';
      while (j < n && pattern[j] >= '0' && pattern[j] <= '9') min += pattern[j++];
      if (!min) return undefined;
      let max: string | undefined = min;
      if (pattern[j] === ',') {
        j++;
        max = '';
        while (j < n && pattern[j] >= '0' && pattern[j] <= '9') max += pattern[j++];
      }
      if (pattern[j] !== '}') return undefined;
      j++;
      if (pattern[j] === '?') j++;
      const repeating = max === '' || Number(max) > 1;
      return [j - at, repeating];
    }
    return undefined;
  };
  const afterAtom = (frame: Frame, inner: Frame | undefined, groupStart: number): number | undefined => {
    const q = quantifier(i);
    if (!q) return undefined;
    i += q[0];
    if (q[1]) {
      if (inner && (inner.repeats || inner.alternates)) return groupStart;
      frame.repeats = true;
    }
    return undefined;
  };
  const groupStarts: number[] = [];
  while (i < n) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      i += 2;
      const bad = afterAtom(top, undefined, i);
      if (bad !== undefined) return bad;
    } else if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      while (i < n && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
      const bad = afterAtom(top, undefined, i);
      if (bad !== undefined) return bad;
    } else if (c === '(') {
      groupStarts.push(i);
      stack.push({ repeats: false, alternates: false });
      i++;
      if (pattern[i] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (pattern[i] === '<' && pattern[i + 1] !== '=' && pattern[i + 1] !== '!') {
          while (i < n && pattern[i] !== '>') i++;
        } else if (pattern[i] === '<') {
          i++;
        }
        i++;
      }
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : { repeats: false, alternates: false };
      const start = groupStarts.pop() ?? i;
      i++;
      const parent = stack[stack.length - 1];
      const bad = afterAtom(parent, inner, start);
      if (bad !== undefined) return bad;
      parent.repeats ||= inner.repeats;
      parent.alternates ||= inner.alternates;
    } else if (c === '|') {
      top.alternates = true;
      i++;
    } else {
      i++;
      const bad = afterAtom(top, undefined, i);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}
