import { Body, CallHandler, Controller, ExecutionContext, Get, Module, Param, Post, Query } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Transform } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString } from 'class-validator';
import pino from 'pino';
import { lastValueFrom, of } from 'rxjs';
import { TenantParamsDto } from '../dto';
import { ApiError } from '../errors';
import { parseContentLanguage, TenantLanguages } from '../i18n';
import { ApiKitModule } from './api-kit.module';
import { createApp, listen } from './bootstrap';
import { RequestValidationInterceptor, RuleInput, ValidateRequest } from './request-validation';
import { SuiteValidationPipe } from './validation.pipe';

class ThingParams extends TenantParamsDto {
  @Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
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

let seen: RuleInput | undefined;
const contentLanguageRule = (input: RuleInput) => {
  seen = input;
  parseContentLanguage(input.ctx.contentLanguage, input.languages);
};

class ThingsController {
  @ValidateRequest({ rules: [contentLanguageRule] })
  write(@Param() _params: ThingParams, @Query() _query: ThingQuery, @Body() _body: ThingBody) {}

  @ValidateRequest({ optionalBody: true })
  optional(@Query() _query: ThingQuery, @Body() _body: ThingBody) {}

  @ValidateRequest({ message: 'Constraint validation failed', notObjectMessage: 'must be an object with name' })
  worded(@Body() _body: ThingBody) {}

  @ValidateRequest({ bodyField: 'thing', bodyMessage: 'The thing is invalid.' })
  named(@Query() _query: ThingQuery, @Body() _body: ThingBody) {}

  @ValidateRequest({
    rules: [
      () => {
        const details = [{ field: 'Accept-Language', type: 'unsupported_language' as const, message: 'no' }];
        throw new ApiError('validation_failed', 'Accept-Language validation failed.', { details });
      },
      () => {
        throw ApiError.notFound('later');
      },
    ],
  })
  ruled(@Query() _query: ThingQuery) {}
}

type Method = 'write' | 'optional' | 'worded' | 'named' | 'ruled';

const interceptor = new RequestValidationInterceptor(new Reflector(), new TenantLanguages({ languages: ['en', 'de'] }));

function request(overrides: Record<string, unknown> = {}) {
  return {
    headers: { 'content-language': 'xx' },
    params: { tenant: 'acme', thingId: 'abc' },
    query: {},
    body: {},
    ...overrides,
  };
}

function context(req: object, method: Method): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req }),
    getClass: () => ThingsController,
    getHandler: () => ThingsController.prototype[method],
  } as unknown as ExecutionContext;
}

const passing: CallHandler = { handle: () => of('handled') };

async function outcome(req: object, method: Method): Promise<unknown> {
  try {
    return await lastValueFrom(interceptor.intercept(context(req, method), passing));
  } catch (e) {
    return e;
  }
}

type Detail = { field?: string; type: string };
const pairs = (e: unknown) => (e as ApiError).details.map((d) => `${d.field ?? ''}:${d.type}`);

