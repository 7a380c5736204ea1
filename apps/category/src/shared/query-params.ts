import { ApiError, ErrorDetail } from '@suite/api-kit';
import { selectLanguages } from './languages';

/**
 * Reads query parameters that arrive as flat strings (HTTP-4) and collects every problem, so one
 * 400 lists them all (ERR-6).
 */
export class QueryReader {
  readonly details: ErrorDetail[] = [];
  /** The `Accept-Language` failure, whose message the contract fixes (§3.4). */
  private languageError?: ApiError;

  constructor(private readonly query: Readonly<Record<string, unknown>>) {}

  /**
   * LOC-3: the languages `Accept-Language` selects (`null` = all). A header that selects nothing
   * or cannot be parsed is recorded like the query's problems instead of hiding them (ERR-6).
   */
  languages(header: string | undefined, tenantLanguages: readonly string[]): string[] | null {
    try {
      return selectLanguages(header, tenantLanguages);
    } catch (e) {
      if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
      this.languageError = e;
      this.details.push(...e.details);
      return null;
    }
  }

  raw(name: string): string | undefined {
    const v = this.query[name];
    return typeof v === 'string' ? v : undefined;
  }

  /** §3.7: `true`/`false` in any letter case; anything else is a 400. */
  bool(name: string, fallback = false): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.details.push({ field: name, type: 'invalid_value', message: 'must be true or false' });
    return fallback;
  }

  /** §3.7: comma-separated, trimmed, empty entries dropped, duplicates collapsed. */
  list(name: string): string[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    return [...new Set(v.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  }

  /** `yyyy-MM-dd` → the UTC date at the given time of day; a bad format is a 400. */
  date(name: string, endOfDay: boolean): Date | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    const d = m ? new Date(`${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`) : undefined;
    if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
      this.details.push({ field: name, type: 'invalid_format', message: 'must be a date yyyy-MM-dd' });
      return undefined;
    }
    return d;
  }

  add(detail: ErrorDetail): void {
    this.details.push(detail);
  }

  /**
   * Throws one 400 naming every problem collected so far. A header problem on its own keeps the
   * contract's wording (`Accept-Language validation failed.`).
   */
  done(): void {
    if (this.details.length === 0) return;
    if (this.languageError && this.details.length === this.languageError.details.length) throw this.languageError;
    throw ApiError.validation(this.details);
  }
}
