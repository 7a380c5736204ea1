import { Body, Controller, Get, Module, Param, Post, Put, Query } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import pino from 'pino';
import { ApiError } from '../errors';
import { ApiKitModule } from './api-kit.module';
import { ErrorProfile, renderError } from './error-profiles';
import { createApp, listen } from './bootstrap';
import { BODY_LIMIT_BYTES } from './request-body';

class Inner {
  @IsString() name!: string;
}
class ThingDto {
  @IsDefined() @IsString() siteCode!: string;
  @IsOptional() @IsInt() @Min(1) @Max(5) size?: number;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Inner) items?: Inner[];
  @IsOptional() @IsObject() @ValidateNested() @Type(() => Inner) inner?: Inner;
}
class ListQuery {
  @IsOptional() @IsString() q?: string;
}

@Controller('svc/:tenant/things')
class ThingsController {
  @Post()
  create(@Body() dto: ThingDto) {
    return { got: dto };
  }
  @Put(':id')
  put(@Param('id') id: string, @Body() dto: ThingDto) {
    return { id, got: dto };
  }
  @Get()
  list(@Query() query: ListQuery) {
    return [query];
  }
  @Get('boom')
  boom() {
    throw new Error('database password is hunter2');
  }
  @Get('missing')
  missing() {
    throw ApiError.notFound('T1');
  }
  /** A body read as it is: no DTO, no rules, nothing for the validation step but the body's own problems. */
  @Post('raw')
  raw(@Body() body: unknown) {
    return { got: body };
  }
}

async function start(profile: ErrorProfile): Promise<{ app: NestFastifyApplication; url: string }> {
  const logger = pino({ level: 'silent' });
  @Module({ imports: [ApiKitModule.forRoot({ service: 'svc', errorProfile: profile, logger })], controllers: [ThingsController] })
  class TestModule {}
  const app = await createApp(TestModule, { service: 'svc', logRequests: false, logger });
  const url = await listen(app, 0);
  return { app, url };
}

