import { COMPOUND_KEYWORD, isSegmentChar, isSegmentStart } from './field-registry';
import type { ComparisonOperator } from './field-condition';
import { queryError } from './query-error';

// ---------------------------------------------------------------------------------------------
// AST of the `q` language (§5.2). Positions are 0-based offsets into the source.
// ---------------------------------------------------------------------------------------------

/** A scalar as written: `quoted` values are never keywords, operators or typed by syntax. */
export interface QScalarNode {
  text: string;
  quoted: boolean;
  pos: number;
}

export interface QComparisonNode {
  op: ComparisonOperator;
  operand: QScalarNode;
}

export type QValueNode =
  | { kind: 'keyword'; keyword: 'null' | 'exists' | 'missing' }
  | { kind: 'scalar'; scalar: QScalarNode }
  | { kind: 'comparison'; comparison: QComparisonNode }
  | { kind: 'range'; comparisons: QComparisonNode[] }
  | { kind: 'list'; items: QScalarNode[] }
  | { kind: 'regex'; pattern: string; pos: number };

export interface QTermNode {
  kind: 'term';
  path: string;
  pos: number;
  value: QValueNode;
}

export interface QGroupNode {
  kind: 'group';
  conj: 'AND' | 'OR' | undefined;
  operands: (QTermNode | QGroupNode)[];
  pos: number;
}

export type QClauseNode = QTermNode | QGroupNode;

/** Limits enforced while parsing. */
export interface QParseLimits {
  maxLength: number;
  maxTerms: number;
  maxDepth: number;
  maxListItems: number;
  maxPathSegments: number;
  maxPathLength: number;
}

export interface QParseOptions {
  limits: QParseLimits;
  allowCompound: boolean;
}

const KEYWORDS = new Set(['null', 'exists', 'missing']);

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34; // "
const LPAREN = 40;
const RPAREN = 41;
const COMMA = 44;
const DOT = 46;
const COLON = 58;
const LT = 60;
const GT = 62;
const EQ = 61;
const BACKSLASH = 92;
const TILDE = 126;

function isWs(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/**
 * Rejects characters that have no business in a query and that MongoDB or BSON treat specially:
 * C0 controls other than the whitespace of §5.2, DEL, C1 controls, and lone UTF-16 surrogates
 * (which cannot be encoded as the valid UTF-8 BSON requires).
 */
function findForbiddenCharacter(src: string): number {
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c < 32 ? !isWs(c) : c >= 127 && c <= 159) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = src.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return i;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/** True when `src` has more than `limit` code points; stops counting early (the input may be huge). */
export function exceedsCodePoints(src: string, limit: number): boolean {
  if (src.length <= limit) return false;
  let count = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    if (++count > limit) return true;
  }
  return false;
}

/**
 * Parses `q` into clauses (§5.2). A hand-written recursive-descent parser: linear in the input,
 * recursion bounded by the group nesting limit, no regular expressions on user text. Every failure
 * is an `ApiError` `invalid_query` (`syntax_error` with a 0-based position, or `limit_exceeded`).
 */
export function parseQ(src: string, options: QParseOptions): QClauseNode[] {
  return new QParser(src, options).parseQuery();
}

class QParser {
  private pos = 0;
  private terms = 0;

  constructor(
    private readonly src: string,
    private readonly options: QParseOptions,
  ) {}

  parseQuery(): QClauseNode[] {
    const { src } = this;
    if (exceedsCodePoints(src, this.options.limits.maxLength)) {
      throw queryError('limit_exceeded', `q may have at most ${this.options.limits.maxLength} characters`);
    }
    const bad = findForbiddenCharacter(src);
    if (bad >= 0) this.fail('a printable character', bad);
    const clauses: QClauseNode[] = [];
    this.skipWs();
    while (!this.atEnd()) {
      clauses.push(this.parseClause());
      if (this.atEnd()) break;
      if (!isWs(this.peek())) this.fail('whitespace or end of input');
      this.skipWs();
    }
    return clauses;
  }

