import { ExecutionContext } from '@nestjs/common';
import { readRouteAccess, RouteAccessDeclaration } from '../decorators';

// Route metadata never changes after boot; caching it spares three guards the reflection walk on
// every request. Keyed by handler, then class (a handler may be inherited by several controllers).
const cache = new WeakMap<object, WeakMap<object, RouteAccessDeclaration | null>>();

/**
 * The single access declaration of the route being served, or undefined when there is none or
 * more than one (the boot check refuses such apps; at request time the guards fail closed).
 */
export function routeAccessOf(context: ExecutionContext): RouteAccessDeclaration | undefined {
  const handler = context.getHandler();
  const controller = context.getClass();
  let byClass = cache.get(handler);
  if (!byClass) {
    byClass = new WeakMap();
    cache.set(handler, byClass);
  }
  let access = byClass.get(controller);
  if (access === undefined) {
    const declarations = readRouteAccess(handler, controller);
    access = declarations.length === 1 ? declarations[0] : null;
    byClass.set(controller, access);
  }
  return access ?? undefined;
}

export function isPublicRoute(context: ExecutionContext): boolean {
  return routeAccessOf(context)?.kind === 'public';
}
