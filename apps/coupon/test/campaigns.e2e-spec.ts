import { OutboxRepository } from '@suite/persistence';
import { httpRequest, mintToken, startTestApp, startTestDatabase, TestApp, TestDatabase, testAuthEnv } from '@suite/testing';
import { MongoClient } from 'mongodb';
import { AppModule } from '../src/app.module';
import { CampaignRunner } from '../src/campaigns/campaign-runner';
import { SETTINGS_ENTITY } from '../src/common/settings.schema';
import { loadCouponConfig } from '../src/config/coupon.config';
import { COUPON_ENTITY } from '../src/coupons/coupon.schema';
import { startAppProcess } from './app-process';
import { ALL_SCOPES, call, couponBody, customer, expectCouponError, Harness, manager, order, reader, startHarness } from './support';

// Code campaigns (README "Code campaigns") over real HTTP: the job, its exact count, the code
// pattern, collisions with existing codes in either case, the export, the delete, access, tenant
// isolation, bad input, and the resume after a `kill -9` of a separate app process.

const DEFAULT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A campaign body; `template` and `codePattern` merge over sensible defaults. */
function campaignBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  const { template, codePattern, ...rest } = over;
  return {
    name: 'Spring mailing',
    count: 50,
    codePattern: { prefix: 'spr-', length: 8, ...(codePattern as object) },
    template: { ...couponBody({ maxRedemptions: 1 }), ...(template as object) },
    ...rest,
  };
}

/** Every combination of `alphabet` in `length` characters. */
function allCodes(alphabet: string, length: number): string[] {
  let out = [''];
  for (let i = 0; i < length; i++) out = out.flatMap((s) => [...alphabet].map((c) => s + c));
  return out;
}