  // --- helpers -------------------------------------------------------------------------------

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private peek(offset = 0): number {
    return this.src.charCodeAt(this.pos + offset); // NaN past the end
  }

  private skipWs(): void {
    while (!this.atEnd() && isWs(this.peek())) this.pos++;
  }

  private describe(at: number): string {
    if (at >= this.src.length) return 'end of input';
    const ch = String.fromCodePoint(this.src.codePointAt(at)!);
    // Whitespace is shown escaped ("\t"); anything else between single quotes, unescaped.
    return isWs(ch.charCodeAt(0)) ? JSON.stringify(ch) : `'${ch}'`;
  }

  /** Throws `syntax_error`: "expected X, found Y at position N" (§5.7: the message ends with the position). */
  private fail(expected: string, at = this.pos): never {
    throw queryError('syntax_error', `expected ${expected}, found ${this.describe(at)} at position ${at}`);
  }

  private failWith(message: string, at = this.pos): never {
    throw queryError('syntax_error', `${message} at position ${at}`);
  }

  /** After a value: only whitespace, `)` or the end may follow (Q-2, §5.7 `a:b"c"`). */
  private expectValueEnd(): void {
    if (this.atEnd()) return;
    const c = this.peek();
    if (isWs(c) || c === RPAREN) return;
    this.fail('whitespace, ")" or end of input after the value');
  }

  private isWord(word: string): boolean {
    return this.src.startsWith(word, this.pos);
  }

  // --- clauses ---------------------------------------------------------------------------------

  private parseClause(): QClauseNode {
    if (this.isWord(COMPOUND_KEYWORD) && this.peek(COMPOUND_KEYWORD.length) === COLON) {
      const at = this.pos;
      if (!this.options.allowCompound) {
        this.failWith(`${COMPOUND_KEYWORD} is not supported by this service`, at);
      }
      this.pos += COMPOUND_KEYWORD.length + 1;
      if (this.peek() !== LPAREN) this.fail(`"(" after ${COMPOUND_KEYWORD}:`);
      return this.parseGroup(1);
    }
    return this.parseTerm();
  }

  private parseGroup(depth: number): QGroupNode {
    if (depth > this.options.limits.maxDepth) {
      throw queryError('limit_exceeded', `groups may nest at most ${this.options.limits.maxDepth} levels`);
    }
    const pos = this.pos;
    this.pos++; // "("
    this.skipWs();
    const operands: (QTermNode | QGroupNode)[] = [this.parseOperand(depth)];
    let conj: 'AND' | 'OR' | undefined;
    for (;;) {
      const beforeWs = this.pos;
      this.skipWs();
      if (this.peek() === RPAREN) {
        this.pos++;
        return { kind: 'group', conj, operands, pos };
      }
      if (this.pos === beforeWs) this.fail('whitespace or ")"');
      const word = this.isWord('AND') ? 'AND' : this.isWord('OR') ? 'OR' : undefined;
      if (!word) this.fail('"AND", "OR" or ")"');
      if (conj && conj !== word) {
        this.failWith('a group cannot mix AND and OR; use nested groups to make precedence explicit');
      }
      conj = word;
      this.pos += word.length;
      if (!isWs(this.peek())) this.fail(`whitespace after ${word}`);
      this.skipWs();
      operands.push(this.parseOperand(depth));
    }
  }

  private parseOperand(depth: number): QTermNode | QGroupNode {
    if (this.peek() !== LPAREN) this.fail('"(" to start an operand');
    let look = this.pos + 1;
    while (look < this.src.length && isWs(this.src.charCodeAt(look))) look++;
    if (this.src.charCodeAt(look) === LPAREN) return this.parseGroup(depth + 1);
    this.pos++;
    this.skipWs();
    const term = this.parseTerm();
    this.skipWs();
    if (this.peek() !== RPAREN) this.fail('")" to close the operand');
    this.pos++;
    return term;
  }