describe('RequestValidationInterceptor (ERR-6 over path, query, headers and body)', () => {
  it('answers the problems of every DTO parameter and of the route’s rules in one 400', async () => {
    const error = await outcome(request(), 'write');
    expect(error).toBeInstanceOf(ApiError);
    expect(pairs(error)).toEqual(['Content-Language:unsupported_language', 'name:missing_value', 'thingId:invalid_type']);
    expect((error as ApiError).message).toBe('The request contains 3 invalid values.');
  });

  it('gives rules the tenant, its languages, the parts as sent and as the DTOs made them', async () => {
    const headers = { 'content-language': ['de', 'en'] };
    await outcome(request({ headers, params: { tenant: 'acme', thingId: '7' }, body: { name: 'n', x: 1 } }), 'write');
    expect(seen).toMatchObject({
      ctx: { tenant: 'acme', contentLanguage: 'de,en' },
      languages: ['en', 'de'],
      params: { thingId: '7' },
      body: { name: 'n', x: 1 },
      dto: { params: { thingId: 7 }, body: { name: 'n' } },
    });
    expect(seen?.dto.body).toBeInstanceOf(ThingBody);
  });

  it('hands on a valid request, and the pipe then returns the validated instances as they are', async () => {
    const req = request({ headers: {}, params: { tenant: 'acme', thingId: '5' }, body: { name: 'n' } });
    expect(await outcome(req, 'write')).toBe('handled');
    const pipe = new SuiteValidationPipe();
    const params = await pipe.transform(req.params, { type: 'param', metatype: ThingParams });
    expect(params).toBeInstanceOf(ThingParams);
    expect(params).toEqual({ tenant: 'acme', thingId: 5 });
    expect(await pipe.transform(req.params, { type: 'param', metatype: ThingParams })).toBe(params);
    expect(await pipe.transform(req.body, { type: 'body', metatype: ThingBody })).toBeInstanceOf(ThingBody);
  });

  it('keeps a rule’s own 400 with its wording when it is the only problem; other errors are the handler’s', async () => {
    const error = await outcome(request({ headers: {} }), 'ruled');
    expect((error as ApiError).message).toBe('Accept-Language validation failed.');
    const together = await outcome(request({ query: { q: 1 } }), 'ruled');
    expect(pairs(together)).toEqual(['Accept-Language:unsupported_language', 'q:invalid_type']);
    expect((together as ApiError).message).toBe('The request contains 2 invalid values.');
  });

  it('reads a missing optional body as {} and ignores a __proto__ query parameter (HTTP-4)', async () => {
    const query = Object.create(null) as Record<string, string>;
    query['__proto__'] = 'x';
    const req = request({ body: undefined, query });
    expect(pairs(await outcome(req, 'optional'))).toEqual(['name:missing_value']);
    expect(req.body).toEqual({});
  });

  it('words the 400 as the route declares: message, not-object detail, body field prefix and body message', async () => {
    const worded = (await outcome(request({ body: [1] }), 'worded')) as ApiError;
    expect(worded.message).toBe('Constraint validation failed');
    expect(worded.details).toEqual([{ type: 'invalid_type', message: 'must be an object with name' }]);
    expect(pairs(await outcome(request({ body: undefined }), 'worded'))).toEqual([':missing_payload']);
    const named = (await outcome(request(), 'named')) as ApiError;
    expect(named.message).toBe('The thing is invalid.');
    expect(pairs(named)).toEqual(['thing.name:missing_value']);
    const queryOnly = (await outcome(request({ query: { q: 1 }, body: { name: 'n' } }), 'named')) as ApiError;
    expect(queryOnly.message).toBe('The request contains 1 invalid value.');
  });
});

describe('SuiteValidationPipe without the interceptor', () => {
  const pipe = new SuiteValidationPipe();

  it('ignores a __proto__ query or path parameter (HTTP-4) but refuses it as a body key (ERR-8)', async () => {
    const query = Object.create(null) as Record<string, string>;
    query['__proto__'] = 'x';
    query.q = 'a';
    expect(await pipe.transform(query, { type: 'query', metatype: ThingQuery })).toEqual({ q: 'a' });
    const body = JSON.parse('{"name":"n","__proto__":{"polluted":true}}') as object;
    await expect(pipe.transform(body, { type: 'body', metatype: ThingBody })).rejects.toMatchObject({
      details: [{ field: '__proto__', type: 'invalid_key' }],
    });
  });
});

@Controller('svc/:tenant/things')
class HttpThingsController {
  @Post(':thingId')
  create(@Param() params: ThingParams, @Query() query: ThingQuery, @Body() body: ThingBody) {
    return { params, query, body };
  }

  @Get()
  list(@Query() query: ThingQuery) {
    return [query];
  }
}

describe('request validation in the HTTP pipeline (ApiKitModule)', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => {
    const logger = pino({ level: 'silent' });
    @Module({ imports: [ApiKitModule.forRoot({ service: 'svc', errorProfile: 'segment', logger })], controllers: [HttpThingsController] })
    class TestModule {}
    app = await createApp(TestModule, { service: 'svc', logRequests: false, logger });
    url = await listen(app, 0);
  });
  afterAll(() => app.close());

  const post = (path: string, body: string) => fetch(url + path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const pairsOf = async (res: Response) => ((await res.json()).details as Detail[]).map((d) => `${d.field ?? ''}:${d.type}`);

  it('lists the problems of path, query and body in one 400 (ERR-6)', async () => {
    const res = await post('/svc/acme/things/abc?q', '{}');
    expect(res.status).toBe(400);
    expect(await pairsOf(res)).toEqual(['name:missing_value', 'thingId:invalid_type']);
    expect(await pairsOf(await post('/svc/acme/things/abc', '[]'))).toEqual([':invalid_type', 'thingId:invalid_type']);
  });

  it('hands the handler the converted DTOs', async () => {
    const res = await post('/svc/acme/things/12?q=x&other=1', '{"name":"n","extra":1}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ params: { tenant: 'acme', thingId: 12 }, query: { q: 'x' }, body: { name: 'n' } });
  });

  it('ignores a query parameter named __proto__ like any unknown one (HTTP-4)', async () => {
    const res = await fetch(`${url}/svc/acme/things?__proto__=x&q=a`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ q: 'a' }]);
  });
});
