import { ExecutionContext } from '@nestjs/common';
import { readRouteAccess, RouteAccessDeclaration } from '../decorators';

/**
 * The single access declaration of the route being served, or undefined when there is none or
 * more than one (the boot check refuses such apps; at request time the guards fail closed).
 */
export function routeAccessOf(context: ExecutionContext): RouteAccessDeclaration | undefined {
  const declarations = readRouteAccess(context.getHandler(), context.getClass());
  return declarations.length === 1 ? declarations[0] : undefined;
}

export function isPublicRoute(context: ExecutionContext): boolean {
  return routeAccessOf(context)?.kind === 'public';
}
