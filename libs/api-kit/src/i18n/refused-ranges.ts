import { headerText, primarySubtag } from './language-tag';

/**
 * The language ranges of an `Accept-Language` header that select none of the tenant languages
 * (LOC-3 matching: exact, then by primary subtag; `*` selects all), for contracts whose 400 names
 * "every range that selected nothing" (category §3.4): first the ranges with `q > 0` in priority
 * order (q descending, then header order), then those refused with `q=0` in header order, each
 * once. Call it for a header that {@link selectLanguages} found parseable; entries it cannot read
 * are skipped.
 */
export function refusedLanguageRanges(header: unknown, tenantLanguages: readonly string[]): string[] {
  const text = headerText(header) ?? '';
  const unmatched: Array<{ range: string; q: number; index: number }> = [];
  const refused: string[] = [];
  text.split(',').forEach((entry, index) => {
    const [rangePart, ...params] = entry.split(';');
    const range = rangePart.trim();
    if (range === '') return;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'q') q = Number(param.slice(eq + 1).trim());
    }
    if (!(q > 0)) refused.push(range);
    else if (!selectsSomething(range, tenantLanguages)) unmatched.push({ range, q, index });
  });
  unmatched.sort((a, b) => b.q - a.q || a.index - b.index);
  return [...new Set([...unmatched.map((u) => u.range), ...refused])];
}

function selectsSomething(range: string, tenantLanguages: readonly string[]): boolean {
  if (range === '*') return tenantLanguages.length > 0;
  const lower = range.toLowerCase();
  const primary = primarySubtag(range);
  return tenantLanguages.some((l) => l.toLowerCase() === lower || primarySubtag(l) === primary);
}
