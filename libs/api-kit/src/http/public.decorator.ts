import { SetMetadata } from '@nestjs/common';

/**
 * Metadata key of `@Public()`. It lives in api-kit because the health endpoints and the
 * documentation routes (both api-kit) are the only public routes (AUTH-8) and api-kit cannot depend
 * on @suite/auth; @suite/auth re-exports the decorator and its guards read the same key.
 */
export const PUBLIC_ROUTE_KEY = 'suite:route-public';

/**
 * No token needed. Allowed only on the health endpoints, the two documentation routes
 * (`GET /<service>/openapi.json`, `GET /<service>/docs`) and `GET /metrics`: AUTH-1, AUTH-8; the
 * boot check of @suite/auth refuses it anywhere else. A public operation has `security: []` in the document.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE_KEY, true);
