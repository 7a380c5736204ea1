import { SetMetadata } from '@nestjs/common';

/**
 * Metadata key of `@Public()`. It lives in api-kit because the health endpoints (api-kit) are the
 * only public routes (AUTH-8) and api-kit cannot depend on @suite/auth; @suite/auth re-exports the
 * decorator and its guards read the same key.
 */
export const PUBLIC_ROUTE_KEY = 'suite:route-public';

/** No token needed. Allowed only on the health endpoints (AUTH-1, AUTH-8). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE_KEY, true);