describe('code campaigns', () => {
  let h: Harness;
  const T = 'cpncamp';
  const base = (tenant = T) => `/coupon/${tenant}/coupon-campaigns`;

  beforeAll(async () => {
    h = await startHarness(undefined, {
      COUPON_CAMPAIGN_POLL_MS: '100',
      COUPON_CAMPAIGN_LEASE_MS: '2000',
      COUPON_CAMPAIGN_BATCH_SIZE: '500',
    });
  });
  afterAll(() => h.close());

  async function create(body: Record<string, unknown>, tenant = T) {
    const r = await call(h, 'POST', base(tenant), manager(tenant), body);
    if (r.status !== 202) throw new Error(`create: ${r.status} ${r.text}`);
    return r;
  }

  async function waitFor(id: string, statuses: string[], tenant = T, timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await call(h, 'GET', `${base(tenant)}/${id}`, reader(tenant));
      if (statuses.includes(r.body?.status)) return r.body;
      if (Date.now() > deadline) throw new Error(`campaign ${id} did not reach ${statuses.join('/')}: ${r.text}`);
      await sleep(50);
    }
  }

  async function exportCodes(id: string, tenant = T): Promise<string[]> {
    const r = await call(h, 'GET', `${base(tenant)}/${id}/codes`, reader(tenant));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('code');
    expect(lines[lines.length - 1]).toBe('');
    return lines.slice(1, -1);
  }

  const coupons = (tenant: string) => h.registry.model(tenant, COUPON_ENTITY);

  async function seedSettings(tenant: string, settings: Record<string, unknown>) {
    const model = await h.registry.forWrite(tenant, SETTINGS_ENTITY);
    await model.collection.insertOne({ _id: 'settings', ...settings } as never);
  }

  async function events(tenant: string, subject: string): Promise<string[]> {
    return (await h.app.app.get(OutboxRepository).forTenant(tenant)).filter((e) => e.event.subject === subject).map((e) => e.event.type);
  }

  describe('create and progress', () => {
    it('answers 202 with the RUNNING campaign and its Location, then makes exactly `count` coupons of the pattern', async () => {
      const r = await create(campaignBody({ count: 1200, codePattern: { suffix: '-x', length: 10 } }));
      const id = r.body.id;
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      expect(r.headers.get('location')).toBe(`${base()}/${id}`);
      expect(r.body).toEqual({
        id,
        name: 'Spring mailing',
        status: 'RUNNING',
        requested: 1200,
        created: 0,
        codePattern: { prefix: 'SPR-', suffix: '-X', length: 10, alphabet: DEFAULT_ALPHABET },
        // The create defaults of §3.1 applied (objectContaining: coupon fields added later show up here too).
        template: expect.objectContaining({
          name: 'Ten off',
          discountType: 'ABSOLUTE',
          discountAbsolute: { amount: 10, currency: 'EUR' },
          discountCalculationType: 'SUBTOTAL',
          allowAnonymous: false,
          maxRedemptions: 1,
          maxRedemptionsPerCustomer: -1,
          categoryRestricted: false,
          segmentRestricted: false,
          restrictions: { validFor: [] },
        }),
        metadata: { version: 0, createdAt: expect.any(String), modifiedAt: expect.any(String) },
      });

      const done = await waitFor(id, ['COMPLETED']);
      expect(done).toMatchObject({ status: 'COMPLETED', requested: 1200, created: 1200, metadata: { version: 1 } });
      expect(done.completedAt).toEqual(expect.any(String));
      expect(await coupons(T).countDocuments({ campaignId: id })).toBe(1200);

      const codes = await exportCodes(id);
      expect(codes).toHaveLength(1200);
      expect(new Set(codes).size).toBe(1200);
      expect([...codes].sort()).toEqual(codes); // code order
      for (const code of codes) expect(code).toMatch(/^SPR-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}-X$/);

      // One event per campaign, none per coupon (README: events).
      expect(await events(T, id)).toEqual(['coupon.campaign-created', 'coupon.campaign-completed']);
      const couponEvents = (await h.app.app.get(OutboxRepository).forTenant(T)).filter((e) => codes.includes(e.event.subject));
      expect(couponEvents).toEqual([]);
    });

    it('uses a custom alphabet, and the name is optional', async () => {
      const r = await create(
        campaignBody({ name: undefined, count: 30, codePattern: { prefix: undefined, length: 6, alphabet: 'XYZ789' } }),
      );
      expect(r.body).not.toHaveProperty('name');
      expect(r.body.codePattern).toEqual({ length: 6, alphabet: 'XYZ789' });
      await waitFor(r.body.id, ['COMPLETED']);
      const codes = await exportCodes(r.body.id);
      expect(codes).toHaveLength(30);
      for (const code of codes) expect(code).toMatch(/^[XYZ789]{6}$/);
    });

    it('makes coupons that work like any other: read, looked up in any case, validated, redeemed, updated', async () => {
      const r = await create(campaignBody({ count: 5, template: { maxRedemptions: 1, restrictions: { validFor: ['C7'] } } }));
      await waitFor(r.body.id, ['COMPLETED']);
      const [code] = await exportCodes(r.body.id);
      const got = await call(h, 'GET', `/coupon/${T}/coupons/${code.toLowerCase()}`, manager(T));
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        code,
        name: 'Ten off',
        maxRedemptions: 1,
        redemptionCount: 0,
        status: 'VALID',
        restrictions: { validFor: ['C7'] },
      });
      expect(got.body).not.toHaveProperty('campaignId');
      expect(got.body.metadata.version).toBe(0);
      const refused = await call(h, 'POST', `/coupon/${T}/coupons/${code}/validation`, customer(T, 'C8'), order(50, 10));
      expectCouponError(refused, 400, 'coupon_not_redeemable');
      expect((await call(h, 'POST', `/coupon/${T}/coupons/${code}/validation`, customer(T, 'C7'), order(50, 10))).status).toBe(200);
      expect((await call(h, 'POST', `/coupon/${T}/coupons/${code}/redemptions`, customer(T, 'C7'), order(50, 10))).status).toBe(201);
      expect((await call(h, 'GET', `/coupon/${T}/coupons/${code}`, manager(T))).body).toMatchObject({ redemptionCount: 1, status: 'USED' });
      const patched = await call(h, 'PATCH', `/coupon/${T}/coupons/${code}`, manager(T), { description: 'issued to C7', issuedTo: 'C7' });
      expect(patched.status).toBe(200);
      expect(await coupons(T).countDocuments({ campaignId: r.body.id })).toBe(5); // an update keeps the campaign link
    });

    it('lists campaigns newest first, paged, with q and the total', async () => {
      const tenant = 'cpncamplist';
      const ids: string[] = [];
      for (const name of ['one', 'two', 'three']) ids.push((await create(campaignBody({ name, count: 10 }), tenant)).body.id);
      for (const id of ids) await waitFor(id, ['COMPLETED'], tenant);
      const all = await call(h, 'GET', `${base(tenant)}?totalCount=true`, reader(tenant));
      expect(all.status).toBe(200);
      expect(all.body.map((c: { name: string }) => c.name)).toEqual(['three', 'two', 'one']);
      expect(all.headers.get('x-total-count')).toBe('3');
      expect(all.headers.get('items-count')).toBe('3');
      const paged = await call(h, 'GET', `${base(tenant)}?pageSize=1&pageNumber=2&sort=name:asc`, manager(tenant));
      expect(paged.body.map((c: { name: string }) => c.name)).toEqual(['three']);
      const q = await call(h, 'GET', `${base(tenant)}?q=${encodeURIComponent('status:COMPLETED name:two')}`, reader(tenant));
      expect(q.body.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
      expectCouponError(await call(h, 'GET', `${base(tenant)}?sort=nope`, reader(tenant)), 400, 'validation_violation');
      expectCouponError(await call(h, 'GET', `${base(tenant)}?q=nope:1`, reader(tenant)), 400, 'validation_violation');
      expectCouponError(await call(h, 'GET', `${base(tenant)}?pageSize=0`, reader(tenant)), 400, 'validation_violation');
    });
  });

  describe('codes never collide with existing coupons', () => {
    // A pattern of 64 codes (2 characters, 6 long): 6 coupons is the most it allows (10 × count <= 64).
    const tiny = (prefix: string) => ({ prefix, length: 6, alphabet: 'AB' });

    it('skips the codes existing coupons hold (duplicate keys are drawn again)', async () => {
      const space = allCodes('AB', 6).map((c) => `TA${c}`);
      const occupied = space.slice(0, 50);
      for (const code of occupied)
        expect((await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), couponBody({ code }))).status).toBe(201);
      const r = await create(campaignBody({ count: 6, codePattern: tiny('ta') }));
      await waitFor(r.body.id, ['COMPLETED']);
      const codes = await exportCodes(r.body.id);
      expect(codes).toHaveLength(6);
      for (const code of codes) expect(occupied).not.toContain(code);
      expect(await coupons(T).countDocuments({ campaignId: r.body.id })).toBe(6);
    });

    it('never makes a code that differs only by case from an existing one (case-sensitive tenant)', async () => {
      const tenant = 'cpncampcase';
      await seedSettings(tenant, { enableCouponCodeCaseSensitivity: true });
      const lower = allCodes('ab', 6)
        .slice(0, 54)
        .map((c) => `tc${c}`);
      for (const code of lower) {
        const r = await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code }));
        expect(r.body.id).toBe(code); // stored as sent
      }
      const r = await create(campaignBody({ count: 6, codePattern: tiny('TC') }), tenant);
      await waitFor(r.body.id, ['COMPLETED'], tenant);
      const codes = await exportCodes(r.body.id, tenant);
      expect(codes).toHaveLength(6);
      const taken = new Set(lower.map((c) => c.toUpperCase()));
      for (const code of codes) {
        expect(code).toMatch(/^TC[AB]{6}$/);
        expect(taken.has(code)).toBe(false);
      }
    });

    it('fails with code_space_exhausted when existing coupons leave too few codes, keeping what it made', async () => {
      const space = allCodes('AB', 6).map((c) => `TX${c}`);
      for (const code of space.slice(0, 60)) await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), couponBody({ code }));
      const r = await create(campaignBody({ count: 6, codePattern: tiny('TX') }));
      const failed = await waitFor(r.body.id, ['FAILED', 'COMPLETED']);
      expect(failed).toMatchObject({ status: 'FAILED', requested: 6, created: 4, failure: { type: 'code_space_exhausted' } });
      expect(await coupons(T).countDocuments({ campaignId: r.body.id })).toBe(4);
      expect(await events(T, r.body.id)).toEqual(['coupon.campaign-created', 'coupon.campaign-completed']);
    });
  });

  describe('delete', () => {
    it('soft-deletes the coupons by default (codes stay reserved), ends DELETED, announces it once', async () => {
      const r = await create(campaignBody({ count: 700 }));
      await waitFor(r.body.id, ['COMPLETED']);
      const [code] = await exportCodes(r.body.id);
      const d = await call(h, 'DELETE', `${base()}/${r.body.id}`, manager(T));
      expect(d.status).toBe(202);
      expect(d.body).toMatchObject({ id: r.body.id, status: 'DELETING', created: 700, metadata: { version: 2 } });
      const deleted = await waitFor(r.body.id, ['DELETED']);
      expect(deleted.metadata.version).toBe(3);
      expect(await coupons(T).countDocuments({ campaignId: r.body.id, deleted: true })).toBe(700);
      expectCouponError(await call(h, 'GET', `/coupon/${T}/coupons/${code}`, manager(T)), 404, 'resource_not_found');
      expectCouponError(await call(h, 'POST', `/coupon/${T}/coupons`, manager(T), couponBody({ code })), 409, 'conflict_resource');
      expect(await exportCodes(r.body.id)).toEqual([]);
      // Asking again changes nothing and announces nothing.
      const again = await call(h, 'DELETE', `${base()}/${r.body.id}`, manager(T));
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ status: 'DELETED', metadata: { version: 3 } });
      expect(await events(T, r.body.id)).toEqual(['coupon.campaign-created', 'coupon.campaign-completed', 'coupon.campaign-deleted']);
    });

    it('with couponPermanentDelete removes the unredeemed coupons and soft-deletes the redeemed ones', async () => {
      const tenant = 'cpncampperm';
      await seedSettings(tenant, { couponPermanentDelete: true });
      const r = await create(campaignBody({ count: 20 }), tenant);
      await waitFor(r.body.id, ['COMPLETED'], tenant);
      const [used, freed] = await exportCodes(r.body.id, tenant);
      expect((await call(h, 'POST', `/coupon/${tenant}/coupons/${used}/redemptions`, customer(tenant, 'C1'), order(50, 10))).status).toBe(
        201,
      );
      expect((await call(h, 'DELETE', `${base(tenant)}/${r.body.id}`, manager(tenant))).status).toBe(202);
      await waitFor(r.body.id, ['DELETED'], tenant);
      const left = await coupons(tenant).find({ campaignId: r.body.id }).lean();
      expect(left.map((c) => [c._id, c.deleted])).toEqual([[used, true]]);
      // The freed code can be used again.
      expect((await call(h, 'POST', `/coupon/${tenant}/coupons`, manager(tenant), couponBody({ code: freed }))).status).toBe(201);
    });

    it('stops a RUNNING campaign and deletes what it made', async () => {
      const r = await create(campaignBody({ count: 20_000 }));
      const deadline = Date.now() + 20_000;
      while ((await call(h, 'GET', `${base()}/${r.body.id}`, reader(T))).body.created === 0 && Date.now() < deadline) await sleep(10);
      expect((await call(h, 'DELETE', `${base()}/${r.body.id}`, manager(T))).status).toBe(202);
      const deleted = await waitFor(r.body.id, ['DELETED']);
      expect(deleted.created).toBeLessThan(20_000);
      const made = await coupons(T).countDocuments({ campaignId: r.body.id });
      expect(made).toBe(deleted.created);
      expect(await coupons(T).countDocuments({ campaignId: r.body.id, deleted: false })).toBe(0);
      await sleep(300);
      expect(await coupons(T).countDocuments({ campaignId: r.body.id })).toBe(made); // nothing made after the delete
      expect(await events(T, r.body.id)).toEqual(['coupon.campaign-created', 'coupon.campaign-deleted']);
    });
  });

  describe('access and tenant isolation', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create(campaignBody({ count: 5 }))).body.id;
      await waitFor(id, ['COMPLETED']);
    });

    it('refuses customer tokens (403) on every operation, and lets a reader read but not write', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['POST', base(), campaignBody()],
        ['GET', base()],
        ['GET', `${base()}/${id}`],
        ['GET', `${base()}/${id}/codes`],
        ['DELETE', `${base()}/${id}`],
      ];
      for (const [method, path, body] of routes) {
        const r = await call(h, method, path, customer(T, 'C1'), body);
        expectCouponError(r, 403, 'insufficient_permissions');
        expect(r.body.details[0].type).toBe('missing_scope');
      }
      expectCouponError(await call(h, 'POST', base(), reader(T), campaignBody()), 403, 'insufficient_permissions');
      expectCouponError(await call(h, 'DELETE', `${base()}/${id}`, reader(T)), 403, 'insufficient_permissions');
      expect((await call(h, 'GET', `${base()}/${id}`, reader(T))).body.status).toBe('COMPLETED');
      expect((await call(h, 'GET', `${base()}/${id}`, { tenant: T, scopes: ALL_SCOPES })).status).toBe(200);
      const noToken = await call(h, 'GET', base(), null);
      expect(noToken.status).toBe(401);
    });

    it("answers 404 for another tenant's campaign, and 403 for another tenant's path without creating collections", async () => {
      for (const [method, path] of [
        ['GET', `${base('cpnother')}/${id}`],
        ['GET', `${base('cpnother')}/${id}/codes`],
        ['DELETE', `${base('cpnother')}/${id}`],
      ]) {
        expectCouponError(await call(h, method, path, { tenant: 'cpnother', scopes: ALL_SCOPES }), 404, 'resource_not_found');
      }
      expect((await call(h, 'GET', base('cpnother'), manager('cpnother'))).body).toEqual([]);
      expect(await h.registry.tenantCollections('cpnother')).toEqual([]); // reads create nothing (TEN-6)

      const before = await h.registry.tenantCollections('cpnvictim');
      for (const [method, path, body] of [
        ['POST', base('cpnvictim'), campaignBody()],
        ['GET', base('cpnvictim'), undefined],
        ['GET', `${base('cpnvictim')}/${id}`, undefined],
        ['GET', `${base('cpnvictim')}/${id}/codes`, undefined],
        ['DELETE', `${base('cpnvictim')}/${id}`, undefined],
      ] as Array<[string, string, unknown]>) {
        expectCouponError(await call(h, method, path, { tenant: T, scopes: ALL_SCOPES }, body), 403, 'insufficient_permissions');
      }
      expect(await h.registry.tenantCollections('cpnvictim')).toEqual(before);
      expect(before).toEqual([]);
    });

    it('answers 404 for unknown and malformed ids', async () => {
      for (const unknown of ['0123456789abcdef01234567', 'nope', id.toUpperCase()]) {
        expectCouponError(await call(h, 'GET', `${base()}/${unknown}`, reader(T)), 404, 'resource_not_found');
        expectCouponError(await call(h, 'GET', `${base()}/${unknown}/codes`, reader(T)), 404, 'resource_not_found');
        expectCouponError(await call(h, 'DELETE', `${base()}/${unknown}`, manager(T)), 404, 'resource_not_found');
      }
    });
  });

  describe('bad input (400 validation_violation, every problem listed)', () => {
    async function problems(body: unknown): Promise<string[]> {
      const r = await call(h, 'POST', base('cpncampbad'), manager('cpncampbad'), body);
      expectCouponError(r, 400, 'validation_violation');
      return r.body.details.map((d: { field?: string; type: string }) => `${d.field ?? ''}/${d.type}`);
    }

    it.each<[string, Record<string, unknown>, string[]]>([
      ['count 0', { count: 0 }, ['count/invalid_value']],
      ['count 100,001', { count: 100_001 }, ['count/invalid_value']],
      ['a fractional count', { count: 1.5 }, ['count/invalid_value']],
      ['a count as text', { count: '10' }, ['count/invalid_value']],
      ['no count', { count: undefined }, ['count/missing_value']],
      ['length 5', { codePattern: { length: 5 } }, ['codePattern.length/invalid_value']],
      ['length 17', { codePattern: { length: 17 } }, ['codePattern.length/invalid_value']],
      ['no length', { codePattern: { length: undefined } }, ['codePattern.length/missing_value']],
      ['a lower-case alphabet', { codePattern: { alphabet: 'abcdef' } }, ['codePattern.alphabet/invalid_value']],
      ['an alphabet with other characters', { codePattern: { alphabet: 'AB-CD' } }, ['codePattern.alphabet/invalid_value']],
      ['an alphabet repeating a character', { codePattern: { alphabet: 'ABCA' } }, ['codePattern.alphabet/invalid_value']],
      ['a one-character alphabet', { codePattern: { alphabet: 'A' } }, ['codePattern.alphabet/invalid_value']],
      ['a prefix with a space', { codePattern: { prefix: 'has space' } }, ['codePattern.prefix/invalid_value']],
      ['a suffix with an umlaut', { codePattern: { suffix: 'ä' } }, ['codePattern.suffix/invalid_value']],
      ['a code longer than 150', { codePattern: { prefix: 'P'.repeat(140), length: 16 } }, ['codePattern/invalid_value']],
      ['a code space below 10 × count', { count: 7, codePattern: { alphabet: 'AB', length: 6 } }, ['codePattern/conflicting_values']],
      ['no codePattern', { codePattern: null }, ['codePattern/missing_value']],
      ['no template', { template: null }, ['template/missing_value']],
      ['a template that is not an object', { template: 'x' }, ['template/invalid_value']],
      [
        'a bad template field',
        { template: { discountAbsolute: { amount: -1, currency: 'EUR' } } },
        ['template.discountAbsolute.amount/invalid_value'],
      ],
      [
        'a template breaking a cross-field rule',
        { template: { allowAnonymous: true, maxRedemptionsPerCustomer: 2 } },
        ['template.maxRedemptionsPerCustomer/conflicting_values'],
      ],
      ['a template with a code', { template: { code: 'FIXED' } }, ['template.code/invalid_value']],
      ['a template with issuedTo', { template: { issuedTo: 'C1' } }, ['template.issuedTo/invalid_value']],
      ['a blank name', { name: '  ' }, ['name/invalid_value']],
    ])('%s', async (_name, over, expected) => {
      const body = campaignBody(over);
      if ('template' in over && (over.template === null || typeof over.template !== 'object')) body.template = over.template;
      if ('codePattern' in over && over.codePattern === null) body.codePattern = null;
      if ('count' in over && over.count === undefined) delete body.count;
      expect(await problems(body)).toEqual(expected);
    });

    it('lists every problem at once, and creates nothing', async () => {
      const got = await problems({
        count: 0,
        codePattern: { prefix: '#', length: 20, alphabet: 'aa' },
        template: { name: '', discountType: 'HALF', discountAbsolute: { amount: 'x' } },
      });
      expect(got).toEqual(
        expect.arrayContaining([
          'count/invalid_value',
          'codePattern.prefix/invalid_value',
          'codePattern.length/invalid_value',
          'codePattern.alphabet/invalid_value',
          'template.name/missing_value',
          'template.discountType/invalid_value',
          'template.discountAbsolute.amount/invalid_value',
        ]),
      );
      expect((await problems({})).sort()).toEqual(['codePattern/missing_value', 'count/missing_value', 'template/missing_value']);
      const notObject = await call(h, 'POST', base('cpncampbad'), manager('cpncampbad'), '[1]');
      expectCouponError(notObject, 400, 'validation_violation');
      expect(notObject.body.details).toEqual([{ type: 'malformed_payload', message: 'The request body must be a JSON object.' }]);
      const malformed = await call(h, 'POST', base('cpncampbad'), manager('cpncampbad'), '{"count": ');
      expectCouponError(malformed, 400, 'validation_violation');
      expect(malformed.body.details[0].type).toBe('malformed_payload');
      const text = await call(h, 'POST', base('cpncampbad'), manager('cpncampbad'), 'count=1', { 'content-type': 'text/plain' });
      expectCouponError(text, 415, 'validation_violation');
      expect((await call(h, 'GET', base('cpncampbad'), manager('cpncampbad'))).body).toEqual([]);
    });
  });
});