  private parseTerm(): QTermNode {
    const pos = this.pos;
    const path = this.parsePath();
    if (this.peek() !== COLON) this.fail('":" after the field name');
    this.pos++;
    const value = this.parseValue();
    if (++this.terms > this.options.limits.maxTerms) {
      throw queryError('limit_exceeded', `q may contain at most ${this.options.limits.maxTerms} terms`);
    }
    return { kind: 'term', path, pos, value };
  }

  private parsePath(): string {
    const start = this.pos;
    const { maxPathSegments, maxPathLength } = this.options.limits;
    let segments = 0;
    for (;;) {
      if (!isSegmentStart(this.peek())) {
        this.fail(segments === 0 ? 'a field name' : 'a field name segment after "."');
      }
      segments++;
      if (segments > maxPathSegments) {
        throw queryError('limit_exceeded', `field paths may have at most ${maxPathSegments} segments`);
      }
      this.pos++;
      while (isSegmentChar(this.peek())) this.pos++;
      if (this.pos - start > maxPathLength) {
        throw queryError('limit_exceeded', `field paths may have at most ${maxPathLength} characters`);
      }
      if (this.peek() !== DOT) break;
      this.pos++;
    }
    return this.src.slice(start, this.pos);
  }

  // --- values ----------------------------------------------------------------------------------

  private parseValue(): QValueNode {
    const c = this.peek();
    if (this.atEnd() || isWs(c) || c === RPAREN) this.fail('a value');
    let value: QValueNode;
    if (c === LPAREN) {
      value = this.parseParen();
    } else if (c === TILDE) {
      this.pos++;
      value = this.parseRegexBody();
    } else if (c === GT || c === LT) {
      value = { kind: 'comparison', comparison: this.parseComparison() };
    } else if (c === QUOTE) {
      value = { kind: 'scalar', scalar: this.parseQuoted() };
    } else {
      const scalar = this.parseBare();
      value = KEYWORDS.has(scalar.text)
        ? { kind: 'keyword', keyword: scalar.text as 'null' | 'exists' | 'missing' }
        : { kind: 'scalar', scalar };
    }
    this.expectValueEnd();
    return value;
  }

  /** `regex ::= "~" ( quoted | "(" pattern ")" | rx-bare )`, positioned after the `~`. */
  private parseRegexBody(): QValueNode {
    const pos = this.pos;
    const c = this.peek();
    if (c === QUOTE) return { kind: 'regex', pattern: this.parseQuoted().text, pos };
    if (c === LPAREN) {
      this.pos++;
      return { kind: 'regex', pattern: this.parseBalancedPattern(pos), pos };
    }
    if (this.atEnd() || isWs(c) || c === RPAREN) this.fail('a regex pattern after "~"');
    const start = this.pos;
    while (!this.atEnd() && !this.endsBare(this.peek())) this.pos++;
    return { kind: 'regex', pattern: this.src.slice(start, this.pos), pos };
  }

  /**
   * Reads a pattern up to the `)` that balances the `(` at `openPos` (already consumed). A
   * backslash and the character after it are copied verbatim and never count as brackets.
   */
  private parseBalancedPattern(openPos: number): string {
    let depth = 1;
    const start = this.pos;
    while (!this.atEnd()) {
      const c = this.peek();
      if (c === BACKSLASH) {
        this.pos += 2;
        continue;
      }
      if (c === LPAREN) depth++;
      else if (c === RPAREN && --depth === 0) {
        const pattern = this.src.slice(start, this.pos);
        this.pos++;
        return pattern;
      }
      this.pos++;
    }
    this.pos = this.src.length;
    return this.failWith(`unbalanced parentheses: expected ")" to close the "(" at position ${openPos}`, this.src.length);
  }

  /** `paren ::= "(" ( "~" pattern | ws* range ws* | ws* list ws* ) ")"`. */
  private parseParen(): QValueNode {
    const open = this.pos;
    this.pos++;
    if (this.peek() === TILDE) {
      const pos = this.pos;
      this.pos++;
      return { kind: 'regex', pattern: this.parseBalancedPattern(open), pos };
    }
    this.skipWs();
    const c = this.peek();
    if (c === GT || c === LT) return this.parseRange();
    return this.parseList();
  }

