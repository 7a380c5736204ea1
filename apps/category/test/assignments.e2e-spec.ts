import type { RecordedRequest, StubReply } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { Client, expectCategoryError, Harness, startHarness } from './support';

/** What the customer-segment stub holds: segment → category ids (CATEGORY items, §3.23 rows). */
const SEGMENT_CATEGORIES: Record<string, string[]> = { gold: ['K1', 'K11'], silver: ['K2'] };

/** Answers like customer-segment §3.23 FULL mode, honouring q's segment list and paging. */
function segmentItems(req: RecordedRequest): StubReply {
  if (req.path !== '/customer-segment/asg/segments/items') return { status: 404, json: { code: 404 } };
  const q = req.query.get('q') ?? '';
  const m = /^type:CATEGORY segmentId:\((.*)\)$/.exec(q);
  if (!m) return { status: 400, json: { code: 400 } };
  const segs = m[1].split(',').map((s) => JSON.parse(s) as string);
  const rows = segs.flatMap((s) =>
    (SEGMENT_CATEGORIES[s] ?? []).map((id) => ({
      segmentId: s,
      type: 'CATEGORY',
      item: { id, code: id, name: { en: id } },
      metadata: { version: 1 },
    })),
  );
  const size = Number(req.query.get('pageSize'));
  const page = Number(req.query.get('pageNumber'));
  return { json: rows.slice((page - 1) * size, page * size) };
}