describe('HTTP pipeline (bootstrap, decoding, validation, error filter)', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start('segment')));
  afterAll(() => app.close());

  const post = (path: string, body: string | Buffer, contentType: string | null = 'application/json') =>
    fetch(url + path, { method: 'POST', body, headers: contentType ? { 'content-type': contentType } : {} });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await fetch(`${url}/health/live`, { headers: { 'x-request-id': 'abc.DEF_1-2' } });
    expect(kept.headers.get('x-request-id')).toBe('abc.DEF_1-2');
    expect(await kept.json()).toEqual({ status: 'ok' });
    const replaced = await fetch(`${url}/health/live`, { headers: { 'x-request-id': 'bad id!' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('answers unknown routes and unsupported methods with 404 route_not_found in the profile', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/svc/acme/things'],
    ]) {
      const res = await fetch(url + path, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const body = await res.json();
      expect(body).toMatchObject({ code: 404, status: 'Not Found', errorCode: 'route_not_found', details: [] });
    }
  });

  it('parses a JSON body after the guards and validates it', async () => {
    const res = await post('/svc/acme/things', JSON.stringify({ siteCode: 'main', size: 2, unknown: 'dropped' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ got: { siteCode: 'main', size: 2 } });
  });

  it('accepts the merge-patch and json-patch media types with parameters', async () => {
    const res = await post('/svc/acme/things', JSON.stringify({ siteCode: 'x' }), 'application/merge-patch+json; charset=utf-8');
    expect(res.status).toBe(201);
  });

  it('rejects other media types with 415, and a body without Content-Type too', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const res = await post('/svc/acme/things', '{"siteCode":"a"}', ct);
      expect(res.status).toBe(415);
      expect((await res.json()).errorCode).toBe('unsupported_media_type');
    }
  });

  it('rejects a body above 10 MiB with 413 without parsing it', async () => {
    const big = Buffer.alloc(BODY_LIMIT_BYTES + 10, 0x20);
    const res = await post('/svc/acme/things', big);
    expect(res.status).toBe(413);
    expect((await res.json()).errorCode).toBe('payload_too_large');
  });

  it('answers malformed JSON with 400 malformed_json and never echoes the body', async () => {
    const res = await post('/svc/acme/things', '{"siteCode": "secret-value",}');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errorCode).toBe('malformed_json');
    expect(body.details).toHaveLength(1);
    expect(body.details[0].type).toBe('syntax_error');
    expect(JSON.stringify(body)).not.toContain('secret-value');
  });

  it('lists every invalid field, sorted, with dotted and indexed paths', async () => {
    const res = await post('/svc/acme/things', JSON.stringify({ size: 9, items: [{ name: 'a' }, { name: 3 }] }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errorCode).toBe('validation_failed');
    expect(body.details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`)).toEqual([
      'items[1].name:invalid_type',
      'siteCode:missing_value',
      'size:out_of_range',
    ]);
  });

  it('reports a value of the wrong type once, without echoes of its nested validation', async () => {
    const res = await post('/svc/acme/things', JSON.stringify({ siteCode: 's', inner: 'x' }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`)).toEqual(['inner:invalid_type']);
    const nested = await post('/svc/acme/things', JSON.stringify({ siteCode: 's', inner: { name: 3 } }));
    expect((await nested.json()).details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`)).toEqual([
      'inner.name:invalid_type',
    ]);
  });

  it('reads a body thousands of levels deep without failing: deep containers are emptied, the rest validated', async () => {
    // JSON text nested `levels` deep (objects and arrays in turn); JSON.stringify itself would overflow.
    const deep = (levels: number, leaf: string): string => {
      let open = '';
      let close = '';
      for (let i = 0; i < levels; i++) {
        open += i % 2 ? '[' : '{"b":';
        close = (i % 2 ? ']' : '}') + close;
      }
      return open + leaf + close;
    };
    // An unknown property is dropped however deep it nests (ERR-7); a typed field that is
    // nested too deep is still refused by its own rule.
    const ok = await post('/svc/acme/things', `{"siteCode":"s","junk":${deep(20_000, '1')}}`);
    expect(ok.status).toBe(201);
    expect((await ok.json()).got).toEqual({ siteCode: 's' });
    const typed = await post('/svc/acme/things', `{"siteCode":"s","inner":${deep(20_000, '"x"')}}`);
    expect(typed.status).toBe(400);
    expect((await typed.json()).details.map((d: { field: string }) => d.field)).toEqual(['inner.name']);
    // Up to 32 levels nothing is touched.
    const kept = await post('/svc/acme/things', JSON.stringify({ siteCode: 's', items: [{ name: 'n' }] }));
    expect((await kept.json()).got).toEqual({ siteCode: 's', items: [{ name: 'n' }] });
  });

  it('reads keys named like Object.prototype members as ordinary keys, and refuses __proto__', async () => {
    const res = await post(
      '/svc/acme/things',
      '{"siteCode":"s","junk":{"constructor":{"a":1},"toString":2},"inner":{"name":"n","constructor":1}}',
    );
    expect(res.status).toBe(201);
    expect((await res.json()).got).toEqual({ siteCode: 's', inner: { name: 'n' } });
    const proto = await post('/svc/acme/things', '{"siteCode":"s","junk":{"__proto__":{"polluted":true}}}');
    expect(proto.status).toBe(400);
    expect((await proto.json()).details).toEqual([expect.objectContaining({ field: 'junk.__proto__', type: 'invalid_key' })]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a missing body and a non-object body', async () => {
    const missing = await fetch(`${url}/svc/acme/things`, { method: 'POST' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).details).toEqual([{ type: 'missing_payload', message: expect.any(String) }]);
    const array = await post('/svc/acme/things', '[1,2]');
    expect(array.status).toBe(400);
    expect((await array.json()).details[0].type).toBe('invalid_type');
  });

  it('rejects forbidden keys anywhere in the body (ERR-8)', async () => {
    const res = await post('/svc/acme/things', JSON.stringify({ siteCode: 'a', mixins: { x: { $where: 1, 'a.b': 2, '': 3 } }, $set: 1 }));
    expect(res.status).toBe(400);
    const fields = (await res.json()).details.map((d: { field: string; type: string }) => [d.field, d.type]);
    expect(fields).toEqual([
      ['$set', 'invalid_key'],
      ['mixins.x.', 'invalid_key'],
      ['mixins.x.$where', 'invalid_key'],
      ['mixins.x.a.b', 'invalid_key'],
    ]);
  });

  it('lists forbidden keys and numbers that are not finite with every other problem, also without a DTO (ERR-6)', async () => {
    const dto = await post('/svc/acme/things', '{"size":9,"mixins":{"x":{"$where":1,"n":1e400}},"inner":{"name":-1e999}}');
    expect(dto.status).toBe(400);
    const pairs = (await dto.json()).details.map((d: { field: string; type: string }) => `${d.field}:${d.type}`);
    // `inner.name` is "not finite", not also "must be a string".
    expect(pairs).toEqual([
      'inner.name:invalid_value',
      'mixins.x.$where:invalid_key',
      'mixins.x.n:invalid_value',
      'siteCode:missing_value',
      'size:out_of_range',
    ]);
    const raw = await post('/svc/acme/things/raw', '[{"a":{"$set":1}},{"n":-1e400}]');
    expect(raw.status).toBe(400);
    expect((await raw.json()).details).toEqual([
      { field: '[0].a.$set', type: 'invalid_key', message: expect.any(String) },
      { field: '[1].n', type: 'invalid_value', message: 'must be a finite number' },
    ]);
    const fine = await post('/svc/acme/things/raw', '{"n":1e308,"m":1e-400}');
    expect(await fine.json()).toEqual({ got: { n: 1e308, m: 0 } });
  });

  it('keeps query parameters flat and rejects bracket names and repetitions (HTTP-4)', async () => {
    const flat = await fetch(`${url}/svc/acme/things?q=a[b]=c&other=1`);
    expect(await flat.json()).toEqual([{ q: 'a[b]=c' }]);
    const bracket = await fetch(`${url}/svc/acme/things?q[$ne]=x`);
    expect(bracket.status).toBe(400);
    expect((await bracket.json()).details).toEqual([{ field: 'q[$ne]', type: 'invalid_parameter_name', message: expect.any(String) }]);
    const dup = await fetch(`${url}/svc/acme/things?q=a&q=b`);
    expect(dup.status).toBe(400);
    expect((await dup.json()).details[0]).toMatchObject({ field: 'q', type: 'duplicate_parameter' });
  });

  it('turns unexpected errors into 500 internal_error naming the request id, without internals', async () => {
    const res = await fetch(`${url}/svc/acme/things/boom`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('req-123');
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).errorCode).toBe('internal_error');
  });

  it('accepts path parameters of 150 characters', async () => {
    const id = 'a'.repeat(150);
    const res = await fetch(`${url}/svc/acme/things/${id}`, {
      method: 'PUT',
      body: '{"siteCode":"s"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(id);
  });
});

describe('error wire profiles over HTTP', () => {
  it.each([
    ['segment', { code: 404, status: 'Not Found', errorCode: 'resource_not_found', details: [], resourceId: 'T1' }],
    ['category', { code: 404, status: 'Not Found', errorCode: 'resource_not_found', details: [], resourceId: 'T1' }],
    ['coupon', { status: 404, type: 'resource_not_found', details: [] }],
  ] as const)('renders a 404 in the %s profile', async (profile, expected) => {
    const { app, url } = await start(profile);
    try {
      const res = await fetch(`${url}/svc/acme/things/missing`);
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body).toMatchObject(expected);
      expect(typeof body.message).toBe('string');
      if (profile === 'coupon') expect(body).not.toHaveProperty('errorCode');
    } finally {
      await app.close();
    }
  });

  it('renders validation details as strings in the category profile and maps types in the coupon profile', async () => {
    for (const profile of ['category', 'coupon'] as const) {
      const { app, url } = await start(profile);
      try {
        const res = await fetch(`${url}/svc/acme/things`, {
          method: 'POST',
          body: '{"size":"x"}',
          headers: { 'content-type': 'application/json' },
        });
        const body = await res.json();
        if (profile === 'category') {
          expect(body.details).toEqual(expect.arrayContaining([expect.stringMatching(/^siteCode: /)]));
        } else {
          expect(body.type).toBe('validation_violation');
          expect(body.details.map((d: { type: string }) => d.type).sort()).toEqual(['invalid_value', 'missing_value']);
        }
      } finally {
        await app.close();
      }
    }
  });
});

describe('errors Fastify and Node answer before any route (ERR-2, ERR-2b)', () => {
  it.each(['segment', 'category', 'coupon'] as const)(
    'answers a path that is not valid percent-encoding in the %s profile, with X-Request-Id',
    async (profile) => {
      const { app, url } = await start(profile);
      try {
        const res = await fetch(`${url}/svc/acme/things/%E0%A4%A`, { headers: { 'x-request-id': 'edge-1' } });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.headers.get('x-request-id')).toBe('edge-1');
        const body = await res.json();
        if (profile === 'coupon') expect(body).toMatchObject({ status: 400, type: 'validation_violation' });
        else expect(body).toMatchObject({ code: 400, status: 'Bad Request', errorCode: 'validation_failed' });
      } finally {
        await app.close();
      }
    },
  );

  it('accepts 60 KB of request headers, and answers beyond 70 KiB in the profile, with a new X-Request-Id', async () => {
    const { app, url } = await start('category');
    try {
      // Customer-segment §1.12: request headers up to 60 KB.
      expect((await fetch(`${url}/health/live`, { headers: { 'x-big': 'h'.repeat(60_000) } })).status).toBe(200);
      const res = await fetch(`${url}/svc/acme/things?q=${'a'.repeat(80_000)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const body = await res.json();
      expect(body).toMatchObject({ code: 400, errorCode: 'validation_failed', details: [expect.stringMatching(/^headers: /)] });
      // The server goes on serving.
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('coupon profile detail vocabulary (coupon §1.4)', () => {
  it('maps paging and q problems to invalid_query_parameter and a non-object body to malformed_payload', () => {
    const paging = ApiError.validation([
      { field: 'pageSize', type: 'out_of_range', message: 'x' },
      { field: 'sort', type: 'invalid_format', message: 'y' },
    ]);
    expect(renderError(paging, 'coupon')).toMatchObject({
      status: 400,
      type: 'validation_violation',
      details: [
        { field: 'pageSize', type: 'invalid_query_parameter' },
        { field: 'sort', type: 'invalid_query_parameter' },
      ],
    });
    const q = ApiError.invalidQuery({ field: 'q', type: 'syntax_error', message: 'z' });
    expect(renderError(q, 'coupon')).toMatchObject({ details: [{ field: 'q', type: 'invalid_query_parameter' }] });
    const notObject = ApiError.validation([{ type: 'invalid_type', message: 'the request body must be a JSON object' }]);
    expect(renderError(notObject, 'coupon')).toMatchObject({ details: [{ type: 'malformed_payload' }] });
    const field = ApiError.validation([{ field: 'discountAbsolute.amount', type: 'invalid_type', message: 'n' }]);
    expect(renderError(field, 'coupon')).toMatchObject({ details: [{ field: 'discountAbsolute.amount', type: 'invalid_value' }] });
  });
});
