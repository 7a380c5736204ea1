import { randomBytes } from 'node:crypto';
import type { CodePattern } from './campaign.types';

/** Upper case letters and digits without the look-alikes 0/O and 1/I. */
export const DEFAULT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** The characters a custom alphabet may use. */
export const ALPHABET_PATTERN = /^[A-Z0-9]+$/;
/** What a prefix or suffix may hold (the coupon code characters, §4.2); upper-cased when stored. */
export const AFFIX_PATTERN = /^[A-Za-z0-9_-]*$/;
export const MIN_LENGTH = 6;
export const MAX_LENGTH = 16;
export const MAX_COUNT = 100_000;
/** The code space must hold this many times the requested count, so random draws stay mostly free. */
export const SPACE_FACTOR = 10;
/** §4.2: the longest code. */
export const MAX_CODE_LENGTH = 150;

/** How many codes the pattern can make (a float: 36^16 is beyond 2^53, but only compared). */
export function codeSpace(pattern: Pick<CodePattern, 'alphabet' | 'length'>): number {
  return new Set(pattern.alphabet).size ** pattern.length;
}

/**
 * A case-insensitive regular expression for every stored code that differs from a code of the
 * pattern only by case (used with the `i` option); the affixes hold only code characters, `-`
 * included, which is literal outside a character class.
 */
export function caseVariantsPattern(pattern: CodePattern): string {
  return `^${pattern.prefix}[${pattern.alphabet}]{${pattern.length}}${pattern.suffix}$`;
}

/**
 * Draws random codes of a pattern from a cryptographically secure source, by rejection sampling
 * (no modulo bias), skipping codes known to be taken and repeats within one draw.
 */
export class CodeDrawer {
  private readonly limit: number;
  private pool = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly pattern: CodePattern) {
    this.limit = 256 - (256 % pattern.alphabet.length);
  }

  /**
   * Up to `count` distinct new codes, none in `taken`; fewer only when `maxAttempts` draws were
   * not enough (a code space nearly used up).
   */
  draw(count: number, taken: ReadonlySet<string>, maxAttempts = Math.max(count * 20, 1000)): string[] {
    const out = new Set<string>();
    for (let attempt = 0; attempt < maxAttempts && out.size < count; attempt++) {
      const code = this.next();
      if (!taken.has(code)) out.add(code);
    }
    return [...out];
  }

  private next(): string {
    const { prefix, suffix, length, alphabet } = this.pattern;
    let random = '';
    while (random.length < length) {
      if (this.at >= this.pool.length) {
        this.pool = randomBytes(4096);
        this.at = 0;
      }
      const byte = this.pool[this.at++];
      if (byte < this.limit) random += alphabet[byte % alphabet.length];
    }
    return prefix + random + suffix;
  }
}