describe('code campaigns survive a kill -9 of the app process', () => {
  let db: TestDatabase;
  let client: MongoClient;
  const T = 'cpncrash';
  const COUNT = 30_000;
  // Small batches and a short lease, so the kill lands mid-run and the successor takes over quickly.
  const env = { COUPON_CAMPAIGN_LEASE_MS: '1500', COUPON_CAMPAIGN_POLL_MS: '100', COUPON_CAMPAIGN_BATCH_SIZE: '500' };

  beforeAll(async () => {
    db = await startTestDatabase();
    client = await new MongoClient(db.uri).connect();
  });
  afterAll(async () => {
    await client?.close();
    await db?.stop();
  });

  it('resumes in a new process and completes with exactly `count` distinct coupons', async () => {
    const auth = { authorization: `Bearer ${await mintToken({ tenant: T, scopes: ALL_SCOPES })}` };
    const campaignCoupons = () => client.db('coupon').collection(`${T}_coupons`);
    const first = await startAppProcess(db.uri, env);
    let id: string;
    let atKill: number;
    try {
      const created = await httpRequest(`${first.url}/coupon/${T}/coupon-campaigns`, 'POST', {
        headers: auth,
        body: { count: COUNT, codePattern: { prefix: 'K-', length: 10 }, template: couponBody() },
      });
      expect(created.status).toBe(202);
      id = created.body.id;
      // Kill as soon as the job has visibly started, well before it can finish.
      const deadline = Date.now() + 15_000;
      while ((await campaignCoupons().countDocuments({ campaignId: id })) === 0 && Date.now() < deadline) await sleep(5);
      await first.kill9();
      atKill = await campaignCoupons().countDocuments({ campaignId: id });
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(COUNT);
    } finally {
      await first.kill9();
    }

    const second = await startAppProcess(db.uri, env);
    try {
      let campaign: any;
      const deadline = Date.now() + 40_000;
      do {
        await sleep(100);
        campaign = (await httpRequest(`${second.url}/coupon/${T}/coupon-campaigns/${id}`, 'GET', { headers: auth })).body;
      } while (campaign.status === 'RUNNING' && Date.now() < deadline);
      expect(campaign).toMatchObject({ status: 'COMPLETED', requested: COUNT, created: COUNT });
      expect(await campaignCoupons().countDocuments({ campaignId: id })).toBe(COUNT);
      const csv = await httpRequest(`${second.url}/coupon/${T}/coupon-campaigns/${id}/codes`, 'GET', { headers: auth });
      const codes = csv.text.split('\n').slice(1, -1);
      expect(codes).toHaveLength(COUNT);
      expect(new Set(codes).size).toBe(COUNT);
      for (const code of codes) expect(code).toMatch(/^K-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$/);
      const completions = await client
        .db('coupon')
        .collection('outbox')
        .countDocuments({ tenant: T, 'event.subject': id, 'event.type': 'coupon.campaign-completed' });
      expect(completions).toBe(1);
    } finally {
      await second.stop();
    }
  }, 90_000);
});

