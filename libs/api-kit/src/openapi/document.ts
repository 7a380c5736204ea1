import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { TENANT_PATTERN } from '../domain/tenant';
import { reasonPhrase } from '../errors';
import type { ErrorProfile } from '../http/error-profiles';
import { ERROR_SCHEMA_REF } from './api-errors.decorator';
import { errorExample, errorSchema, FAULT_SCHEMA_REF, faultSchema, forbiddenExamples, unauthorizedExamples } from './error-schemas';
import { OPENAPI_SETTINGS, OpenApiSettings, SECURITY_SCHEME } from './openapi-settings';

/** A JSON object of the document (the builder works on plain JSON, whatever @nestjs/swagger's types say). */
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Builds the service's OpenAPI 3.1 document from the application's controllers, DTOs and
 * decorators (@nestjs/swagger), then completes it with what every operation shares:
 * - `security` comes from the access declarations (`@RequireScopes` any-of becomes one requirement
 *   per scope, `@Authenticated` an empty scope list; the decorators of @suite/auth write it), and
 *   each protected operation answers 401 (ERR-2a body), 403 (TEN-2, AUTH-11) and 429 (the tenant's
 *   rate limit, ERR-3) with examples;
 * - every error response refers to the service's `Error` schema (its ERR-2 profile) with an example
 *   rendered by the real renderer;
 * - every templated path parameter is declared (the tenant with its TEN-1 pattern).
 * Public routes (health and the documentation routes themselves) are not part of the document.
 * The result has a stable key order (see {@link canonicalDocument}): the same code gives the same
 * bytes. Works on an application created with `{ preview: true }` (no database needed).
 */
export function buildOpenApiDocument(app: INestApplication, settings: OpenApiSettings = settingsOf(app)): Json {
  const base: Json = {
    openapi: '3.1.0',
    info: {
      title: settings.title ?? defaultTitle(settings.service),
      description: settings.description ?? defaultDescription(settings.service),
      version: settings.version ?? repositoryPackage().version,
      ...(repositoryPackage().license ? { license: { name: repositoryPackage().license, identifier: repositoryPackage().license } } : {}),
    },
    servers: [{ url: '/', description: 'The suite base URL (`npm start`) or the service itself; every path carries the service prefix.' }],
  };
  const scanned = JSON.parse(JSON.stringify(SwaggerModule.createDocument(app, base as never))) as Json;
  return canonicalDocument(complete(scanned, settings));
}

/** The document as committed in `openapi/<service>.json` and served at `GET /<service>/openapi.json`. */
export function serializeOpenApiDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function settingsOf(app: INestApplication): OpenApiSettings {
  const settings = app.get<OpenApiSettings | undefined>(OPENAPI_SETTINGS, { strict: false });
  if (!settings) throw new Error('buildOpenApiDocument: the application does not import ApiKitModule.forRoot');
  return settings;
}

function complete(doc: Json, settings: OpenApiSettings): Json {
  const paths: Json = {};
  const scopesInUse = new Set<string>();
  for (const [p, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      // Public routes are operational (health, documentation), not API: the boot check allows
      // `@Public()` nowhere else.
      if (!(operation.security as Json[] | undefined)?.length) {
        delete item[method];
        continue;
      }
      completeParameters(p, operation);
      completeAccess(operation, settings.errorProfile).forEach((s) => scopesInUse.add(s));
      completeErrorExamples(operation, settings.errorProfile);
    }
    if (METHODS.some((m) => item[m])) paths[p] = item;
  }
  const tagNames = new Set<string>();
  for (const item of Object.values<Json>(paths))
    for (const m of METHODS) for (const t of (item[m]?.tags as string[] | undefined) ?? []) tagNames.add(t);
  const declaredTags = new Map<string, Json>(((doc.tags as Json[] | undefined) ?? []).map((t) => [t.name as string, t]));
  const scopes: Record<string, string> = {};
  for (const s of [...new Set([...Object.keys(settings.scopes ?? {}), ...scopesInUse])].sort()) scopes[s] = settings.scopes?.[s] ?? '';
  return {
    ...doc,
    tags: [...tagNames].sort().map((name) => {
      const description = settings.tags?.[name];
      return { ...(declaredTags.get(name) ?? { name }), ...(description ? { description } : {}) };
    }),
    paths,
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, Error: errorSchema(settings.errorProfile), Fault: faultSchema() },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'oauth2',
          description: [
            'A JWT in `Authorization: Bearer <token>` (conventions AUTH-1 to AUTH-6), for the tenant in the path (TEN-2).',
            'An operation lists one security requirement per accepted scope: **any one** of them suffices (AUTH-8);',
            'an empty list means any valid token of the tenant. Some scopes are needed only for certain inputs;',
            'the operation descriptions name them. In development, `npm run token -- --tenant <t> --scopes "<s> ..."` signs one.',
          ].join(' '),
          flows: { clientCredentials: { tokenUrl: settings.tokenUrl ?? '/oauth/token', scopes } },
        },
      },
    },
  };
}

