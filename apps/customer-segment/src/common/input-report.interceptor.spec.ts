import { Body, CallHandler, ExecutionContext, Param, Query } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, TenantLanguages, TenantParamsDto, parseContentLanguage } from '@suite/api-kit';
import { Ctx, RequestContext } from '@suite/auth';
import { IsDefined, IsInt, IsOptional, IsString } from 'class-validator';
import { lastValueFrom, of, throwError } from 'rxjs';
import { InputChecks, InputReportInterceptor, OptionalBody } from './input-report.interceptor';
import { SegmentSettings } from './settings';

class ThingParams extends TenantParamsDto {
  @IsInt({ message: 'thingId must be a number' })
  thingId!: number;
}

class ThingQuery {
  @IsOptional()
  @IsString()
  q?: string;
}

class ThingBody {
  @IsDefined({ message: 'name is required' })
  name!: string;
}

class ThingsController {
  @InputChecks((input) => parseContentLanguage(input.ctx.contentLanguage, input.languages))
  write(@Ctx() _ctx: RequestContext, @Param() _params: ThingParams, @Query() _query: ThingQuery, @Body() _body: ThingBody) {}

  @OptionalBody()
  optional(@Body() _body: ThingBody) {}
}

const settings = new SegmentSettings(new TenantLanguages({ languages: ['en', 'de'] }), 10, 10, 1000);
const interceptor = new InputReportInterceptor(new Reflector(), settings);

function request(overrides: Record<string, unknown> = {}) {
  return {
    id: 'req-1',
    headers: { 'content-language': 'xx' },
    auth: { tenant: 'acme' },
    params: { tenant: 'acme', thingId: 'abc' },
    query: {},
    body: {},
    ...overrides,
  };
}

function context(req: object, method: 'write' | 'optional'): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => req }),
    getClass: () => ThingsController,
    getHandler: () => ThingsController.prototype[method],
  } as unknown as ExecutionContext;
}

const failing = (error: unknown): CallHandler => ({ handle: () => throwError(() => error) });

async function refusal(req: object, error: unknown, method: 'write' | 'optional' = 'write'): Promise<unknown> {
  try {
    await lastValueFrom(interceptor.intercept(context(req, method), failing(error)));
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

const pairs = (e: unknown) => (e as ApiError).details.map((d) => `${d.field ?? ''}:${d.type}`);

describe('InputReportInterceptor (ERR-6 over path, query, headers and body)', () => {
  it('adds the other parameters’ problems and the route’s checks to the pipe’s refusal', async () => {
    const pipe = ApiError.validation([{ field: 'thingId', type: 'invalid_type', message: 'thingId must be a number' }]);
    expect(pairs(await refusal(request(), pipe))).toEqual([
      'Content-Language:unsupported_language',
      'name:missing_value',
      'thingId:invalid_type',
    ]);
  });

  it('answers the refusal unchanged when nothing else is wrong (a later step, or all found already)', async () => {
    const later = ApiError.validation([{ field: 'x', type: 'invalid_value', message: 'no' }]);
    const valid = request({ headers: {}, params: { tenant: 'acme', thingId: 5 }, body: { name: 'n' } });
    expect(await refusal(valid, later)).toBe(later);
    const notFound = ApiError.notFound('x');
    expect(await refusal(request(), notFound)).toBe(notFound);
  });

  it('reads a missing optional body as {} and ignores a __proto__ query parameter (HTTP-4)', async () => {
    const query = Object.create(null) as Record<string, string>;
    query['__proto__'] = 'x';
    const req = request({ body: undefined, query });
    await lastValueFrom(interceptor.intercept(context(req, 'optional'), { handle: () => of(undefined) }));
    expect(req.body).toEqual({});
    expect(Object.keys(query)).toEqual([]);
  });
});
