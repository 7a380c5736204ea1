/**
 * The committed OpenAPI documents (`openapi/<service>.json`) are what the code generates, agree
 * with what the guards enforce on every route, and describe every operation completely: an
 * operationId, a summary, a tag, a success response, and every error status in the service's
 * error profile with an example. Each app is built as a Nest preview: no database, no network.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildOpenApiDocument, serializeOpenApiDocument } from '@suite/api-kit';
import { RouteAccessInspector } from '@suite/auth';
import { DOCUMENTED_SERVICES, DocumentedService, openApiFile, previewApp, ROOT } from '../tools/openapi';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PROFILE_KEYS: Record<DocumentedService, string[]> = {
  'customer-segment': ['code', 'status', 'errorCode', 'message', 'details'],
  coupon: ['status', 'type', 'message', 'details'],
  category: ['code', 'status', 'errorCode', 'message', 'details'],
  webhook: ['code', 'status', 'errorCode', 'message', 'details'],
};

function operations(doc: Json): { key: string; op: Json }[] {
  return Object.entries<Json>(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${p}`, op: item[m] as Json })),
  );
}

/** Where two documents differ: paths, schemas and other top-level parts, for the failure message. */
function differences(before: Json, after: Json): string[] {
  const out: string[] = [];
  const compare = (label: string, a: Json = {}, b: Json = {}) => {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in a)) out.push(`${label} ${k}: new`);
      else if (!(k in b)) out.push(`${label} ${k}: gone`);
      else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${label} ${k}: changed`);
    }
  };
  compare('path', before.paths, after.paths);
  compare('schema', before.components?.schemas, after.components?.schemas);
  const rest = (d: Json) => ({ ...d, paths: undefined, components: { ...d.components, schemas: undefined } });
  if (JSON.stringify(rest(before)) !== JSON.stringify(rest(after))) out.push('info, tags, servers or security schemes: changed');
  if (!out.length) out.push('same content, different key order');
  return out;
}

describe.each(DOCUMENTED_SERVICES)('openapi/%s.json', (service: DocumentedService) => {
  let app: NestFastifyApplication;
  let inspector: RouteAccessInspector;
  let generated: Json;
  let committed: Json;

  beforeAll(async () => {
    app = await previewApp(service);
    inspector = RouteAccessInspector.of(app);
    generated = buildOpenApiDocument(app);
    committed = JSON.parse(readFileSync(openApiFile(service), 'utf8')) as Json;
  });
  afterAll(() => app?.close());

  it('is what the code generates (otherwise run npm run openapi)', () => {
    // Compared as serialized canonical JSON: content and key order count, formatting does not.
    const file = path.relative(ROOT, openApiFile(service));
    const fresh = serializeOpenApiDocument(generated);
    if (serializeOpenApiDocument(committed) !== fresh) {
      const changes = differences(committed, generated).slice(0, 12);
      throw new Error(`${file} differs from what the code generates: run npm run openapi and commit ${file}\n  ${changes.join('\n  ')}`);
    }
  });

  it('passes the boot-time access check', () => {
    expect(inspector.findProblems()).toEqual([]);
  });

  it('states for every route exactly the scopes the guards enforce, with 401 and 403', () => {
    expect(inspector.documentMismatches(generated)).toEqual([]);
    const protectedRoutes = inspector.listRouteAccess().filter((r) => r.access !== 'public');
    expect(operations(generated)).toHaveLength(protectedRoutes.length);
  });

  it('is OpenAPI 3.1 with the service profile as the Error schema and one OAuth2 scheme', () => {
    expect(generated.openapi).toBe('3.1.0');
    expect(generated.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    expect(generated.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(generated.components.schemas.Error.required).toEqual(PROFILE_KEYS[service]);
    expect(generated.components.schemas.Error.examples).toHaveLength(1);
    expect(Object.keys(generated.components.securitySchemes)).toEqual(['OAuth2']);
  });

  it('gives every operation a unique camelCase operationId, a summary and a tag', () => {
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const { key, op } of operations(generated)) {
      const id = op.operationId as string | undefined;
      if (!id || !/^[a-z][A-Za-z0-9]*$/.test(id)) problems.push(`${key}: operationId ${id ?? '(none)'} is not camelCase`);
      else if (ids.has(id)) problems.push(`${key}: operationId ${id} also used by ${ids.get(id)}`);
      else ids.set(id, key);
      if (!op.summary) problems.push(`${key}: no summary`);
      if (!op.tags?.length) problems.push(`${key}: no tag`);
    }
    expect(problems).toEqual([]);
  });

  it('documents a success response for every operation, with a schema wherever it has a body', () => {
    const problems: string[] = [];
    for (const { key, op } of operations(generated)) {
      const success = Object.entries<Json>(op.responses).filter(([s]) => /^2\d\d$/.test(s));
      if (!success.length) problems.push(`${key}: no 2xx response`);
      for (const [status, response] of success) {
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) {
          if (!media.schema || Object.keys(media.schema).length === 0) problems.push(`${key}: ${status} ${type} without a schema`);
        }
        if (!response.description) problems.push(`${key}: ${status} without a description`);
      }
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) {
        if (!media.schema || Object.keys(media.schema).length === 0) problems.push(`${key}: request body ${type} without a schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents every request header as optional, with a description (a handler reading one with @Headers declares it)', () => {
    const problems: string[] = [];
    for (const { key, op } of operations(generated)) {
      for (const p of (op.parameters ?? []) as Json[]) {
        if (p.in !== 'header') continue;
        if (p.required === true) problems.push(`${key}: header ${p.name} required`);
        if (!p.description) problems.push(`${key}: header ${p.name} without a description`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents every error status with the service profile and an example', () => {
    const problems: string[] = [];
    for (const { key, op } of operations(generated)) {
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const media = response.content?.['application/json'];
        const ref = status === '401' ? '#/components/schemas/Fault' : '#/components/schemas/Error';
        if (media?.schema?.$ref !== ref) problems.push(`${key}: ${status} does not refer to ${ref}`);
        else if (media.example === undefined && media.examples === undefined) problems.push(`${key}: ${status} has no example`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refers only to schemas it defines', () => {
    const refs = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.add(x);
          else walk(x);
        }
      }
    };
    walk(generated);
    const missing = [...refs].filter((r) => !generated.components.schemas[r.replace('#/components/schemas/', '')]);
    expect(missing).toEqual([]);
  });
});