/** Declares every `{param}` of the path template that no DTO or decorator declared (OpenAPI requires it). */
function completeParameters(template: string, operation: Json): void {
  const parameters: Json[] = operation.parameters ?? [];
  const declared = new Set(parameters.filter((p) => p.in === 'path').map((p) => p.name as string));
  const missing = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).filter((name) => !declared.has(name));
  const added = missing.map((name) =>
    name === 'tenant'
      ? {
          name,
          in: 'path',
          required: true,
          description: 'The tenant (TEN-1); must be the tenant of the token (TEN-2).',
          schema: { type: 'string', pattern: TENANT_PATTERN.source },
        }
      : { name, in: 'path', required: true, schema: { type: 'string' } },
  );
  const all = [...added, ...parameters];
  if (all.length) operation.parameters = all;
  else delete operation.parameters;
}

/** A protected operation (`security` as the access decorators wrote it) answers 401 and 403. Returns its scopes. */
function completeAccess(operation: Json, profile: ErrorProfile): string[] {
  const requirements = operation.security as Json[];
  const scopes = [...new Set(requirements.flatMap((r) => (r[SECURITY_SCHEME] as string[] | undefined) ?? []))];
  const responses: Json = (operation.responses ??= {});
  responses['401'] ??= {
    description: 'The token is missing, malformed, expired or not verifiable (AUTH-10). The body is the gateway-style fault (ERR-2a).',
    headers: {
      'WWW-Authenticate': {
        description: '`Bearer realm="commerce"`, with `error="invalid_token"` for a presented token.',
        schema: { type: 'string' },
      },
    },
    content: { 'application/json': { schema: { $ref: FAULT_SCHEMA_REF }, examples: named(unauthorizedExamples()) } },
  };
  const listed = scopes.map((s) => `\`${s}\``);
  const forbidden =
    scopes.length === 0
      ? 'The token is for another tenant (TEN-2).'
      : `The token is for another tenant (TEN-2), or ${scopes.length === 1 ? `lacks ${listed[0]}` : `holds none of ${listed.join(', ')}`}` +
        ' (AUTH-11).';
  const existing = responses['403'] as Json | undefined;
  responses['403'] = {
    description: existing && existing.description !== reasonPhrase(403) ? `${forbidden} ${existing.description as string}` : forbidden,
    content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF }, examples: named(forbiddenExamples(scopes, profile)) } },
  };
  // Every protected route counts against its tenant's rate limit (ERR-3); the example comes from the profile.
  responses['429'] ??= {
    description:
      "Too many requests: the tenant's rate limit is exhausted, or a failed-attempt throttle holds (ERR-3). " +
      'Retry after `Retry-After` seconds.',
    headers: {
      'Retry-After': { description: 'Whole seconds until the limit admits requests again.', schema: { type: 'integer', minimum: 1 } },
    },
    content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
  };
  return scopes;
}

/** An example in the service's profile for each error response that has none. */
function completeErrorExamples(operation: Json, profile: ErrorProfile): void {
  for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
    const media = response.content?.['application/json'] as Json | undefined;
    if (!media || media.example !== undefined || media.examples !== undefined || media.schema?.$ref !== ERROR_SCHEMA_REF) continue;
    const example = errorExample(Number(status), profile);
    if (example) media.example = example;
  }
}

function named(examples: { name: string; value: object }[]): Json {
  return Object.fromEntries(examples.map((e) => [e.name, { value: e.value }]));
}

/**
 * A stable key order: the conventional top-level order, paths and schemas by name, methods in
 * the OpenAPI order, responses by status; everything else keeps the order the code declares
 * (DTO properties in declaration order, as Swagger UI shows them).
 */
export function canonicalDocument(doc: Json): Json {
  const top = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'security', 'tags', 'paths', 'webhooks', 'components', 'externalDocs'];
  const out = ordered(doc, top);
  if (out.paths) {
    out.paths = sortedByKey(out.paths);
    for (const [p, item] of Object.entries<Json>(out.paths)) {
      const pathItem = ordered(item, ['summary', 'description', 'parameters', ...METHODS]);
      for (const m of METHODS) {
        if (!pathItem[m]) continue;
        pathItem[m] = ordered(pathItem[m], OPERATION_KEYS);
        if (pathItem[m].responses) pathItem[m].responses = sortedByKey(pathItem[m].responses);
      }
      out.paths[p] = pathItem;
    }
  }
  if (out.components) {
    out.components = sortedByKey(out.components);
    for (const k of Object.keys(out.components)) out.components[k] = sortedByKey(out.components[k]);
  }
  return out;
}

const OPERATION_KEYS = [
  'tags',
  'summary',
  'description',
  'operationId',
  'deprecated',
  'parameters',
  'requestBody',
  'responses',
  'security',
];

function ordered(obj: Json, first: readonly string[]): Json {
  const out: Json = {};
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k];
  for (const k of Object.keys(obj).sort()) if (!(k in out)) out[k] = obj[k];
  return out;
}

function sortedByKey(obj: Json): Json {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  );
}

function defaultTitle(service: string): string {
  return `${service
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ')} API`;
}

function defaultDescription(service: string): string {
  const contract = `\`shared/spec/${service}.md\` and \`shared/spec/conventions.md\``;
  return `The ${service} service of the commerce suite, Emporix-compatible. Contract: ${contract}.`;
}

let pkg: { version: string; license?: string } | undefined;

/** Version and SPDX license of the repository: the nearest package.json above this file (source, dist or image). */
function repositoryPackage(): { version: string; license?: string } {
  if (pkg) return pkg;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { version?: string; license?: string };
      return (pkg = { version: json.version ?? '0.0.0', license: json.license });
    }
    if (path.dirname(dir) === dir) return (pkg = { version: '0.0.0' });
  }
}
