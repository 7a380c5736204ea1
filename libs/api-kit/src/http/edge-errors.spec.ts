import { Body, CanActivate, Controller, ExecutionContext, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import pino from 'pino';
import { inProfile, rawRequest, REQUEST_ID } from '../../../../test/support/raw-http';
import { ApiError } from '../errors';
import { ApiKitModule } from './api-kit.module';
import { createApp, listen } from './bootstrap';
import { ErrorProfile } from './error-profiles';
import { BODY_LIMIT_BYTES } from './request-body';

// What Node and Fastify do at the edge of an app, before or around the route, over real sockets:
// a Content-Type Fastify cannot parse, an unknown Expect, and answers given while the body is
// still arriving (conventions ERR-2, ERR-2b, ERR-10, HTTP-3).

/** Stands for the tenant and scope guards: refuses before the body is read. */
@Injectable()
class RefuseWhenAsked implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-refuse']) {
      throw new ApiError('tenant_mismatch', 'The access token is not valid for the tenant in the path.');
    }
    return true;
  }
}

class ThingDto {
  @IsOptional() @IsString() name?: string;
}

@Controller('svc/:tenant/things')
@UseGuards(RefuseWhenAsked)
class ThingsController {
  @Post()
  create(@Body() dto: ThingDto) {
    return { got: dto };
  }
}

async function start(profile: ErrorProfile): Promise<{ app: NestFastifyApplication; url: string }> {
  const logger = pino({ level: 'silent' });
  @Module({ imports: [ApiKitModule.forRoot({ service: 'svc', errorProfile: profile, logger })], controllers: [ThingsController] })
  class TestModule {}
  const app = await createApp(TestModule, { service: 'svc', logRequests: false, logger });
  return { app, url: await listen(app, 0) };
}

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('edge of an app (EdgeErrors.install)', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start('coupon')));
  afterAll(() => app.close());

  it.each(['', ';', 'json', ' ; charset=utf-8', 'application/'])(
    'answers a Content-Type Fastify cannot parse (%j) after the guards, as any unsupported media type',
    async (contentType) => {
      const post = (extra: string[]) =>
        rawRequest(url, {
          head: head(['POST /svc/acme/things HTTP/1.1', 'Host: x', `Content-Type: ${contentType}`, 'Content-Length: 2', ...extra]),
          bodyBytes: 2,
        });
      // ERR-10: the guard's 403 comes before any body problem.
      const refused = await post(['X-Refuse: 1', 'Connection: close']);
      expect(refused.responses[0].status).toBe(403);
      expect(refused.responses[0].json).toMatchObject({ status: 403, type: 'insufficient_permissions' });
      const unsupported = (await post(['Connection: close'])).responses[0];
      expect(unsupported.status).toBe(415);
      expect(unsupported.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(unsupported.json).toEqual({
        status: 415,
        type: 'validation_violation',
        message: 'The request body must be application/json, application/merge-patch+json or application/json-patch+json.',
        details: [{ field: 'Content-Type', type: 'invalid_value', message: expect.stringMatching(/^unsupported media type /) }],
      });
    },
  );

  it('still reads a JSON body whose Content-Type has parameters', async () => {
    const res = await fetch(`${url}/svc/acme/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json ; charset="utf-8"' },
      body: '{"name":"n"}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ got: { name: 'n' } });
  });

  it('ignores an Expect it does not know instead of answering a bare 417', async () => {
    const { responses } = await rawRequest(url, {
      head: head([
        'POST /svc/acme/things HTTP/1.1',
        'Host: x',
        'Expect: something-else',
        'Content-Type: application/json',
        'Content-Length: 12',
        'Connection: close',
      ]),
      body: '{"name":"n"}',
    });
    expect(responses[0].status).toBe(201);
    expect(responses[0].json).toEqual({ got: { name: 'n' } });
  });

  it('answers a refusal before a 5 MB body has arrived, then discards the rest and serves the next request', async () => {
    const exchange = await rawRequest(url, {
      head: head(['POST /svc/acme/things HTTP/1.1', 'Host: x', 'X-Refuse: 1', 'Content-Type: application/json', 'Content-Length: 5000000']),
      bodyBytes: 5_000_000,
      next: head(['GET /health/live HTTP/1.1', 'Host: x']),
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.bodyBytesWritten).toBe(5_000_000);
    expect(exchange.responses.map((r) => r.status)).toEqual([403, 200]);
    expect(inProfile('coupon', 403, exchange.responses[0].json)).toBe(true);
  });

  it('answers a body declared above 10 MiB with 413 and closes in stages: the body is written, the answer read, no reset', async () => {
    const size = BODY_LIMIT_BYTES + 600_000;
    const exchange = await rawRequest(url, {
      head: head(['POST /svc/acme/things HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Content-Length: ${size}`]),
      bodyBytes: size,
      chunkBytes: 1024 * 1024,
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.bodyBytesWritten).toBe(size);
    expect(exchange.responses).toHaveLength(1);
    expect(exchange.responses[0].status).toBe(413);
    expect(exchange.responses[0].headers.connection).toBe('close');
    expect(exchange.responses[0].json).toMatchObject({ status: 413, type: 'validation_violation' });
    expect(exchange.serverClosed).toBe(true);
  });

  it('answers a chunked body that crosses 10 MiB with 413 and closes in stages', async () => {
    const exchange = await rawRequest(url, {
      head: head(['POST /svc/acme/things HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked']),
      chunkedBody: { chunks: 11, chunkBytes: 1024 * 1024 },
    });
    expect(exchange.error).toBeUndefined();
    expect(exchange.responses.map((r) => r.status)).toEqual([413]);
    expect(exchange.serverClosed).toBe(true);
  });

  it('refuses a guarded request with a body declared above 10 MiB by the guard first, and closes in stages', async () => {
    const size = BODY_LIMIT_BYTES + 1;
    const exchange = await rawRequest(url, {
      head: head(['POST /svc/acme/things HTTP/1.1', 'Host: x', 'X-Refuse: 1', 'Content-Type: application/json', `Content-Length: ${size}`]),
      bodyBytes: size,
      next: head(['GET /health/live HTTP/1.1', 'Host: x']),
    });
    expect(exchange.error).toBeUndefined();
    // The connection is not kept for a body beyond the limit: the next request is not answered on it.
    expect(exchange.responses.map((r) => r.status)).toEqual([403]);
    expect(exchange.responses[0].headers.connection).toBe('close');
    expect(exchange.serverClosed).toBe(true);
  });
});
