// Small hand-written scanners for language tags, so header values never meet a backtracking regex.

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAlphaNum(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57);
}

/**
 * True for the language-range shape of RFC 4647 §2.1 without wildcards: `1*8ALPHA *("-" 1*8alphanum)`.
 * Every BCP 47 tag has this shape; the suite does not validate registry subtags.
 */
export function isLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > 64) return false;
  let i = 0;
  let len = 0;
  while (i < tag.length && isAlpha(tag.charCodeAt(i))) {
    i++;
    len++;
  }
  if (len < 1 || len > 8) return false;
  while (i < tag.length) {
    if (tag.charCodeAt(i) !== 45) return false; // -
    i++;
    len = 0;
    while (i < tag.length && isAlphaNum(tag.charCodeAt(i))) {
      i++;
      len++;
    }
    if (len < 1 || len > 8) return false;
  }
  return true;
}

/** The primary subtag, lower-cased (`en-US` → `en`). */
export function primarySubtag(tag: string): string {
  const dash = tag.indexOf('-');
  return (dash < 0 ? tag : tag.slice(0, dash)).toLowerCase();
}

/** Finds `code` among `languages` ignoring case; returns the configured spelling (LOC-2). */
export function findLanguage(code: string, languages: readonly string[]): string | undefined {
  const lower = code.toLowerCase();
  return languages.find((l) => l.toLowerCase() === lower);
}

/** Joins a possibly repeated header into one comma-separated value. */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return undefined;
}
