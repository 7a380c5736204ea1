import { Inject, Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
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
 * controller level counted together), when `@Public` sits on a non-health path, or when a
 * protected route has no `:tenant` path parameter (TEN-2 could not be checked). Forgetting to
 * protect an endpoint thus fails at startup instead of leaving a hole.
 */
@Injectable()
export class RouteAccessInspector implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

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

  private findProblems(): string[] {
    const problems: string[] = [];
    for (const r of this.listRouteAccess()) {
      const where = `${r.method} ${r.path} (${r.controller}.${r.handler})`;
      if (r.access === 'none') problems.push(`${where}: none of @Public, @Authenticated, @RequireScopes`);
      else if (r.access === 'conflict') problems.push(`${where}: more than one of @Public, @Authenticated, @RequireScopes`);
      else if (r.access === 'public') {
        if (!this.options.publicPaths.includes(r.path)) problems.push(`${where}: @Public is allowed only on ${this.options.publicPaths.join(', ')}`);
        if (r.principals) problems.push(`${where}: @AllowedPrincipals on a public route`);
      } else if (!r.path.split('/').includes(':tenant')) {
        problems.push(`${where}: protected route without a :tenant path parameter`);
      }
    }
    return problems;
  }
}

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
