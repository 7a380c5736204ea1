// The document builder on a small app: protected operations get 401/403, error responses the
// profile's examples, undeclared path parameters a declaration, public routes stay out, and the
// output is byte-stable; the documentation routes serve it and the Swagger UI files.
import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import pino from 'pino';
import { ApiKitModule } from '../http/api-kit.module';
import { applicationOptions, configureApp, createAdapter, listen } from '../http/bootstrap';
import { renderError } from '../http/error-profiles';
import { Public } from '../http/public.decorator';
import { ApiError } from '../errors';
import { ApiErrors } from './api-errors.decorator';
import { buildOpenApiDocument, serializeOpenApiDocument } from './document';
import { SECURITY_SCHEME } from './openapi-settings';

class ThingDto {
  @ApiProperty({ description: 'The name', example: 'x' })
  name!: string;
}

@ApiTags('Things')
@Controller('svc/:tenant/things')
class ThingsController {
  @Get(':id')
  @ApiSecurity(SECURITY_SCHEME, ['svc.read'])
  @ApiSecurity(SECURITY_SCHEME, ['svc.manage'])
  @ApiOperation({ summary: 'Read a thing', operationId: 'getThing' })
  @ApiOkResponse({ type: ThingDto })
  @ApiErrors(404)
  get(@Param('id') id: string) {
    return { name: id };
  }

  @Post()
  @ApiSecurity(SECURITY_SCHEME, [])
  @ApiOperation({ summary: 'Create a thing', operationId: 'createThing' })
  @ApiErrors(400, 409, 415)
  create(@Body() body: ThingDto) {
    return body;
  }

  @Get()
  @Public()
  open() {
    return [];
  }
}

const logger = pino({ level: 'silent' });

function appModule(profile: 'segment' | 'coupon' | 'category') {
  @Module({
    imports: [
      ApiKitModule.forRoot({
        service: 'svc',
        errorProfile: profile,
        logger,
        openapi: { scopes: { 'svc.extra': 'Only for some inputs' }, tags: { Things: 'All about things' } },
      }),
    ],
    controllers: [ThingsController],
  })
  class AppModule {}
  return AppModule;
}

async function preview(profile: 'segment' | 'coupon' | 'category'): Promise<NestFastifyApplication> {
  return NestFactory.create<NestFastifyApplication>(appModule(profile), createAdapter(), { ...applicationOptions(logger), preview: true });
}

describe('buildOpenApiDocument', () => {
  it('completes access, errors and parameters, leaves public routes out, in a stable order', async () => {
    const app = await preview('coupon');
    try {
      const doc = buildOpenApiDocument(app);
      expect(Object.keys(doc)).toEqual(['openapi', 'info', 'servers', 'tags', 'paths', 'components']);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: 'Svc API', license: { name: 'MIT', identifier: 'MIT' } });
      expect(doc.tags).toEqual([{ name: 'Things', description: 'All about things' }]);
      expect(Object.keys(doc.paths)).toEqual(['/svc/{tenant}/things', '/svc/{tenant}/things/{id}']);
      expect(Object.keys(doc.paths['/svc/{tenant}/things'])).toEqual(['post']);

      const get = doc.paths['/svc/{tenant}/things/{id}'].get;
      expect(get.parameters.map((p: { name: string }) => p.name)).toEqual(['tenant', 'id']);
      expect(get.parameters[0].schema.pattern).toBe('^[a-z][a-z0-9]{2,15}$');
      expect(Object.keys(get.responses)).toEqual(['200', '401', '403', '404', '429']);
      // Every protected operation may meet the tenant's rate limit: 429 with Retry-After, in the profile.
      expect(get.responses['429'].headers['Retry-After'].schema).toEqual({ type: 'integer', minimum: 1 });
      expect(get.responses['429'].content['application/json'].example).toEqual({
        status: 429,
        type: 'too_many_requests',
        message: 'Too many requests for this tenant; retry after 12 seconds.',
        details: [{ type: 'limit_exceeded', message: 'at most 600 requests per 60 s' }],
      });
      expect(get.responses['403'].description).toContain('holds none of `svc.manage`, `svc.read`');
      expect(get.responses['404'].content['application/json'].example).toEqual(renderError(ApiError.notFound('sample-id'), 'coupon'));

      const post = doc.paths['/svc/{tenant}/things'].post;
      expect(post.security).toEqual([{ [SECURITY_SCHEME]: [] }]);
      expect(post.responses['403'].content['application/json'].examples).toHaveProperty('tenantMismatch');
      expect(post.responses['400'].content['application/json'].example).toMatchObject({ status: 400, type: 'validation_violation' });
      expect(post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ThingDto' });

      expect(Object.keys(doc.components.schemas)).toEqual(['Error', 'Fault', 'ThingDto']);
      expect(doc.components.schemas.Error.required).toEqual(['status', 'type', 'message', 'details']);
      expect(doc.components.securitySchemes[SECURITY_SCHEME].flows.clientCredentials.scopes).toEqual({
        'svc.extra': 'Only for some inputs',
        'svc.manage': '',
        'svc.read': '',
      });
      expect(serializeOpenApiDocument(buildOpenApiDocument(app))).toBe(serializeOpenApiDocument(doc));
      expect(serializeOpenApiDocument(doc).endsWith('}\n')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('renders the Error schema of each profile', async () => {
    for (const [profile, required] of [
      ['segment', ['code', 'status', 'errorCode', 'message', 'details']],
      ['category', ['code', 'status', 'errorCode', 'message', 'details']],
    ] as const) {
      const app = await preview(profile);
      try {
        const doc = buildOpenApiDocument(app);
        expect(doc.components.schemas.Error.required).toEqual(required);
        expect(doc.components.schemas.Error.examples).toEqual([
          renderError(ApiError.validation([{ field: 'name', type: 'missing_value', message: 'name is required' }]), profile),
        ]);
      } finally {
        await app.close();
      }
    }
  });
});

describe('documentation routes', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => {
    app = configureApp(
      await NestFactory.create<NestFastifyApplication>(appModule('segment'), createAdapter(), applicationOptions(logger)),
      {
        service: 'svc',
        logger,
        logRequests: false,
      },
    );
    url = await listen(app, 0);
  });
  afterAll(() => app.close());

  it('serve the document the builder makes, the reference page and its Swagger UI files', async () => {
    const doc = await fetch(`${url}/svc/openapi.json`);
    expect(doc.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await doc.text()).toBe(serializeOpenApiDocument(buildOpenApiDocument(app)));
    const page = await fetch(`${url}/svc/docs`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain("url: 'openapi.json'");
    for (const [asset, type] of [
      ['swagger-ui.css', 'text/css'],
      ['swagger-ui-bundle.js', 'application/javascript'],
      ['swagger-ui-standalone-preset.js', 'application/javascript'],
      ['favicon-32x32.png', 'image/png'],
    ]) {
      expect(html).toContain(`docs?asset=${asset}`);
      const res = await fetch(`${url}/svc/docs?asset=${asset}`);
      expect({ asset, status: res.status, type: res.headers.get('content-type')?.split(';')[0] }).toEqual({ asset, status: 200, type });
    }
  });

  it('answer an unknown asset with 404 in the service profile', async () => {
    for (const asset of ['index.html', '../package.json', 'swagger-ui.js.map']) {
      const res = await fetch(`${url}/svc/docs?asset=${encodeURIComponent(asset)}`);
      expect(res.status).toBe(404);
      expect((await res.json()).errorCode).toBe('resource_not_found');
    }
  });
});
