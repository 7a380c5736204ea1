import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Inject, Injectable, INestApplication, Query, Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiError } from '../errors';
import { Outcome } from '../http/outcome';
import { Public } from '../http/public.decorator';
import { buildOpenApiDocument, serializeOpenApiDocument } from './document';
import { OPENAPI_SETTINGS, OpenApiSettings } from './openapi-settings';

/**
 * The application's OpenAPI document, built on first use from the running application (which
 * `configureApp` attaches) and kept: it depends on the code only.
 */
@Injectable()
export class OpenApiDocuments {
  private app?: INestApplication;
  private json?: string;

  constructor(@Inject(OPENAPI_SETTINGS) private readonly settings: OpenApiSettings) {}

  /** Called once by `configureApp`, which every app and test app goes through. */
  attach(app: INestApplication): void {
    this.app = app;
  }

  /** The document exactly as `npm run openapi` writes it to `openapi/<service>.json`. */
  documentJson(): string {
    if (this.json === undefined) {
      if (!this.app) throw new ApiError('service_unavailable', 'The OpenAPI document is not available in this application.');
      this.json = serializeOpenApiDocument(buildOpenApiDocument(this.app, this.settings));
    }
    return this.json;
  }
}

/** Swagger UI files the reference page loads, served from swagger-ui-dist (shipped with @nestjs/swagger). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const assetCache = new Map<string, Buffer>();

function asset(name: string): Buffer {
  let content = assetCache.get(name);
  if (!content) {
    content = readFileSync(path.join(path.dirname(require.resolve('swagger-ui-dist/package.json')), name));
    assetCache.set(name, content);
  }
  return content;
}

/**
 * The interactive reference. Every URL is relative to `/<service>/docs`, so the page works on the
 * service itself and behind the gateway's base URL alike. The token field adds
 * `Authorization: Bearer …` to "Try it out" requests (e.g. a token from `npm run token`).
 */
function referencePage(service: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${service} API reference</title>
  <link rel="stylesheet" href="docs?asset=swagger-ui.css">
  <link rel="icon" type="image/png" href="docs?asset=favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="docs?asset=favicon-16x16.png" sizes="16x16">
  <style>#token-bar{font-family:sans-serif;padding:8px 20px;background:#fafafa;border-bottom:1px solid #ddd}
  #token-bar input{width:60%;font-family:monospace}</style>
</head>
<body>
  <div id="token-bar"><label>Bearer token for "Try it out": <input id="token" type="password" autocomplete="off"
    placeholder="npm run -s token -- --tenant acme --scopes &quot;...&quot;"></label></div>
  <div id="swagger-ui"></div>
  <script src="docs?asset=swagger-ui-bundle.js"></script>
  <script src="docs?asset=swagger-ui-standalone-preset.js"></script>
  <script>
    const field = document.getElementById('token');
    field.value = sessionStorage.getItem('suite-token') || '';
    field.addEventListener('change', () => sessionStorage.setItem('suite-token', field.value.trim()));
    window.ui = SwaggerUIBundle({
      url: 'openapi.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'StandaloneLayout',
      requestInterceptor: (req) => {
        const token = field.value.trim();
        if (token && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + token;
        return req;
      },
    });
  </script>
</body>
</html>
`;
}

/**
 * The two documentation routes of a service (conventions AUTH-8 allows `@Public()` on them):
 * `GET /<service>/openapi.json` and `GET /<service>/docs`, whose page loads its Swagger UI files
 * from the same route (`?asset=<file>`). Left out of the document itself.
 */
export function createDocumentationController(service: string): Type {
  @ApiExcludeController()
  @Controller(service)
  class DocumentationController {
    constructor(private readonly documents: OpenApiDocuments) {}

    @Get('openapi.json')
    @Public()
    document() {
      return Outcome.ok(this.documents.documentJson(), { 'Content-Type': 'application/json; charset=utf-8' });
    }

    @Get('docs')
    @Public()
    reference(@Query('asset') name?: unknown) {
      if (name === undefined) return Outcome.ok(referencePage(service), { 'Content-Type': 'text/html; charset=utf-8' });
      const type = typeof name === 'string' && Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!type) throw ApiError.notFound(undefined, 'No such documentation asset.');
      return Outcome.ok(asset(name as string), { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    }
  }
  return DocumentationController;
}
