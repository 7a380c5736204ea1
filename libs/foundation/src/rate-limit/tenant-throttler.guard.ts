import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { ApiError, PUBLIC_ROUTE_KEY, Rate, TenantRateLimits, tenantRate } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';

/**
 * The per-tenant rate limit (@nestjs/throttler): a global guard registered after the three guards
 * of @suite/auth, so it counts only requests whose token was verified, holds the path's tenant and
 * a scope of the route. Its key is that tenant, so a request never spends another tenant's
 * allowance, and only tenants with a correctly signed token can have a counter: a flood with
 * random tenants in the path is refused (401/403) before anything is counted or stored. It runs
 * before the body is read (ERR-10), so a refused request costs no body. Public routes (health,
 * documentation) and the suite's own services calling each other (`exemptClients`) are not limited.
 */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const tenant = verifiedTenant(context);
    const seconds = Math.max(1, detail.timeToBlockExpire);
    throw ApiError.tooManyRequests(`The request rate limit of tenant ${tenant} is exhausted; retry after ${seconds} seconds.`, seconds, [
      { type: 'limit_exceeded', message: `at most ${detail.limit} requests per ${detail.ttl / 1000} s` },
    ]);
  }
}

/** The options of the tenant throttler: the tenant's rate (its override or the default), keyed by tenant. */
export function tenantThrottlerOptions(limits: TenantRateLimits, storage: ThrottlerStorage): ThrottlerModuleOptions {
  // skipIf runs first and skips every request without a rate, so the rate is always there below.
  const rateOf = (context: ExecutionContext): Rate => tenantRate(limits, verifiedTenant(context)) as Rate;
  return {
    throttlers: [{ name: 'tenant', limit: (c) => rateOf(c).limit, ttl: (c) => rateOf(c).windowMs }],
    skipIf: (context) => isPublic(context) || isExemptPeer(context, limits) || tenantRate(limits, verifiedTenant(context)) === null,
    getTracker: (_req, context) => verifiedTenant(context),
    generateKey: (_context, tenant) => `tenant:${tenant}`,
    // Retry-After comes with the 429 itself; X-RateLimit-* would describe the whole tenant's
    // allowance, shared by all its clients, to each of them.
    setHeaders: false,
    storage,
  };
}

/** A call of one of the suite's services: counted where the request entered the suite (see TenantRateLimits). */
function isExemptPeer(context: ExecutionContext, limits: TenantRateLimits): boolean {
  const auth = context.switchToHttp().getRequest<{ auth?: AuthContext }>().auth;
  return auth?.principalType === 'service' && auth.clientId !== undefined && limits.exemptClients.includes(auth.clientId);
}

function isPublic(context: ExecutionContext): boolean {
  return (
    Reflect.getMetadata(PUBLIC_ROUTE_KEY, context.getHandler()) === true ||
    Reflect.getMetadata(PUBLIC_ROUTE_KEY, context.getClass()) === true
  );
}

/**
 * The tenant the auth guards verified. A protected route without one means this guard ran before
 * them: that wiring error fails closed (500) instead of letting every request through unlimited.
 */
function verifiedTenant(context: ExecutionContext): string {
  const auth = context.switchToHttp().getRequest<{ auth?: AuthContext }>().auth;
  if (!auth) throw ApiError.internal(new Error('the tenant rate limit ran before the auth guards'));
  return auth.tenant;
}