describe('code campaigns with two app instances on one database', () => {
  let db: TestDatabase;
  let client: MongoClient;
  const apps: TestApp[] = [];
  const T = 'cpntwo';
  // A long lease: a hand-over faster than it proves the stopping instance gave its lease back.
  const env = { COUPON_CAMPAIGN_LEASE_MS: '5000', COUPON_CAMPAIGN_POLL_MS: '100', COUPON_CAMPAIGN_BATCH_SIZE: '500' };
  const start = () =>
    startTestApp(
      (logger) => AppModule.forRoot(loadCouponConfig({ ...testAuthEnv(), MONGODB_URI: db.uri, LOG_LEVEL: 'silent', ...env }), logger),
      'coupon',
    );

  beforeAll(async () => {
    db = await startTestDatabase();
    client = await new MongoClient(db.uri).connect();
    apps.push(await start(), await start());
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await client?.close();
    await db?.stop();
  });

  it('lets exactly one instance work on a campaign, and a clean shutdown hands it over at once', async () => {
    const auth = { authorization: `Bearer ${await mintToken({ tenant: T, scopes: ALL_SCOPES })}` };
    const campaigns = () => client.db('coupon').collection<{ _id: string; leaseOwner?: string; created: number }>(`${T}_coupon_campaigns`);
    const created = await httpRequest(`${apps[0].url}/coupon/${T}/coupon-campaigns`, 'POST', {
      headers: auth,
      body: { count: 20_000, codePattern: { length: 10 }, template: couponBody() },
    });
    expect(created.status).toBe(202);
    const id: string = created.body.id;
    const owners = apps.map((a) => a.app.get(CampaignRunner).owner);
    const seen = new Set<string>();
    let doc = await campaigns().findOne({ _id: id });
    const deadline = Date.now() + 15_000;
    while (!((doc?.created ?? 0) >= 2000) && Date.now() < deadline) {
      if (doc?.leaseOwner) seen.add(doc.leaseOwner);
      await sleep(10);
      doc = await campaigns().findOne({ _id: id });
    }
    expect(doc!.created).toBeLessThan(20_000);
    seen.add(doc!.leaseOwner!);
    expect(seen.size).toBe(1); // one holder all along
    const holder = owners.indexOf(doc!.leaseOwner!);
    expect(holder).toBeGreaterThanOrEqual(0);

    const [stopping] = apps.splice(holder, 1);
    await stopping.close();
    const stoppedAt = Date.now();
    while ((await campaigns().findOne({ _id: id }))?.leaseOwner !== owners[1 - holder] && Date.now() - stoppedAt < 10_000) await sleep(10);
    expect(Date.now() - stoppedAt).toBeLessThan(2000);

    const survivor = apps[0];
    let campaign: any;
    do {
      await sleep(100);
      campaign = (await httpRequest(`${survivor.url}/coupon/${T}/coupon-campaigns/${id}`, 'GET', { headers: auth })).body;
    } while (campaign.status === 'RUNNING' && Date.now() - stoppedAt < 30_000);
    expect(campaign).toMatchObject({ status: 'COMPLETED', created: 20_000 });
    expect(await client.db('coupon').collection(`${T}_coupons`).countDocuments({ campaignId: id })).toBe(20_000);
  }, 60_000);
});