describe('assignments over HTTP (ops 11–20)', () => {
  let h: Harness;
  let c: Client;
  const ids = (r: any) => r.body.map((x: any) => x.id);
  const refs = (r: any) => r.body.map((x: any) => `${x.categoryId}:${x.ref.id}`);

  beforeAll(async () => {
    h = await startHarness();
    c = await Client.as(h.url, 'asg');
    h.stub.respond(segmentItems);
    // K1 ─ K11 ─ K111 ; K1 ─ K12 (unpublished) ─ K121 ; K2
    await c.category({ id: 'K1' });
    await c.category({ id: 'K11', parentId: 'K1', position: 1 });
    await c.category({ id: 'K111', parentId: 'K11' });
    await c.category({ id: 'K12', parentId: 'K1', position: 0, published: false });
    await c.category({ id: 'K121', parentId: 'K12' });
    await c.category({ id: 'K2' });
  });
  afterAll(() => h.close());

  it('creates one assignment (201), refuses a duplicate (409) and bad references (400)', async () => {
    const res = await c.post('/categories/K1/assignments', { ref: { id: 'p-1', type: 'product', localizedName: { en: 'Hammer' } } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/category/asg/categories/K1/assignments/${res.body.id}`);
    const dup = await c.post('/categories/K1/assignments', { ref: { id: 'p-1', type: 'PRODUCT' } });
    expectCategoryError(dup, 409, 'duplicate_resource');
    expect(dup.body.details).toEqual(["Assignment for reference 'p-1' already exists in category 'K1'"]);
    for (const body of [
      {},
      { ref: {} },
      { ref: { id: 'p-2' } },
      { ref: { id: 'p-2', type: 'CLIENT_REFERENCE' } },
      { ref: { id: 'bad id', type: 'PRODUCT' } },
      { ref: { id: 'p-2', type: 'PRODUCT', localizedName: { ru: 'x' } } },
    ]) {
      const bad = await c.post('/categories/K1/assignments', body);
      expectCategoryError(bad, 400, 'validation_failed');
      expect(bad.body.message).toBe('Assignment reference validation failed');
    }
    expectCategoryError(await c.post('/categories/nope/assignments', { ref: { id: 'p-2', type: 'PRODUCT' } }), 404, 'resource_not_found');
    // Writes ignore publication state.
    expect((await c.post('/categories/K12/assignments', { ref: { id: 'p-12', type: 'PRODUCT' } })).status).toBe(201);
  });

  it('bulk-creates with per-item 201/409 and whole-request validation', async () => {
    const res = await c.post('/categories/K11/assignments/bulk', [
      { ref: { id: 'p-1', type: 'PRODUCT' } },
      { ref: { id: 'p-1', type: 'PRODUCT' } },
      { ref: { id: 'p-3', type: 'PRODUCT' } },
    ]);
    expect(res.status).toBe(207);
    expect(res.body).toEqual([
      { index: 0, assignmentId: expect.any(String), productId: 'p-1', code: 201, status: 'CREATED' },
      { index: 1, productId: 'p-1', code: 409, status: 'CONFLICT', message: 'Assignment already exists' },
      { index: 2, assignmentId: expect.any(String), productId: 'p-3', code: 201, status: 'CREATED' },
    ]);
    expectCategoryError(await c.post('/categories/K11/assignments/bulk', []), 400, 'validation_failed');
    expectCategoryError(await c.post('/categories/K11/assignments/bulk', { ref: { id: 'x', type: 'PRODUCT' } }), 400, 'validation_failed');
    expectCategoryError(
      await c.post('/categories/K11/assignments/bulk', new Array(201).fill({ ref: { id: 'z', type: 'PRODUCT' } })),
      400,
      'validation_failed',
    );
    const partlyBad = await c.post('/categories/K11/assignments/bulk', [{ ref: { id: 'p-9', type: 'PRODUCT' } }, { ref: { id: 'p-10' } }]);
    expectCategoryError(partlyBad, 400, 'validation_failed');
    expect(partlyBad.body.details).toEqual(['[1].ref.type: must not be null']);
    expectCategoryError(await c.get('/assignments/references/p-9'), 404, 'resource_not_found');
  });

  it('bulk-upserts by reference (201 new, 200 existing or repeated) and upserts one by reference', async () => {
    const res = await c.put('/categories/K111/assignments/references/bulk', [
      { ref: { id: 'p-4' } },
      { ref: { id: 'p-4', type: 'PRODUCT' } },
      { ref: { id: 'p-5' } },
    ]);
    expect(res.status).toBe(207);
    expect(res.body.map((r: any) => [r.productId, r.code, r.status])).toEqual([
      ['p-4', 201, 'CREATED'],
      ['p-4', 200, 'OK'],
      ['p-5', 201, 'CREATED'],
    ]);
    expect(res.body[1].assignmentId).toBe(res.body[0].assignmentId);
    expectCategoryError(
      await c.put('/categories/K111/assignments/references/bulk', [{ ref: { id: 'p-4', type: 'OTHER' } }]),
      400,
      'validation_failed',
    );
    const one = await c.put('/categories/K2/assignments/references/p-6');
    expect(one.status).toBe(201);
    const again = await c.put('/categories/K2/assignments/references/p-6', { ref: { localizedName: { de: 'Sechs' } }, published: false });
    expect(again.status).toBe(204);
    const listed = await c.get('/categories/K2/assignments');
    expect(listed.body).toEqual([
      {
        id: one.body.id,
        categoryId: 'K2',
        ref: { id: 'p-6', type: 'PRODUCT', localizedName: { de: 'Sechs' } },
        published: false,
        metadata: expect.objectContaining({ version: 2 }),
      },
    ]);
    expectCategoryError(await c.put('/categories/K2/assignments/references/bad%20id'), 400, 'validation_failed');
  });

  it('lists per category and with subcategories, pruned at unpublished nodes, filtered, sorted and counted', async () => {
    expect(refs(await c.get('/categories/K1/assignments'))).toEqual(['K1:p-1']);
    const sub = await c.get('/categories/K1/assignments?withSubcategories=true', { 'x-total-count': 'true' });
    expect(refs(sub).sort()).toEqual(['K1:p-1', 'K11:p-1', 'K11:p-3', 'K111:p-4', 'K111:p-5'].sort());
    expect(sub.headers.get('x-total-count')).toBe('5');
    expect(refs(await c.get('/categories/K1/assignments?withSubcategories=true&showUnpublished=true'))).toContain('K12:p-12');
    expect(refs(await c.get('/categories/K1/assignments?withSubcategories=true&ref.id=p-1'))).toEqual(['K1:p-1', 'K11:p-1']);
    expect(refs(await c.get('/categories/K1/assignments?withSubcategories=true&ref.localizedName=HAMMER'))).toEqual(['K1:p-1']);
    expect(refs(await c.get('/categories/K1/assignments?withSubcategories=true&sort=ref.id:desc&pageSize=2'))).toEqual([
      'K111:p-5',
      'K111:p-4',
    ]);
    expect((await c.get('/categories/K2/assignments?hideUnpublishedProducts=true')).body).toEqual([]);
    expectCategoryError(await c.get('/categories/K12/assignments'), 404, 'resource_not_found');
    expect(refs(await c.get('/categories/K12/assignments?showUnpublished=true'))).toEqual(['K12:p-12']);
    for (const bad of ['assignmentType=CLIENT', 'withSubcategories=1', 'sort=metadata.version', 'segmentsIds=,,']) {
      expectCategoryError(await c.get(`/categories/K1/assignments?${bad}`), 400, 'validation_failed');
    }
    expect((await c.get('/categories/K1/assignments?assignmentType=product')).status).toBe(200);
  });

  it('narrows to segment-entitled categories, asking customer-segment with its own token', async () => {
    h.stub.reset();
    h.stub.respond(segmentItems);
    const res = await c.get('/categories/K1/assignments?withSubcategories=true&segmentsIds=gold, nobody,gold', {
      'x-request-id': 'req-seg-1',
    });
    expect(res.status).toBe(200);
    // Direct membership only: K111 is under K11 but not itself entitled.
    expect(refs(res).sort()).toEqual(['K1:p-1', 'K11:p-1', 'K11:p-3'].sort());
    expect(h.stub.requests).toHaveLength(1);
    const call = h.stub.requests[0];
    expect(call.query.get('q')).toBe('type:CATEGORY segmentId:("gold","nobody")');
    expect(call.query.get('pageSize')).toBe('1000');
    expect(call.query.get('pageNumber')).toBe('1');
    expect(call.query.has('onlyActive')).toBe(false);
    expect(call.headers['x-request-id']).toBe('req-seg-1');
    const token = JSON.parse(Buffer.from(String(call.headers.authorization).split('.')[1], 'base64url').toString());
    expect(token).toMatchObject({ tenant: 'asg', principalType: 'service', scope: 'customersegment.segment_read' });
    // The lookup runs even for a category without assignments.
    h.stub.reset();
    expect((await c.get('/categories/K121/assignments?showUnpublished=true&segmentsIds=silver')).body).toEqual([]);
    expect(h.stub.requests).toHaveLength(1);
  });

  it('pages through the segment service until a short page', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ segmentId: 'big', type: 'CATEGORY', item: { id: `filler-${i}` } }));
    h.stub.reset();
    h.stub.respond((req) => ({
      json: req.query.get('pageNumber') === '1' ? many : [{ segmentId: 'big', type: 'CATEGORY', item: { id: 'K2' } }],
    }));
    const res = await c.get('/categories/K2/assignments?segmentsIds=big');
    expect(refs(res)).toEqual(['K2:p-6']);
    expect(h.stub.requests.map((r) => r.query.get('pageNumber'))).toEqual(['1', '2']);
  });

  it.each<[string, StubReply]>([
    ['a 500', { status: 500, json: { error: 'x' } }],
    ['a 404', { status: 404, json: { code: 404 } }],
    ['a 403', { status: 403, json: { code: 403 } }],
    ['garbage', { raw: '<html>oops' }],
    ['a non-array body', { json: { items: [] } }],
    ['rows without item ids', { json: [{ segmentId: 'gold', type: 'CATEGORY' }] }],
    ['an empty body', { raw: '' }],
    ['a dropped connection', { reset: true }],
    ['an answer slower than the timeout', { json: [], delayMs: 2600 }],
  ])(
    'answers 503 upstream_unavailable, never an unfiltered list, on %s',
    async (_name, reply) => {
      h.stub.respond(() => reply);
      const res = await c.get('/categories/K1/assignments?segmentsIds=gold');
      expectCategoryError(res, 503, 'upstream_unavailable');
      expect(res.body).toEqual({
        code: 503,
        status: 'Service Unavailable',
        errorCode: 'upstream_unavailable',
        message: 'Segment filtering is currently unavailable',
        details: ['customer-segment: the customer segment service did not answer'],
      });
    },
    20_000,
  );

  it('finds categories by reference (op 19) with supercategoriesIds, published only', async () => {
    const res = await c.get('/assignments/references/p-1?expandSupercategoriesIds=true', { 'x-total-count': 'true' });
    expect(res.body.map((x: any) => [x.id, x.supercategoriesIds])).toEqual([
      ['K1', []],
      ['K11', ['K1']],
    ]);
    expect(res.headers.get('x-total-count')).toBe('2');
    expect((await c.get('/assignments/references/p-1')).body[0].supercategoriesIds).toBeUndefined();
    await c.post('/categories/K121/assignments', { ref: { id: 'p-13', type: 'PRODUCT' } });
    // K121 is published itself (flat-list rule), its unpublished ancestor K12 is left out.
    expect((await c.get('/assignments/references/p-13?expandSupercategoriesIds=true')).body.map((x: any) => x.supercategoriesIds)).toEqual([
      ['K1'],
    ]);
    expect(
      (await c.get('/assignments/references/p-13?expandSupercategoriesIds=true&showUnpublished=true')).body.map(
        (x: any) => x.supercategoriesIds,
      ),
    ).toEqual([['K1', 'K12']]);
    // Assigned only to an unpublished category: 200 [], not 404.
    expect((await c.get('/assignments/references/p-12')).body).toEqual([]);
    const nf = await c.get('/assignments/references/never');
    expectCategoryError(nf, 404, 'resource_not_found');
    expect(nf.body.message).toBe('Error while getting categories for assignment reference');
  });

  it('deletes by id, by reference, all of a category and a reference everywhere, emitting events', async () => {
    const listed = await c.get('/categories/K11/assignments');
    const p3 = listed.body.find((a: any) => a.ref.id === 'p-3');
    const wrongCategory = await c.delete(`/categories/K1/assignments/${p3.id}`);
    expectCategoryError(wrongCategory, 404, 'resource_not_found');
    expect(wrongCategory.body.details).toEqual([`Assignment with id '${p3.id}' not found`]);
    expect((await c.delete(`/categories/K11/assignments/${p3.id}`)).status).toBe(204);
    expect((await c.delete('/categories/K111/assignments/references/p-4')).status).toBe(204);
    expectCategoryError(await c.delete('/categories/K111/assignments/references/p-4'), 404, 'resource_not_found');
    expect((await c.delete('/categories/K111/assignments')).status).toBe(204);
    expect((await c.delete('/categories/K111/assignments')).status).toBe(204);
    expect((await c.get('/categories/K111/assignments')).body).toEqual([]);
    expectCategoryError(await c.delete('/categories/K111/assignments?assignmentType=X'), 400, 'validation_failed');
    expect((await c.delete('/assignments/references/p-1')).status).toBe(204);
    expect(ids(await c.get('/categories/K1/assignments?withSubcategories=true'))).toEqual([]);
    const gone = await c.delete('/assignments/references/p-1');
    expectCategoryError(gone, 404, 'resource_not_found');
    expect(gone.body).toMatchObject({ message: 'Error while getting category reference', details: ['Reference id p-1 not found'] });
    const mc = await MongoClient.connect(h.db.uri);
    const events = await mc
      .db('category')
      .collection('outbox')
      .find({ tenant: 'asg', 'event.type': { $in: ['assignment.created', 'assignment.deleted'] } })
      .toArray();
    await mc.close();
    const types = events.map((e) => e.event.type);
    // p-3 by id, p-4 by reference, p-5 with all of K111, p-1 in K1 and K11.
    expect(types.filter((t) => t === 'assignment.deleted')).toHaveLength(5);
    // p-6 was rewritten by upserts: one creation event only (EVT-2).
    expect(events.filter((e) => e.event.type === 'assignment.created' && e.event.data.ref.id === 'p-6')).toHaveLength(1);
    expect(events.find((e) => e.event.type === 'assignment.deleted')!.event.subject).toMatch(/^K1\d*\/assignments\/[0-9a-f-]{36}$/);
  });
});
