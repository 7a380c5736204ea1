/**
 * Just enough of Docker Compose's and Docker's own rules to check the deployment files without a
 * Docker engine: loading a compose file (merge keys, the `!override` tag), merging an override
 * onto it, interpolating `${VAR}` forms after the merge (as Compose 2.29+ does), and deciding
 * whether `.dockerignore` keeps a path out of the build context. Each function follows the
 * documented rule for the cases our files use; where Compose does more (deduplicating ports,
 * extends, include), the files do not rely on it.
 */
import { readFileSync } from 'node:fs';
import { isPair, parseAllDocuments, parseDocument, visit } from 'yaml';

export type Json = any;

export interface ComposeFile {
  data: Json;
  /** Dotted paths (`services.gateway.ports`) of values tagged `!override`. */
  overrides: Set<string>;
}

const OVERRIDE_TAGS = [
  { tag: '!override', collection: 'seq' as const, resolve: (v: unknown) => v as never },
  { tag: '!override', collection: 'map' as const, resolve: (v: unknown) => v as never },
];

export function loadCompose(file: string): ComposeFile {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true, customTags: OVERRIDE_TAGS });
  if (doc.errors.length || doc.warnings.length) throw new Error(`${file}: ${[...doc.errors, ...doc.warnings].join('; ')}`);
  const overrides = new Set<string>();
  visit(doc, {
    Node(_key, node, path) {
      if (node.tag === '!override')
        overrides.add(
          path
            .filter(isPair)
            .map((p) => String((p.key as { value?: unknown }).value ?? p.key))
            .join('.'),
        );
    },
  });
  return { data: doc.toJS(), overrides };
}

/** Every document of a multi-document YAML file. */
export function loadYamlDocuments(file: string): Json[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.join('; ')}`);
    return d.toJS();
  });
}

// Sequences an override replaces rather than extends (Compose specification, "Merge").
const REPLACED = new Set(['command', 'entrypoint', 'test']);

/** `docker compose -f base -f override`: mappings merge, sequences append unless replaced or `!override`. */
export function mergeCompose(base: Json, override: ComposeFile): Json {
  const merge = (a: Json, b: Json, path: string[]): Json => {
    const here = path.join('.');
    if (override.overrides.has(here)) return b;
    if (Array.isArray(a) && Array.isArray(b)) return REPLACED.has(path[path.length - 1]) ? b : [...a, ...b];
    if (isObject(a) && isObject(b)) {
      const out: Json = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = k in a ? merge(a[k], v, [...path, k]) : v;
      return out;
    }
    return b;
  };
  return merge(base, override.data, []);
}

export interface Interpolated {
  value: Json;
  /** The messages of `${VAR:?message}` / `${VAR?message}` whose variable was missing. */
  errors: string[];
}

/** Compose interpolation of every string: `${V}`, `${V:-d}`, `${V-d}`, `${V:?m}`, `${V?m}`, `$$`. */
export function interpolate(value: Json, env: Record<string, string | undefined>): Interpolated {
  const errors: string[] = [];
  const one = (s: string): string =>
    s.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (whole, name: string, colon: string, op: string, arg: string) => {
        if (whole === '$$') return '$';
        const v = env[name];
        const missing = colon ? v === undefined || v === '' : v === undefined;
        if (op === '-') return missing ? arg : (v as string);
        if (op === '?') {
          if (missing) errors.push(`${name}: ${arg}`);
          return v ?? '';
        }
        return v ?? '';
      },
    );
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), errors };
}

/** A compose `environment` as a map (it may be a list of `K=V`). */
export function environmentOf(service: Json): Record<string, string> {
  const env = service?.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

/** The host address a published port is bound to (`''` when it is every interface). */
export function hostIpOf(port: Json): string {
  if (isObject(port)) return port.host_ip ?? '';
  const parts = String(port).split(':');
  // `[ip:]host:container`; an IPv6 address would be bracketed, none of our files has one.
  return parts.length === 3 ? parts[0] : '';
}

/** Docker's .dockerignore rule: patterns relative to the context root, a match on a directory excludes all below it. */
export function dockerIgnored(patterns: string[], file: string): boolean {
  const parts = file.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const re = globToRegExp((negate ? raw.slice(1) : raw).replace(/^\/+/, '').replace(/\/+$/, ''));
    if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) ignored = !negate;
  }
  return ignored;
}

export function dockerIgnorePatterns(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