  private parseRange(): QValueNode {
    const comparisons = [this.parseComparison()];
    const afterFirst = this.pos;
    this.skipWs();
    if (this.pos > afterFirst && this.isWord('AND')) {
      this.pos += 3;
      if (!isWs(this.peek())) this.fail('whitespace after AND');
      this.skipWs();
      if (this.peek() !== GT && this.peek() !== LT) this.fail('a comparison (">", ">=", "<" or "<=") after AND');
      comparisons.push(this.parseComparison());
      this.skipWs();
    } else if (this.pos > afterFirst && this.isWord('OR')) {
      this.failWith('OR is not supported inside a range');
    }
    if (this.peek() !== RPAREN) this.fail(comparisons.length === 1 ? '"AND" or ")" in the range' : '")" to close the range');
    this.pos++;
    return { kind: 'range', comparisons };
  }

  private parseList(): QValueNode {
    const items: QScalarNode[] = [];
    const max = this.options.limits.maxListItems;
    for (;;) {
      const c = this.peek();
      let item: QScalarNode;
      if (c === QUOTE) {
        item = this.parseQuoted();
      } else {
        const start = this.pos;
        while (!this.atEnd() && !this.endsBare(this.peek()) && this.peek() !== COMMA) this.pos++;
        if (this.pos === start) this.fail('a list item');
        item = { text: this.src.slice(start, this.pos), quoted: false, pos: start };
      }
      items.push(item);
      if (items.length > max) throw queryError('limit_exceeded', `lists may have at most ${max} items`);
      this.skipWs();
      if (this.peek() === COMMA) {
        this.pos++;
        this.skipWs();
        continue;
      }
      if (this.peek() === RPAREN) {
        this.pos++;
        return { kind: 'list', items };
      }
      this.fail('"," or ")" in the list');
    }
  }

  /** `comparison ::= cmp-op scalar`, positioned at the operator. */
  private parseComparison(): QComparisonNode {
    let op: ComparisonOperator;
    if (this.peek() === GT) op = this.peek(1) === EQ ? '$gte' : '$gt';
    else op = this.peek(1) === EQ ? '$lte' : '$lt';
    this.pos += op.length === 4 ? 2 : 1;
    const c = this.peek();
    if (this.atEnd() || isWs(c) || c === RPAREN || c === LPAREN) this.fail('a value after the comparison operator');
    if (c === TILDE || c === GT || c === LT) this.fail('a value after the comparison operator');
    const operand = c === QUOTE ? this.parseQuoted() : this.parseBare();
    return { op, operand };
  }

  /** `bare ::= first-char rest-char*`; the caller has excluded an empty start. */
  private parseBare(): QScalarNode {
    const start = this.pos;
    while (!this.atEnd() && !this.endsBare(this.peek())) this.pos++;
    if (this.pos === start) this.fail('a value');
    return { text: this.src.slice(start, this.pos), quoted: false, pos: start };
  }

  private endsBare(c: number): boolean {
    return isWs(c) || c === LPAREN || c === RPAREN || c === QUOTE;
  }

  /** `quoted`: `\"` → `"`, `\\` → `\`, any other backslash kept as typed. */
  private parseQuoted(): QScalarNode {
    const open = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    while (!this.atEnd()) {
      const c = this.peek();
      if (c === BACKSLASH) {
        const next = this.peek(1);
        if (next === QUOTE || next === BACKSLASH) {
          out += this.src.slice(chunk, this.pos) + String.fromCharCode(next);
          this.pos += 2;
          chunk = this.pos;
        } else {
          this.pos += Number.isNaN(next) ? 1 : 2;
        }
        continue;
      }
      if (c === QUOTE) {
        out += this.src.slice(chunk, this.pos);
        this.pos++;
        return { text: out, quoted: true, pos: open };
      }
      this.pos++;
    }
    return this.failWith(`unterminated quoted value: expected '"' to close the quote opened at position ${open}`, this.src.length);
  }
}
