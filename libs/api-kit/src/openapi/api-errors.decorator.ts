import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { reasonPhrase } from '../errors';

/** The component every error response refers to; each service's document defines it in its profile (ERR-2). */
export const ERROR_SCHEMA_REF = '#/components/schemas/Error';

/**
 * Documents the error statuses an operation can answer besides 401/403 (which the document adds
 * from the route's access declaration). Each refers to the service's error profile schema.
 */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: reasonPhrase(status), schema: { $ref: ERROR_SCHEMA_REF } })),
  );
}
