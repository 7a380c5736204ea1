import { findLanguage, isLanguageTag } from './language-tag';

/** Default of `I18N_LANGUAGES` (LOC-2, conventions §12). */
export const DEFAULT_LANGUAGES: readonly string[] = ['en', 'de', 'fr'];

const TENANT_PATTERN = /^[a-z][a-z0-9]{2,15}$/;

export interface TenantLanguagesConfig {
  /** Languages of every tenant without an override; the first is the default language. */
  languages: readonly string[];
  /** Per-tenant overrides; the first entry of each list is that tenant's default language. */
  tenants?: Readonly<Record<string, readonly string[]>>;
}

/** The environment variables of LOC-2; pass `process.env` from a `config/` file. */
export interface TenantLanguagesEnv {
  I18N_LANGUAGES?: string;
  I18N_TENANT_LANGUAGES?: string;
}

function checkList(where: string, list: unknown): readonly string[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${where} must be a non-empty list of language codes`);
  const seen = new Set<string>();
  for (const code of list) {
    if (typeof code !== 'string' || !isLanguageTag(code)) throw new Error(`${where}: '${String(code)}' is not a language tag`);
    const lower = code.toLowerCase();
    if (seen.has(lower)) throw new Error(`${where}: '${code}' is listed twice`);
    seen.add(lower);
  }
  return Object.freeze([...(list as string[])]);
}

/**
 * Tenant languages (LOC-2): deployment configuration, validated at construction so that a bad
 * configuration stops the app at boot (plain `Error`). Codes keep their configured spelling;
 * lookups of codes are case-insensitive.
 */
export class TenantLanguages {
  private readonly base: readonly string[];
  // A Map, not an object: tenant names are never looked up on a prototype.
  private readonly overrides = new Map<string, readonly string[]>();

  constructor(config: TenantLanguagesConfig) {
    this.base = checkList('I18N_LANGUAGES', config.languages);
    for (const [tenant, list] of Object.entries(config.tenants ?? {})) {
      if (!TENANT_PATTERN.test(tenant)) throw new Error(`I18N_TENANT_LANGUAGES: '${tenant}' is not a tenant name`);
      this.overrides.set(tenant, checkList(`I18N_TENANT_LANGUAGES.${tenant}`, list));
    }
  }

  /**
   * Reads `I18N_LANGUAGES` (comma-separated, default `en,de,fr`) and `I18N_TENANT_LANGUAGES`
   * (JSON object of tenant → list, default `{}`). Throws on malformed values.
   */
  static fromEnv(env: TenantLanguagesEnv): TenantLanguages {
    const raw = env.I18N_LANGUAGES?.trim();
    const languages = raw ? raw.split(',').map((s) => s.trim()) : [...DEFAULT_LANGUAGES];
    const rawTenants = env.I18N_TENANT_LANGUAGES?.trim();
    let tenants: unknown = {};
    if (rawTenants) {
      try {
        tenants = JSON.parse(rawTenants);
      } catch {
        throw new Error('I18N_TENANT_LANGUAGES must be a JSON object such as {"acme": ["de", "en"]}');
      }
    }
    if (tenants === null || typeof tenants !== 'object' || Array.isArray(tenants)) {
      throw new Error('I18N_TENANT_LANGUAGES must be a JSON object such as {"acme": ["de", "en"]}');
    }
    return new TenantLanguages({ languages, tenants: tenants as Record<string, string[]> });
  }

  /** From the already-read base configuration (`BaseConfig.languages` / `.tenantLanguages`). */
  static fromConfig(config: {
    languages: readonly string[];
    tenantLanguages?: Readonly<Record<string, readonly string[]>>;
  }): TenantLanguages {
    return new TenantLanguages({ languages: config.languages, tenants: config.tenantLanguages });
  }

  /** The tenant's languages in configured order; the first is the default. */
  languagesOf(tenant: string): readonly string[] {
    return this.overrides.get(tenant) ?? this.base;
  }

  /** The tenant's default language. */
  defaultOf(tenant: string): string {
    return this.languagesOf(tenant)[0];
  }

  /** The configured spelling of `code` for this tenant, or undefined when it is not a tenant language. */
  canonical(tenant: string, code: string): string | undefined {
    return findLanguage(code, this.languagesOf(tenant));
  }
}
