import { MongoClient } from 'mongodb';
import { Harness, MANAGE, PROFILE_MANAGE, PROFILE_READ, READ, auth, client, expectError, startHarness } from './support';

const T = 'bulkio';
const P = `/customer-segment/${T}`;

describe('bulk in and out (README "Bulk in and out", suite extension)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness();
    call = client(h.url);
    headers = await auth(T, [MANAGE, READ, PROFILE_MANAGE, PROFILE_READ]);
    mongo = await MongoClient.connect(h.db.uri);
    for (const id of ['exp', 'imp']) {
      expect((await call('PUT', `${P}/segments/${id}`, { headers, body: { name: id, siteCode: 'main', status: 'ACTIVE' } })).status).toBe(
        201,
      );
    }
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  const ndjson = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const sendLines = (id: string, lines: unknown[], from?: number, token = headers) =>
    call('POST', `${P}/imports/${id}/lines${from === undefined ? '' : `?from=${from}`}`, {
      headers: token,
      raw: lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
      contentType: 'application/x-ndjson',
    });

  describe('member export (GET /segments/{segmentId}/member-export)', () => {
    const keys: string[] = [];
    beforeAll(async () => {
      const b2c = Array.from({ length: 200 }, (_, i) => ({ customerId: `m-${String(i).padStart(3, '0')}` }));
      const b2b = Array.from({ length: 50 }, (_, i) => ({
        customerId: `m-${String(i * 4).padStart(3, '0')}`,
        legalEntityId: `le-${i % 3}`,
      }));
      for (const body of [b2c, b2b]) expect((await call('PUT', `${P}/segments/exp/customers/bulk`, { headers, body })).status).toBe(207);
      for (const m of [...b2c, ...b2b] as Array<{ customerId: string; legalEntityId?: string }>)
        keys.push(m.legalEntityId === undefined ? `${m.customerId}` : `${m.customerId}/${m.legalEntityId}`);
      // Identity order: customer id, then the B2C key (no legal entity) before the B2B ones.
      keys.sort((a, b) =>
        a.split('/')[0] === b.split('/')[0]
          ? (a.includes('/') ? 1 : 0) - (b.includes('/') ? 1 : 0) || a.localeCompare(b)
          : a.localeCompare(b),
      );
    });
    const keyOf = (row: { customerId: string; legalEntityId?: string }) =>
      row.legalEntityId ? `${row.customerId}/${row.legalEntityId}` : row.customerId;

    it('NDJSON: every member once, in identity order, streamed as application/x-ndjson', async () => {
      const res = await call('GET', `${P}/segments/exp/member-export`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const rows = ndjson(res.text);
      expect(rows.map(keyOf)).toEqual(keys);
      expect(rows[0]).toEqual({ customerId: 'm-000', assignmentType: 'MANUAL', createdAt: expect.any(String) });
      expect(rows.find((r) => r.legalEntityId)).toEqual({
        customerId: expect.any(String),
        legalEntityId: expect.any(String),
        assignmentType: 'MANUAL',
        createdAt: expect.any(String),
      });
    });

    it('CSV with a header line; a resumed download (after=) continues with the next row, header-less', async () => {
      const res = await call('GET', `${P}/segments/exp/member-export?format=csv`, { headers });
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = res.text.trimEnd().split('\n');
      expect(lines[0]).toBe('customerId,legalEntityId,assignmentType,createdAt');
      const rowKeys = lines.slice(1).map((l) => {
        const [c, le] = l.split(',');
        return le ? `${c}/${le}` : c;
      });
      expect(rowKeys).toEqual(keys);
      for (const cut of [99, 100, keys.findIndex((k) => k.includes('/'))]) {
        const resumed = await call('GET', `${P}/segments/exp/member-export?format=csv&after=${encodeURIComponent(keys[cut])}`, { headers });
        const rest = resumed.text
          .trimEnd()
          .split('\n')
          .map((l) => {
            const [c, le] = l.split(',');
            return le ? `${c}/${le}` : c;
          });
        expect(rest).toEqual(keys.slice(cut + 1));
      }
    });

    it('bad input and unknown segments', async () => {
      expectError(await call('GET', `${P}/segments/exp/member-export?format=xml`, { headers }), 400, 'validation_failed');
      expectError(await call('GET', `${P}/segments/exp/member-export?after=a/b/c`, { headers }), 400, 'validation_failed');
      expectError(await call('GET', `${P}/segments/nope/member-export`, { headers }), 404, 'resource_not_found');
      expectError(
        await call('GET', `/customer-segment/bulkio2/segments/exp/member-export`, { headers: await auth('bulkio2', [READ]) }),
        404,
        'resource_not_found',
      );
      expectError(
        await call('GET', `${P}/segments/exp/member-export`, { headers: await auth(T, [PROFILE_READ]) }),
        403,
        'insufficient_scope',
      );
    });
  });

  describe('imports (POST /imports, POST /imports/{id}/lines, GET /imports/{id})', () => {
    it('members: per-line results; a part sent again applies nothing twice; a gap is refused', async () => {
      const created = await call('POST', `${P}/imports`, { headers, body: { kind: 'members', segmentId: 'imp' } });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(created.headers.get('location')).toBe(`${P}/imports/${id}`);
      expect(created.body).toMatchObject({ kind: 'members', segmentId: 'imp', nextLine: 1, applied: 0, failed: 0 });

      const part1 = [
        { customerId: 'i-1' },
        { customerId: 'i-2', legalEntityId: 'le-1' },
        '{not json',
        { customerId: '.bad' },
        [1],
        { customerId: 'i-3' },
      ];
      const res = await sendLines(id, part1);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      expect(ndjson(res.text).map((r) => [r.line, r.code])).toEqual([
        [1, 201],
        [2, 201],
        [3, 400],
        [4, 400],
        [5, 400],
        [6, 201],
      ]);
      expect((await call('GET', `${P}/imports/${id}`, { headers })).body).toMatchObject({ nextLine: 7, applied: 3, failed: 3 });

      // The connection broke: the client sends the part again with two more lines.
      const again = await sendLines(id, [...part1, { customerId: 'i-4' }, { customerId: 'i-1' }], 1);
      expect(ndjson(again.text).map((r) => [r.line, r.code])).toEqual([
        [1, 208],
        [2, 208],
        [3, 208],
        [4, 208],
        [5, 208],
        [6, 208],
        [7, 201],
        [8, 204],
      ]);
      expectError(await sendLines(id, [{ customerId: 'i-9' }], 20), 400, 'validation_failed');
      const members = await call('GET', `${P}/segments/imp/customers?pageSize=100`, { headers });
      expect(members.body.map((a: { customer: { id: string } }) => a.customer.id).sort()).toEqual(['i-1', 'i-2', 'i-3', 'i-4']);
      expect(members.body.find((a: { customer: { id: string } }) => a.customer.id === 'i-3').metadata.version).toBe(1);

      // A line is judged as a bulk element: `bulk` is a path word, not a customer; mixins are written.
      const more = await sendLines(id, [{ customerId: 'bulk' }, { customerId: 'i-5', mixins: { crm: { tier: 'A' } } }]);
      expect(ndjson(more.text).map((r) => [r.line, r.code])).toEqual([
        [9, 400],
        [10, 201],
      ]);
      expect((await call('GET', `${P}/segments/imp/customers/i-5`, { headers })).body.mixins).toEqual({ crm: { tier: 'A' } });
    });

    it('exactly once even when the progress was lost after the writes (the documents remember their line)', async () => {
      const id = (await call('POST', `${P}/imports`, { headers, body: { kind: 'members', segmentId: 'imp' } })).body.id;
      await sendLines(id, [{ customerId: 'j-1' }, { customerId: 'j-2' }]);
      // As if the instance had stopped after writing but before recording the progress.
      await mongo
        .db('customer_segment')
        .collection<{ _id: string }>(`${T}_segment_imports`)
        .updateOne({ _id: id }, { $set: { nextLine: 1, applied: 0 } });
      const res = await sendLines(id, [{ customerId: 'j-1' }, { customerId: 'j-2' }, { customerId: 'j-3' }], 1);
      expect(ndjson(res.text).map((r) => r.code)).toEqual([208, 208, 201]);
      expect((await call('GET', `${P}/segments/imp/customers/j-1`, { headers })).body.metadata.version).toBe(1);
    });

    it('profiles: customers and guests, evaluated against the rules; bad lines answered one by one', async () => {
      expect(
        (
          await call('PUT', `${P}/segments/vip`, {
            headers,
            body: { name: 'vip', siteCode: 'main', status: 'ACTIVE', rule: 'attributes.tags:vip' },
          })
        ).status,
      ).toBe(201);
      const id = (await call('POST', `${P}/imports`, { headers, body: { kind: 'profiles' } })).body.id;
      const res = await sendLines(id, [
        { customerId: 'p-1', attributes: { tags: ['vip'] } },
        { sessionId: 'g-1', attributes: { country: 'DE' } },
        { customerId: 'p-2', attributes: { country: 'de' } },
        { customerId: 'p-3', attributes: { unknown: 1 } },
        '',
      ]);
      expect(ndjson(res.text).map((r) => [r.line, r.code])).toEqual([
        [1, 201],
        [2, 201],
        [3, 400],
        [4, 400],
        [5, 400],
      ]);
      expect(ndjson(res.text)[3].message).toContain('attributes.unknown');
      expect((await call('GET', `${P}/segments/vip/customers/p-1`, { headers })).body.assignmentType).toBe('AUTOMATIC');
      expect((await call('GET', `${P}/guest-profiles/g-1`, { headers })).body.attributes).toEqual({ country: 'DE' });
    });

    it('hostile lines are each that line’s 400, never a 500: deep nesting, forbidden keys, numbers JSON cannot carry', async () => {
      const id = (await call('POST', `${P}/imports`, { headers, body: { kind: 'profiles' } })).body.id;
      const deep = `{"customerId":"h-1","mixins":{"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
      const res = await sendLines(id, [
        deep,
        '{"customerId":"h-2","mixins":{"x":{"$where":"sleep(1)"}}}',
        '{"customerId":"h-3","__proto__":{"admin":true}}',
        '{"customerId":"h-4","attributes":{"orderCount":1e400}}',
        { customerId: 'h-5' },
      ]);
      expect(res.status).toBe(200);
      expect(ndjson(res.text).map((r) => [r.line, r.code])).toEqual([
        [1, 400],
        [2, 400],
        [3, 400],
        [4, 400],
        [5, 201],
      ]);
      expectError(await call('GET', `${P}/profiles/h-2`, { headers }), 404, 'resource_not_found');
    });

    it('bad requests: kinds, segments, media type, scopes by kind, other tenants', async () => {
      expectError(await call('POST', `${P}/imports`, { headers, body: { kind: 'members' } }), 400, 'validation_failed');
      expectError(await call('POST', `${P}/imports`, { headers, body: { kind: 'things' } }), 400, 'validation_failed');
      expectError(await call('POST', `${P}/imports`, { headers, body: { kind: 'profiles', segmentId: 'imp' } }), 400, 'validation_failed');
      expectError(await call('POST', `${P}/imports`, { headers, body: { kind: 'members', segmentId: 'nope' } }), 404, 'resource_not_found');
      const id = (await call('POST', `${P}/imports`, { headers, body: { kind: 'profiles' } })).body.id;
      expectError(await call('POST', `${P}/imports/${id}/lines`, { headers, body: [{ customerId: 'x' }] }), 415, 'unsupported_media_type');
      expectError(await sendLines(id, [], 0), 400, 'validation_failed');
      const tooMany = await sendLines(
        id,
        Array.from({ length: 10_001 }, (_, i) => ({ customerId: `t-${i}` })),
      );
      expect(expectError(tooMany, 400, 'validation_failed').details[0].message).toContain('at most 10000 lines');
      expect((await call('GET', `${P}/imports/${id}`, { headers })).body.nextLine).toBe(1);
      // Nothing but line breaks: counted, not split into a million empty lines.
      const breaks = await call('POST', `${P}/imports/${id}/lines`, {
        headers,
        raw: '\n'.repeat(1_000_000),
        contentType: 'application/x-ndjson',
      });
      expect(expectError(breaks, 400, 'validation_failed').details[0].message).toContain('at most 10000 lines');
      // A members import whose segment was deleted since takes no more lines.
      expect(
        (await call('PUT', `${P}/segments/gone-later`, { headers, body: { name: 'g', siteCode: 'main', status: 'ACTIVE' } })).status,
      ).toBe(201);
      const late = (await call('POST', `${P}/imports`, { headers, body: { kind: 'members', segmentId: 'gone-later' } })).body.id;
      expect((await call('DELETE', `${P}/segments/gone-later`, { headers })).status).toBe(204);
      expectError(await sendLines(late, [{ customerId: 'orphan-1' }]), 404, 'resource_not_found');
      expect((await call('GET', `${P}/segments/gone-later/customers/orphan-1`, { headers })).status).toBe(404);
      expectError(
        await call('POST', `${P}/imports`, { headers: await auth(T, [MANAGE]), body: { kind: 'profiles' } }),
        403,
        'insufficient_scope',
      );
      expectError(await sendLines(id, [{ customerId: 'x' }], undefined, await auth(T, [MANAGE])), 403, 'insufficient_scope');
      expectError(
        await call('POST', `${P}/imports`, { headers: await auth(T, [PROFILE_MANAGE]), body: { kind: 'members', segmentId: 'imp' } }),
        403,
        'insufficient_scope',
      );
      const other = await auth('bulkio2', [MANAGE, PROFILE_MANAGE]);
      expectError(await call('GET', `/customer-segment/bulkio2/imports/${id}`, { headers: other }), 404, 'resource_not_found');
      expectError(await sendLines(id, [{ customerId: 'x' }], undefined, other), 403, 'tenant_mismatch');
      expectError(await call('GET', `${P}/imports/nope`, { headers }), 404, 'resource_not_found');
    });
  });
});
