import { INestApplicationContext, Inject, Injectable, OnApplicationBootstrap, Optional, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { documentationPaths, METRICS_PATH, SECURITY_SCHEME, SERVICE_NAME } from '@suite/api-kit';
import { AUTH_OPTIONS, ResolvedAuthOptions } from './auth-options';
import { PrincipalType } from './auth-context';
import { readAllowedPrincipals, readRouteAccess } from './decorators';

// Nest's route metadata keys (PATH_METADATA / METHOD_METADATA in @nestjs/common/constants).
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';

/** One route's wiring, as reported by `RouteAccessInspector.listRouteAccess()`. */
export interface RouteAccessEntry {
  method: string;
  path: string;
  access: 'public' | 'authenticated' | 'scopes' | 'none' | 'conflict';
  scopes: string[];
  principals: PrincipalType[] | null;
  controller: string;
  handler: string;
}

/**
 * Walks every controller route at boot (AUTH-8, STYLE habit 1) and stops the app when a route
 * carries none or more than one of `@Public`, `@Authenticated`, `@RequireScopes` (handler and
 * controller level counted together), when `@Public` sits on a path other than the health
 * endpoints, the service's two documentation routes and the metrics route (`GET /metrics`), or when a protected route has no `:tenant`
 * path parameter (TEN-2 could not be checked). Forgetting to protect an endpoint thus fails at
 * startup instead of leaving a hole.
 */
@Injectable()
export class RouteAccessInspector implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    /** From ApiKitModule: its documentation routes are `/<service>/openapi.json` and `/<service>/docs`. */
    @Optional() @Inject(SERVICE_NAME) private readonly service?: string,
  ) {}

  /**
   * An inspector over an application context that was not bootstrapped, e.g. one created with
   * `{ preview: true }` (no instances, no database): what `npm run openapi` and the document tests
   * use to apply the same boot check and to compare the document with the guards.
   */
  static of(app: INestApplicationContext): RouteAccessInspector {
    const optional = <T>(token: string | symbol): T | undefined => {
      try {
        return app.get<T>(token, { strict: false });
      } catch {
        return undefined;
      }
    };
    const options = optional<ResolvedAuthOptions>(AUTH_OPTIONS);
    if (!options) throw new Error('RouteAccessInspector.of: the application does not import AuthModule');
    const discovery = new DiscoveryService(app.get(ModulesContainer));
    return new RouteAccessInspector(discovery, new MetadataScanner(), options, optional<string>(SERVICE_NAME));
  }

  /** Where `@Public()` is allowed: the configured public paths (health), the documentation routes and `GET /metrics`. */
  publicPaths(): string[] {
    const docs = this.service ? Object.values(documentationPaths(this.service)) : [];
    return [...new Set([...this.options.publicPaths, ...docs, METRICS_PATH])];
  }

  /** Refuses to start on any finding of {@link findProblems}. */
  onApplicationBootstrap(): void {
    const problems = this.findProblems();
    if (problems.length) {
      throw new Error(`AuthModule: refusing to start, routes with wrong access declarations:\n  ${problems.join('\n  ')}`);
    }
  }

  /** Every route with its access rule, sorted by path then method, for wiring tests. */
  listRouteAccess(): RouteAccessEntry[] {
    const entries: RouteAccessEntry[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!controller || !controller.prototype) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const declarations = readRouteAccess(handler, controller);
        const principals = readAllowedPrincipals(handler, controller);
        const only = declarations.length === 1 ? declarations[0] : undefined;
        for (const cp of controllerPaths) {
          for (const hp of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            entries.push({
              method: RequestMethod[method],
              path: joinPath(cp, hp),
              access: only ? only.kind : declarations.length === 0 ? 'none' : 'conflict',
              scopes: only?.kind === 'scopes' ? [...only.scopes] : [],
              principals: principals ? [...principals] : null,
              controller: controller.name,
              handler: name,
            });
          }
        }
      }
    }
    return entries.sort((a, b) => (a.path === b.path ? cmp(a.method, b.method) : cmp(a.path, b.path)));
  }

  /**
   * Where an OpenAPI document disagrees with what the guards enforce, one line each; empty when it
   * agrees. Every protected route must be documented with one security requirement per accepted
   * scope (any-of) or one without scopes (`@Authenticated`), and with 401 and 403 responses; a
   * public route is either left out (health, documentation) or documented with `security: []`;
   * nothing is documented that no route serves.
   */
  documentMismatches(document: DocumentedOperations): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const r of this.listRouteAccess()) {
      const template = r.path.replace(/:([^/]+)/g, '{$1}');
      const key = `${r.method} ${template}`;
      seen.add(key);
      const operation = document.paths?.[template]?.[r.method.toLowerCase()] as
        { security?: Record<string, string[]>[]; responses?: Record<string, unknown> } | undefined;
      if (r.access === 'public') {
        if (operation && JSON.stringify(operation.security) !== '[]') problems.push(`${key}: public route documented with security`);
        continue;
      }
      if (!operation) {
        problems.push(`${key}: protected route missing from the document`);
        continue;
      }
      const expected = r.access === 'scopes' ? r.scopes.map((s) => ({ [SECURITY_SCHEME]: [s] })) : [{ [SECURITY_SCHEME]: [] }];
      const norm = (reqs: unknown) =>
        JSON.stringify(((reqs as Record<string, string[]>[] | undefined) ?? []).map((x) => JSON.stringify(x)).sort());
      if (norm(operation.security) !== norm(expected)) {
        const documented = JSON.stringify(operation.security ?? null);
        problems.push(`${key}: document says ${documented}, the guards enforce ${JSON.stringify(expected)}`);
      }
      for (const status of ['401', '403']) if (!operation.responses?.[status]) problems.push(`${key}: no ${status} response`);
    }
    for (const [template, item] of Object.entries(document.paths ?? {})) {
      for (const method of OPENAPI_METHODS) {
        const key = `${method.toUpperCase()} ${template}`;
        if (item[method] && !seen.has(key)) problems.push(`${key}: documented, but no route serves it`);
      }
    }
    return problems;
  }

  /** Every wrong access declaration, one line each; empty when the wiring is right. */
  findProblems(): string[] {
    const problems: string[] = [];
    const publicPaths = this.publicPaths();
    for (const r of this.listRouteAccess()) {
      const where = `${r.method} ${r.path} (${r.controller}.${r.handler})`;
      if (r.access === 'none') problems.push(`${where}: none of @Public, @Authenticated, @RequireScopes`);
      else if (r.access === 'conflict') problems.push(`${where}: more than one of @Public, @Authenticated, @RequireScopes`);
      else if (r.access === 'public') {
        if (!publicPaths.includes(r.path)) problems.push(`${where}: @Public is allowed only on ${publicPaths.join(', ')}`);
        if (r.principals) problems.push(`${where}: @AllowedPrincipals on a public route`);
      } else if (!r.path.split('/').includes(':tenant')) {
        problems.push(`${where}: protected route without a :tenant path parameter`);
      }
    }
    return problems;
  }
}

/** The part of an OpenAPI document {@link RouteAccessInspector.documentMismatches} reads. */
export interface DocumentedOperations {
  paths?: Record<string, Record<string, { security?: Record<string, string[]>[]; responses?: Record<string, unknown> } | unknown>>;
}

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return ['/'];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function joinPath(...parts: string[]): string {
  const segments = parts.flatMap((p) => p.split('/')).filter((s) => s.length > 0);
  return '/' + segments.join('/');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
