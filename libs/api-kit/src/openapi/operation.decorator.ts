import { applyDecorators, HttpCode, Type } from '@nestjs/common';
import {
  ApiBody,
  ApiBodyOptions,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiHeaderOptions,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiResponseNoStatusOptions,
} from '@nestjs/swagger';
import { RequestValidationOptions, ValidateRequest } from '../http/request-validation';
import { ApiErrors } from './api-errors.decorator';

/** A success response of an operation: `type` (with `isArray`), `description`, response `headers`. */
export type OperationResponse = ApiResponseNoStatusOptions;

/** A success response, or only its description (a response without body or headers). */
export type OperationResponseOrText = OperationResponse | string;

/** Everything a handler declares besides its route and its access: documentation, status code, validation. */
export interface OperationOptions {
  /** The `operationId`: unique in the service, camelCase (`createSegment`). */
  id: string;
  summary: string;
  description?: string;
  deprecated?: boolean;
  /** Request headers the operation reads (`Accept-Language`, `Content-Language`, `X-Total-Count`), in this order. */
  headers?: readonly ApiHeaderOptions[];
  /** The request body, where the body parameter's type does not say it: `[Dto]` for an array of `Dto` (bulk), or the options. */
  body?: ApiBodyOptions | readonly [Type<unknown>];
  /** Media types of the body besides the default `application/json`. */
  consumes?: readonly string[];
  ok?: OperationResponseOrText;
  created?: OperationResponseOrText;
  noContent?: OperationResponseOrText;
  /** `207`: one result per element of a bulk request (BULK-2). */
  multiStatus?: OperationResponseOrText;
  /** The error statuses the operation can answer besides 401/403 ({@link ApiErrors}). */
  errors?: readonly number[];
  /** The success status where it is not Nest's default for the method (a search POST answers `200`). */
  httpCode?: number;
  /** The route's part of the input validation step ({@link ValidateRequest}). */
  validate?: RequestValidationOptions;
}

/**
 * The one decorator of a handler besides its HTTP method and its access declaration: the
 * operation's OpenAPI description (summary, operationId, headers, body, success responses, the
 * error statuses of {@link ApiErrors}), its success status (`HttpCode`) and its input validation
 * ({@link ValidateRequest}).
 *
 * ```ts
 * @Post()
 * @RequireScopes(MANAGE)
 * @Operation({ id: 'createSegment', summary: 'Create a segment', created: { type: IdDto }, errors: [400, 409] })
 * create(@Ctx() ctx: RequestContext, @Body() body: CreateSegmentDto) { ... }
 * ```
 */
export function Operation(options: OperationOptions): MethodDecorator {
  const { id, summary, description, deprecated } = options;
  const decorators: MethodDecorator[] = [
    ApiOperation({ summary, operationId: id, ...(description === undefined ? {} : { description }), ...(deprecated && { deprecated }) }),
    ...(options.headers ?? []).map((header) => ApiHeader(header)),
  ];
  if (options.consumes) decorators.push(ApiConsumes(...options.consumes));
  if (options.body) decorators.push(ApiBody(bodyOptions(options.body)));
  if (options.ok) decorators.push(ApiOkResponse(response(options.ok)));
  if (options.created) decorators.push(ApiCreatedResponse(response(options.created)));
  if (options.noContent) decorators.push(ApiNoContentResponse(response(options.noContent)));
  if (options.multiStatus) decorators.push(ApiResponse({ ...response(options.multiStatus), status: 207 }));
  if (options.errors?.length) decorators.push(ApiErrors(...options.errors));
  if (options.httpCode !== undefined) decorators.push(HttpCode(options.httpCode));
  if (options.validate) decorators.push(ValidateRequest(options.validate));
  return applyDecorators(...decorators);
}

/**
 * A delete: `204` with the given description (default `Deleted.`) and the error statuses (default
 * `[404]`); `more` adds or overrides options (`description`, `validate`, ...).
 *
 * ```ts
 * @Operation.deleted('deleteSegment', 'Delete a segment')
 * ```
 */
Operation.deleted = function deleted(id: string, summary: string, more: Partial<OperationOptions> = {}): MethodDecorator {
  return Operation({ id, summary, noContent: 'Deleted.', errors: [404], ...more });
};

/** What {@link Operation.bulk} takes besides the id, the summary and the element: at least the `207` results. */
export type BulkOperationOptions = Partial<Omit<OperationOptions, 'id' | 'summary' | 'body'>> & { multiStatus: OperationResponseOrText };

/** The element of a bulk body: a DTO class, or the body options where the elements are not objects. */
type BulkItem = Type<unknown> | ApiBodyOptions;

/**
 * A bulk operation (BULK-2): the body is an array of `item` (a DTO class, or the body options where
 * the elements are not objects), `207` with one result per element; the error statuses default to
 * `[400, 413, 415]`. `more` gives the results and adds or overrides options.
 *
 * ```ts
 * @Operation.bulk('createSegmentsInBulk', 'Create up to 200 segments', CreateSegmentDto, { multiStatus: MULTI_STATUS })
 * ```
 */
Operation.bulk = function bulk(id: string, summary: string, item: BulkItem, more: BulkOperationOptions): MethodDecorator {
  const body: OperationOptions['body'] = typeof item === 'function' ? [item] : item;
  return Operation({ id, summary, body, errors: [400, 413, 415], ...more });
};

function response(value: OperationResponseOrText): OperationResponse {
  return typeof value === 'string' ? { description: value } : value;
}

function bodyOptions(body: ApiBodyOptions | readonly [Type<unknown>]): ApiBodyOptions {
  return Array.isArray(body) ? { type: body[0] as Type<unknown>, isArray: true } : (body as ApiBodyOptions);
}
