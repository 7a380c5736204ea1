// @Idempotent() on a real app over HTTP (the production bootstrap of @suite/api-kit, the guards
// of @suite/auth, this lib's global module on the embedded server), in the `segment` profile: the
// coupon e2e spec covers the coupon profile. The feature module provides nothing: the interceptor
// finds its keys through the global PersistenceModule.
import { Body, Controller, Module, Param, Post } from '@nestjs/common';
import { ApiError, ApiKitModule, LOCATION_HEADER, Operation, Outcome } from '@suite/api-kit';
import { Authenticated, AuthModule, authOptionsFromEnv } from '@suite/auth';
import { httpRequest, mintToken, startTestApp, startTestDatabase, TestApp, TestDatabase, testAuthEnv, uniqueDbName } from '@suite/testing';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PersistenceModule } from '../persistence.module';
import { TenantModelRegistry } from '../tenant-model-registry';
import { IDEMPOTENCY_KEY_ENTITY } from './idempotency-key.schema';
import { Idempotent } from './idempotent.decorator';

const MODES = ['ok', 'notFound', 'unavailable', 'crash', 'slow'] as const;

class ThingDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(MODES)
  mode?: (typeof MODES)[number];
}

let runs = 0;

@Controller('demo/:tenant/things')
class ThingsController {
  @Post(':id')
  @Authenticated()
  @Idempotent()
  @Operation({
    id: 'createThing',
    summary: 'Create a thing',
    created: { description: 'Created.', headers: LOCATION_HEADER },
    errors: [400, 404, 503],
  })
  async create(@Param('id') id: string, @Param('tenant') tenant: string, @Body() body: ThingDto) {
    runs++;
    if (body.mode === 'notFound') throw ApiError.notFound(id, `No parent for thing ${id}.`);
    if (body.mode === 'unavailable') throw new ApiError('service_unavailable', 'The database is not reachable.');
    if (body.mode === 'crash') throw new Error('boom');
    if (body.mode === 'slow') await new Promise((r) => setTimeout(r, 700));
    return Outcome.created(`/demo/${tenant}/things/${id}-${runs}`, { id: `${id}-${runs}`, name: body.name, run: runs });
  }

