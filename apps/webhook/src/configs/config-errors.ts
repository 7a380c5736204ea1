import { ApiError, ErrorDetail } from '@suite/api-kit';

/** README "Configs": the one strategy of this suite, in the words every refusal of another uses. */
export const HTTP_ONLY_MESSAGE =
  'This suite supports only the http strategy (provider HTTP, code http); the Svix providers SVIX and SVIX_SHARED are not available.';

const SVIX_CODES = new Set(['svix', 'svix_shared']);
const SVIX_PROVIDERS = new Set(['SVIX', 'SVIX_SHARED']);

export function isSvixCode(code: unknown): boolean {
  return typeof code === 'string' && SVIX_CODES.has(code.toLowerCase());
}

export function isSvixProvider(provider: unknown): boolean {
  return typeof provider === 'string' && SVIX_PROVIDERS.has(provider.toUpperCase());
}

/** `400 validation_failed` naming the Svix value that was asked for. */
export function httpOnly(details: ErrorDetail[]): ApiError {
  return ApiError.validation(details, HTTP_ONLY_MESSAGE);
}

export function httpOnlyDetail(field: string): ErrorDetail {
  return { field, type: 'invalid_value', message: 'only the http strategy (provider HTTP) is supported' };
}

export function configNotFound(code: string): ApiError {
  return ApiError.notFound(code, `The tenant has no webhook config of code ${code}.`);
}