  @Post(':id/plain')
  @Authenticated()
  @Idempotent()
  @Operation({ id: 'touchThing', summary: 'Touch a thing', ok: 'Touched.', httpCode: 200 })
  touch(@Param('id') id: string) {
    runs++;
    return { id, run: runs };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('@Idempotent() on a real app', () => {
  let db: TestDatabase;
  let app: TestApp;
  let token: string;
  let n = 0;
  const key = () => `key-${Date.now()}-${++n}`;

  beforeAll(async () => {
    db = await startTestDatabase();
    app = await startTestApp(
      (logger) => ({
        module: class DemoRoot {},
        imports: [
          ApiKitModule.forRoot({ service: 'demo', errorProfile: 'segment', logger }),
          PersistenceModule.forRoot({ uri: db.uri, dbName: uniqueDbName('idem'), dispatchOutbox: false, idempotency: { waitMs: 300 } }),
          AuthModule.forRoot(authOptionsFromEnv(testAuthEnv(), 'demo')),
          ThingsModule,
        ],
      }),
      'demo',
    );
    token = await mintToken({ tenant: 'acme', principalType: 'employee', scopes: [] });
  });
  afterAll(async () => {
    await app?.close();
    await db?.stop();
  });

  const post = (path: string, body: unknown, idempotencyKey?: string) =>
    httpRequest(`${app.url}/demo/acme/things/${path}`, 'POST', {
      headers: { authorization: `Bearer ${token}`, ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
      body,
    });

  it('without a key, every request runs', async () => {
    const before = runs;
    const a = await post('a', { name: 'x' });
    const b = await post('a', { name: 'x' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(runs).toBe(before + 2);
    expect(a.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a 201 with its body and Location, marked, without running again', async () => {
    const k = key();
    const first = await post('b', { name: 'x' }, k);
    const count = runs;
    const again = await post('b', { name: 'x' }, k);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(runs).toBe(count);
  });

  it('replays a plain value with the route status (@HttpCode)', async () => {
    const k = key();
    const first = await post('c/plain', undefined, k);
    const again = await post('c/plain', undefined, k);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('replays a business 4xx byte for byte in the service profile', async () => {
    const k = key();
    const first = await post('d', { name: 'x', mode: 'notFound' }, k);
    const count = runs;
    const again = await post('d', { name: 'x', mode: 'notFound' }, k);
    expect(first.status).toBe(404);
    expect(first.body).toMatchObject({ code: 404, errorCode: 'resource_not_found', resourceId: 'd' });
    expect(again.status).toBe(404);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(count);
  });

  it('keeps no 5xx: the same key runs again after a 503 or a 500', async () => {
    const k = key();
    const count = runs;
    expect((await post('e', { name: 'x', mode: 'unavailable' }, k)).status).toBe(503);
    expect((await post('e', { name: 'x', mode: 'unavailable' }, k)).status).toBe(503);
    expect(runs).toBe(count + 2);
    const k2 = key();
    expect((await post('e', { name: 'x', mode: 'crash' }, k2)).status).toBe(500);
    const crashedAgain = await post('e', { name: 'x', mode: 'crash' }, k2);
    expect(crashedAgain.status).toBe(500);
    expect(crashedAgain.headers.get('idempotent-replayed')).toBeNull();
    expect(runs).toBe(count + 4);
  });

  it('refuses the key for another request with 422, listing the header', async () => {
    const k = key();
    await post('f', { name: 'x' }, k);
    const count = runs;
    for (const r of [await post('f', { name: 'y' }, k), await post('g', { name: 'x' }, k)]) {
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({
        code: 422,
        status: 'Unprocessable Content',
        errorCode: 'idempotency_key_reused',
        details: [{ field: 'Idempotency-Key', type: 'idempotency_key_reused', message: expect.any(String) }],
      });
    }
    expect(runs).toBe(count);
  });

  it('answers a duplicate of a request still running after the wait with 409, then replays it', async () => {
    const k = key();
    const slow = post('h', { name: 'x', mode: 'slow' }, k);
    await new Promise((r) => setTimeout(r, 100));
    const busy = await post('h', { name: 'x', mode: 'slow' }, k);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body).toMatchObject({
      errorCode: 'duplicate_resource',
      details: [{ field: 'Idempotency-Key', type: 'idempotency_key_in_use' }],
    });
    const first = await slow;
    expect(first.status).toBe(201);
    const later = await post('h', { name: 'x', mode: 'slow' }, k);
    expect(later.text).toBe(first.text);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
  });

  it('checks the key after the body: an invalid body claims nothing; a bad key is a 400 on the header', async () => {
    const registry = app.app.get(TenantModelRegistry);
    const k = key();
    const invalid = await post('i', { mode: 'ok' }, k);
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toEqual([expect.objectContaining({ field: 'name' })]);
    const records = await registry.model('acme', IDEMPOTENCY_KEY_ENTITY).countDocuments({}).exec();
    const valid = await post('i', { name: 'x' }, k);
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
    expect(await registry.model('acme', IDEMPOTENCY_KEY_ENTITY).countDocuments({}).exec()).toBe(records + 1);
    const tooLong = await post('i', { name: 'x' }, 'k'.repeat(256));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key', type: 'too_long' })]);
  });

  it('documents the request header, the replay header, 409 and 422', async () => {
    const doc = (await httpRequest(`${app.url}/demo/openapi.json`, 'GET')).body;
    const op = doc.paths['/demo/{tenant}/things/{id}'].post;
    expect(op.parameters).toContainEqual(
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: expect.objectContaining({ maxLength: 255 }),
      }),
    );
    expect(Object.keys(op.responses['201'].headers)).toEqual(['Location', 'Idempotent-Replayed']);
    expect(Object.keys(op.responses['404'].headers)).toEqual(['Idempotent-Replayed']);
    expect(op.responses['503'].headers).toBeUndefined();
    // The operation declares no 409 of its own: its 409 is only ever the key in use, never a replay.
    expect(Object.keys(op.responses['409'].headers)).toEqual(['Retry-After']);
    expect(op.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(op.responses['422'].headers).toBeUndefined();
    const plain = doc.paths['/demo/{tenant}/things/{id}/plain'].post;
    expect(Object.keys(plain.responses['200'].headers)).toEqual(['Idempotent-Replayed']);
  });

  it('must sit above @Operation, whose responses it completes', () => {
    expect(() => {
      class Misplaced {
        @Idempotent()
        @Operation({ id: 'ok', summary: 'ok', ok: 'ok' })
        fine() {}
      }
      return Misplaced;
    }).not.toThrow();
    expect(() => {
      class Misplaced {
        @Operation({ id: 'bad', summary: 'bad', ok: 'bad' })
        @Idempotent()
        wrong() {}
      }
      return Misplaced;
    }).toThrow(/above @Operation/);
  });
});
