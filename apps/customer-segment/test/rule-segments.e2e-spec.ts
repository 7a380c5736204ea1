import { MongoClient } from 'mongodb';
import { Harness, MANAGE, PROFILE_MANAGE, PROFILE_READ, READ, auth, client, customer, expectError, startHarness } from './support';

const T = 'ruletest';
const P = `/customer-segment/${T}`;

describe('rule-based segments (README "Rule-based segments", suite extension)', () => {
  let h: Harness;
  let call: ReturnType<typeof client>;
  let headers: Record<string, string>;
  let mongo: MongoClient;

  beforeAll(async () => {
    h = await startHarness({ SEGMENT_MAX_PER_CUSTOMER: '3', PROFILE_EVALUATION_SWEEP_MS: '300' });
    call = client(h.url);
    headers = await auth(T, [MANAGE, READ, PROFILE_MANAGE, PROFILE_READ]);
    mongo = await MongoClient.connect(h.db.uri);
  });
  afterAll(async () => {
    await mongo.close();
    await h.close();
  });

  const segment = (id: string, rule: string | null, status = 'ACTIVE') =>
    call('PUT', `${P}/segments/${id}`, { headers, body: { name: id, siteCode: 'main', status, ...(rule === null ? {} : { rule }) } });
  const profile = (customerId: string, attributes: Record<string, unknown>, mixins?: Record<string, unknown>) =>
    call('PUT', `${P}/profiles/${customerId}`, { headers, body: { attributes, ...(mixins ? { mixins } : {}) } });
  /** The customer's segments as the coupon service asks (FULL reader, `customerId`: membership, segment §3.2). */
  const segmentsOf = async (customerId: string) =>
    ((await call('GET', `${P}/segments?customerId=${customerId}&pageSize=100`, { headers })).body as Array<{ id: string }>)
      .map((s) => s.id)
      .sort();
  /** Waits until the segment's rule re-evaluation is done; its progress. */
  const doneEvaluating = async (segmentId: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await call('GET', `${P}/segments/${segmentId}/rule-evaluation`, { headers });
      if (res.status === 200 && res.body.state === 'DONE') return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the rule evaluation did not finish');
  };
  const events = (subject: string) =>
    mongo
      .db('customer_segment')
      .collection('outbox')
      .find({ tenant: T })
      .toArray()
      .then((rows) =>
        rows
          .flatMap((r) => (Array.isArray(r.events) ? r.events : [r.event]))
          .filter((e: { subject?: string }) => e?.subject === subject)
          .map((e: { type: string }) => e.type),
      );

  it('stores the rule with the segment and refuses a rule that is not valid q over profiles', async () => {
    expect((await segment('de-big', 'attributes.country:DE attributes.totalSpent.amount:>500')).status).toBe(201);
    expect((await call('GET', `${P}/segments/de-big`, { headers })).body.rule).toBe(
      'attributes.country:DE attributes.totalSpent.amount:>500',
    );
    for (const rule of ['attributes.favourite:red', 'attributes.orderCount:many', '', 'attributes.country:(']) {
      const err = expectError(await segment('bad-rule', rule), 400, 'validation_failed');
      expect(err.details.map((d: { field: string }) => d.field)).toContain('rule');
    }
    expectError(
      await call('PUT', `${P}/segments/bad-rule`, { headers, body: { name: 'x', siteCode: 'main', rule: 5 } }),
      400,
      'validation_failed',
    );
    expectError(await call('GET', `${P}/segments/bad-rule`, { headers }), 404, 'resource_not_found');
  });

  it('a profile write makes the customer a member at once (AUTOMATIC, with its event); breaking the rule ends it', async () => {
    expect(await segmentsOf('c-1')).toEqual([]);
    expect((await profile('c-1', { country: 'DE', totalSpent: { amount: 600, currency: 'EUR' } })).status).toBe(201);
    expect(await segmentsOf('c-1')).toEqual(['de-big']);
    const assignment = await call('GET', `${P}/segments/de-big/customers/c-1`, { headers });
    expect(assignment.body).toMatchObject({
      segmentId: 'de-big',
      customer: { id: 'c-1' },
      assignmentType: 'AUTOMATIC',
      metadata: { version: 1 },
    });
    // The storefront sees it like any membership (OWN mode: the customer's visible segments).
    const own = await call('GET', `${P}/segments`, { headers: await customer(T, 'c-1') });
    expect(own.body.map((s: { id: string }) => s.id)).toEqual(['de-big']);
    expect(await events('de-big/customers/c-1')).toEqual([expect.stringContaining('customer-assignment-created')]);

    expect((await profile('c-1', { country: 'DE', totalSpent: { amount: 400, currency: 'EUR' } })).status).toBe(204);
    expect(await segmentsOf('c-1')).toEqual([]);
    expectError(await call('GET', `${P}/segments/de-big/customers/c-1`, { headers }), 404, 'resource_not_found');
    const types = await events('de-big/customers/c-1');
    expect(types).toHaveLength(2);
    expect(types[1]).toContain('customer-assignment-deleted');
  });

  it('hybrid: a manual member stays when the rule fails; writing over an AUTOMATIC one makes it manual', async () => {
    expect((await call('PUT', `${P}/segments/de-big/customers/c-2`, { headers })).status).toBe(201);
    await profile('c-2', { country: 'FR' });
    expect(await segmentsOf('c-2')).toEqual(['de-big']);
    expect((await call('GET', `${P}/segments/de-big/customers/c-2`, { headers })).body.assignmentType).toBe('MANUAL');

    await profile('c-3', { country: 'DE', totalSpent: { amount: 900, currency: 'EUR' } });
    expect((await call('GET', `${P}/segments/de-big/customers/c-3`, { headers })).body.assignmentType).toBe('AUTOMATIC');
    expect((await call('PUT', `${P}/segments/de-big/customers/c-3`, { headers })).status).toBe(204);
    expect((await call('GET', `${P}/segments/de-big/customers/c-3`, { headers })).body).toMatchObject({
      assignmentType: 'MANUAL',
      metadata: { version: 2 },
    });
    await profile('c-3', { country: 'AT' });
    expect(await segmentsOf('c-3')).toEqual(['de-big']);
  });

  it('deleting the profile ends every rule membership, never a manual one', async () => {
    await segment('tagged', 'attributes.tags:vip');
    await profile('c-4', { country: 'DE', totalSpent: { amount: 501, currency: 'EUR' }, tags: ['vip'] });
    expect(await segmentsOf('c-4')).toEqual(['de-big', 'tagged']);
    await call('PUT', `${P}/segments/tagged/customers/c-4`, { headers });
    expect((await call('DELETE', `${P}/profiles/c-4`, { headers })).status).toBe(204);
    expect(await segmentsOf('c-4')).toEqual(['tagged']);
  });

  it('B2B profiles give B2B memberships; mixins and OR rules work; bulk writes evaluate every element', async () => {
    await segment('gold-tier', 'compoundLogicalQuery:((mixins.loyalty.tier:gold) OR (attributes.orderCount:>=10))');
    const res = await call('PUT', `${P}/profiles/bulk`, {
      headers,
      body: [
        { customerId: 'b-1', legalEntityId: 'le-1', mixins: { loyalty: { tier: 'gold' } } },
        { customerId: 'b-2', attributes: { orderCount: 12 } },
        { customerId: 'b-3', attributes: { orderCount: 2 } },
      ],
    });
    expect(res.body.map((r: { code: number }) => r.code)).toEqual([201, 201, 201]);
    expect((await call('GET', `${P}/segments/gold-tier/customers/b-1/le-1`, { headers })).body.assignmentType).toBe('AUTOMATIC');
    expectError(await call('GET', `${P}/segments/gold-tier/customers/b-1`, { headers }), 404, 'resource_not_found');
    expect(await segmentsOf('b-2')).toEqual(['gold-tier']);
    expect(await segmentsOf('b-3')).toEqual([]);
  });

  it('rule membership counts against the per-customer limit and never goes beyond it', async () => {
    for (const id of ['l-1', 'l-2', 'l-3', 'l-4']) await segment(id, 'attributes.country:SE');
    // Each new rule starts a re-evaluation; the limit is judged once they are done (concurrent
    // writers may each overshoot it by one, segment §1.12).
    for (const id of ['l-1', 'l-2', 'l-3', 'l-4']) await doneEvaluating(id);
    await profile('c-5', { country: 'SE' });
    expect(await segmentsOf('c-5')).toHaveLength(3);
    expectError(await call('PUT', `${P}/segments/de-big/customers/c-5`, { headers }), 400, 'business_rule_violation');
  });

  it('a merged guest’s facts decide the customer’s membership', async () => {
    await call('PUT', `${P}/guest-profiles/s-1`, {
      headers,
      body: { attributes: { country: 'DE', totalSpent: { amount: 700, currency: 'EUR' } } },
    });
    expect((await call('POST', `${P}/guest-profiles/s-1/merge`, { headers, body: { customerId: 'c-6' } })).status).toBe(200);
    expect(await segmentsOf('c-6')).toEqual(['de-big']);
  });

  it('concurrent writes of one profile leave the membership of the last stored version', async () => {
    const writes = Array.from({ length: 8 }, (_, i) =>
      profile('c-7', { country: i % 2 ? 'DE' : 'FR', totalSpent: { amount: 800, currency: 'EUR' } }),
    );
    await Promise.all(writes);
    const stored = (await call('GET', `${P}/profiles/c-7`, { headers })).body.attributes.country;
    expect(await segmentsOf('c-7')).toEqual(stored === 'DE' ? ['de-big'] : []);
  });

  it('another tenant reaches none of this tenant’s rule evaluations, excludes or explanations', async () => {
    const other = await auth('ruletest2', [MANAGE, READ, PROFILE_MANAGE, PROFILE_READ]);
    const theirs = (path: string, method = 'GET') => call(method, `/customer-segment/ruletest2/segments/de-big${path}`, { headers: other });
    expectError(await theirs('/rule-evaluation'), 404, 'resource_not_found');
    expectError(await theirs('/exclusions'), 404, 'resource_not_found');
    expectError(await theirs('/exclusions/c-1', 'PUT'), 404, 'resource_not_found');
    expectError(await theirs('/explanation?customerId=c-1'), 404, 'resource_not_found');
    // And this tenant's paths with the other tenant's token are refused before anything is read.
    expectError(await call('GET', `${P}/segments/de-big/rule-evaluation`, { headers: other }), 403, 'tenant_mismatch');
    expectError(await call('PUT', `${P}/segments/de-big/exclusions/c-1`, { headers: other }), 403, 'tenant_mismatch');
  });

  it('another tenant’s profiles never enter this tenant’s segments', async () => {
    const other = await auth('ruletest2', [MANAGE, READ, PROFILE_MANAGE]);
    await call('PUT', `/customer-segment/ruletest2/profiles/c-1`, {
      headers: other,
      body: { attributes: { country: 'DE', totalSpent: { amount: 900, currency: 'EUR' } } },
    });
    expect(await segmentsOf('c-1')).toEqual([]);
    expect((await call('GET', `/customer-segment/ruletest2/segments?customerId=c-1`, { headers: other })).body).toEqual([]);
  });

  describe('re-evaluation when a rule changes (a background job with progress)', () => {
    const waitDone = doneEvaluating;

    it('a new rule makes every matching profile a member; a narrower rule ends some; removing it ends every AUTOMATIC one', async () => {
      const body = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ customerId: `n-${from + i}`, attributes: { country: 'NO', orderCount: from + i } }));
      for (const [from, n] of [
        [0, 200],
        [200, 100],
      ])
        expect((await call('PUT', `${P}/profiles/bulk`, { headers, body: body(from, n) })).status).toBe(207);
      expectError(await call('GET', `${P}/segments/norway/rule-evaluation`, { headers }), 404, 'resource_not_found');
      expect((await segment('norway', null)).status).toBe(201);
      expect((await call('PUT', `${P}/segments/norway/customers/n-250`, { headers })).status).toBe(201);
      expect((await segment('norway', 'attributes.country:NO')).status).toBe(204);
      const first = await waitDone('norway');
      expect(first).toMatchObject({ segmentId: 'norway', rule: 'attributes.country:NO', state: 'DONE', added: 299, removed: 0 });
      expect(first.processed).toBe(first.total);
      expect(await segmentsOf('n-7')).toContain('norway');
      const members = await call('GET', `${P}/segments/norway/customers?pageSize=1000`, { headers });
      expect(members.body).toHaveLength(300);

      const patched = await call('PATCH', `${P}/segments/norway`, {
        headers,
        body: [{ op: 'replace', path: '/rule', value: 'attributes.country:NO attributes.orderCount:<100' }],
      });
      expect(patched.status).toBe(204);
      expect(await waitDone('norway')).toMatchObject({ state: 'DONE', added: 0, removed: 199 });
      expect(await segmentsOf('n-150')).not.toContain('norway');
      expect(await segmentsOf('n-50')).toContain('norway');
      expect(await segmentsOf('n-250')).toContain('norway'); // the manual member stays

      expect((await segment('norway', null)).status).toBe(204);
      expect(await waitDone('norway')).toMatchObject({ rule: null, state: 'DONE', removed: 100 });
      expect(
        (await call('GET', `${P}/segments/norway/customers?pageSize=1000`, { headers })).body.map(
          (a: { customer: { id: string } }) => a.customer.id,
        ),
      ).toEqual(['n-250']);
    });

    it('reads while a job runs answer, per customer, the old or the new membership: one held by both rules never drops out', async () => {
      // 6,000 profiles written straight to the collection (created through the API first): the job takes a while.
      expect((await profile('cs-seed', { country: 'CS' })).status).toBe(201);
      const at = new Date();
      const rows = Array.from({ length: 6000 }, (_, i) => ({
        _id: `customer/cs-${i}`,
        kind: 'customer',
        customerId: `cs-${i}`,
        legalEntityId: null,
        attributes: { country: i % 2 ? 'CS' : 'CT', orderCount: i % 3 },
        metadata: { version: 1, createdAt: at, modifiedAt: at },
      }));
      await mongo.db('customer_segment').collection<{ _id: string }>(`${T}_segment_profiles`).insertMany(rows);
      const oldRule = (i: number) => i % 2 === 1; // attributes.country:CS
      const newRule = (i: number) => i % 3 !== 0; // attributes.country:(CS,CT) attributes.orderCount:>=1
      expect((await segment('consistent', 'attributes.country:CS')).status).toBe(201);
      expect(await waitDone('consistent')).toMatchObject({ added: 3001 });
      const both = 1; // cs-1: country CS, order count 1
      const neither = 0; // cs-0: country CT, order count 0
      const patched = await call('PATCH', `${P}/segments/consistent`, {
        headers,
        body: [{ op: 'replace', path: '/rule', value: 'attributes.country:(CS,CT) attributes.orderCount:>=1' }],
      });
      expect(patched.status).toBe(204);
      let whileRunning = 0;
      for (let k = 0; k < 400; k++) {
        const [job, page, ofBoth, ofNeither] = await Promise.all([
          call('GET', `${P}/segments/consistent/rule-evaluation`, { headers }),
          call('GET', `${P}/segments/consistent/customers?pageSize=1000`, { headers }),
          segmentsOf(`cs-${both}`),
          segmentsOf(`cs-${neither}`),
        ]);
        const ids = (page.body as Array<{ customer: { id: string } }>).map((a) => a.customer.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) {
          const i = Number(id.slice(3));
          if (id !== 'cs-seed') expect({ id, oldOrNew: oldRule(i) || newRule(i) }).toEqual({ id, oldOrNew: true });
        }
        expect(ofBoth).toContain('consistent');
        expect(ofNeither).not.toContain('consistent');
        if (job.body.state === 'DONE') break;
        whileRunning++;
      }
      expect(whileRunning).toBeGreaterThan(0);
      const done = await waitDone('consistent');
      // Enter: order count ≥ 1 and not CS before (2,000); leave: CS with order count 0 (1,000) and the seed (no order count).
      expect(done).toMatchObject({ added: 2000, removed: 1001 });
      const stored = await mongo
        .db('customer_segment')
        .collection(`${T}_segment_customer_assignments`)
        .countDocuments({ segmentId: 'consistent', customerId: /^cs-\d+$/ });
      expect(stored).toBe(rows.filter((_, i) => newRule(i)).length);
    });

    it('a rule that holds through a missing value reads every profile itself (the embedded database would miss some)', async () => {
      // MongoDB counts an object in the array without the key as null; the embedded server does not
      // (profile-rule.db.spec.ts), so asking it for the candidates would leave `nu-1` out.
      expect((await profile('nu-1', { country: 'NU' }, { shop: { orders: [{ sku: 'A' }, {}] } })).status).toBe(201);
      expect((await profile('nu-2', { country: 'NU' }, { shop: { orders: [{ sku: 'A' }] } })).status).toBe(201);
      expect((await segment('no-sku', 'attributes.country:NU mixins.shop.orders.sku:null')).status).toBe(201);
      const done = await waitDone('no-sku');
      expect(done).toMatchObject({ added: 1, removed: 0 });
      expect(done.processed).toBe(done.total);
      expect(await segmentsOf('nu-1')).toContain('no-sku');
      expect(await segmentsOf('nu-2')).not.toContain('no-sku');
    });

    it('a segment deleted and created again under its id gets its rule applied anew (its old job went with it)', async () => {
      expect((await profile('again-1', { country: 'AG' })).status).toBe(201);
      expect((await segment('again', 'attributes.country:AG')).status).toBe(201);
      expect(await waitDone('again')).toMatchObject({ added: 1 });
      expect((await call('DELETE', `${P}/segments/again?forceDelete=true`, { headers })).status).toBe(204);
      expectError(await call('GET', `${P}/segments/again/rule-evaluation`, { headers }), 404, 'resource_not_found');
      expect((await segment('again', 'attributes.country:AG')).status).toBe(201);
      expect(await waitDone('again')).toMatchObject({ rule: 'attributes.country:AG', added: 1 });
      expect(await segmentsOf('again-1')).toContain('again');
    });

    it('a member whose profile is gone leaves when the rule changes', async () => {
      expect((await profile('gone-1', { country: 'GO', orderCount: 3 })).status).toBe(201);
      expect((await profile('gone-2', { country: 'GO', orderCount: 4 })).status).toBe(201);
      expect((await segment('gone', 'attributes.country:GO')).status).toBe(201);
      expect(await waitDone('gone')).toMatchObject({ added: 2 });
      // The profile removed behind the service's back (its evaluation never ran).
      await mongo.db('customer_segment').collection<{ _id: string }>(`${T}_segment_profiles`).deleteOne({ _id: 'customer/gone-1' });
      expect((await segment('gone', 'attributes.country:GO attributes.orderCount:>=0')).status).toBe(204);
      expect(await waitDone('gone')).toMatchObject({ added: 0, removed: 1 });
      expect(await segmentsOf('gone-1')).not.toContain('gone');
      expect(await segmentsOf('gone-2')).toContain('gone');
    });

    it('many rule changes at once: at most two jobs run on an instance, the others start as slots free, all finish', async () => {
      for (let i = 0; i < 12; i++) await profile(`q-${i}`, { tags: [`q${i}`] });
      const body = Array.from({ length: 12 }, (_, i) => ({
        id: `q-seg-${i}`,
        name: `q${i}`,
        siteCode: 'main',
        status: 'ACTIVE',
        rule: `attributes.tags:q${i}`,
      }));
      expect((await call('POST', `${P}/segments/bulk`, { headers, body })).status).toBe(207);
      const jobs = mongo.db('customer_segment').collection('rule_jobs');
      let most = 0;
      for (let k = 0; k < 100; k++) {
        most = Math.max(most, await jobs.countDocuments({ tenant: T, state: 'RUNNING', holder: { $ne: null } }));
        if ((await jobs.countDocuments({ tenant: T, segmentId: /^q-seg-/, state: 'DONE' })) === 12) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(most).toBeLessThanOrEqual(2);
      for (let i = 0; i < 12; i++) expect(await doneEvaluating(`q-seg-${i}`)).toMatchObject({ added: 1 });
      expect(await segmentsOf('q-5')).toEqual(['q-seg-5']);
    });

    it('a rule stored without its job (kill -9 between the two writes) is applied by the next write of the segment', async () => {
      await profile('k-1', { country: 'IS' });
      await segment('killed', null);
      // The state such a crash leaves: the rule in the segment, no job, the epoch unmoved.
      await mongo
        .db('customer_segment')
        .collection<{ _id: string }>(`${T}_segments`)
        .updateOne({ _id: 'killed' }, { $set: { rule: 'attributes.country:IS' } });
      expect(await segmentsOf('k-1')).toEqual([]);
      // The administrator writes the segment again, unchanged.
      expect((await segment('killed', 'attributes.country:IS')).status).toBe(204);
      expect(await doneEvaluating('killed')).toMatchObject({ rule: 'attributes.country:IS', added: 1 });
      expect(await segmentsOf('k-1')).toEqual(['killed']);
    });

    it('a job whose instance stopped is resumed by another sweep after its last batch done', async () => {
      await segment('resume', null);
      const jobs = mongo.db('customer_segment').collection<{ _id: string }>('rule_jobs');
      // The rule stored, and the job as an instance that died after its first batch left it.
      await mongo
        .db('customer_segment')
        .collection<{ _id: string }>(`${T}_segments`)
        .updateOne({ _id: 'resume' }, { $set: { rule: 'attributes.country:NO' } });
      await call('PUT', `${P}/segments/resume/customers/n-0`, { headers });
      await jobs.insertOne({
        _id: `${T}/resume`,
        tenant: T,
        segmentId: 'resume',
        rule: 'attributes.country:NO',
        segmentVersion: 99,
        state: 'RUNNING',
        position: 'customer/n-150',
        processed: 0,
        added: 0,
        removed: 0,
        total: 300,
        startedAt: new Date(),
        holder: 'a-stopped-instance',
        expiresAt: new Date(Date.now() - 1000),
        origin: { requestId: 'r-1', principalType: 'employee', subject: 'admin' },
      } as never);
      const done = await waitDone('resume');
      // Only the profiles after the position were evaluated: n-151 … n-299 (n-2xx sort after n-150), not n-0 … n-150.
      expect(done.added).toBeGreaterThan(0);
      expect(await segmentsOf('n-200')).toContain('resume');
      expect(await segmentsOf('n-100')).not.toContain('resume');
    });
  });

  describe('explanations (GET /segments/{segmentId}/explanation)', () => {
    const explain = (segmentId: string, query: string) => call('GET', `${P}/segments/${segmentId}/explanation?${query}`, { headers });

    it('a rule member: each clause held, with the profile’s values', async () => {
      await profile('e-1', { country: 'DE', totalSpent: { amount: 650, currency: 'EUR' } });
      const res = await explain('de-big', 'customerId=e-1');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        segmentId: 'de-big',
        customerId: 'e-1',
        member: true,
        effective: true,
        assignmentType: 'AUTOMATIC',
        profileFound: true,
        rule: { held: true, source: 'attributes.country:DE attributes.totalSpent.amount:>500' },
        segment: { status: 'ACTIVE', activeNow: true },
      });
      expect(res.body.reasons[0]).toContain('the rule holds');
    });

    it('the failing clause with its value; a manual member despite the rule; no profile; a guest; an inactive segment', async () => {
      await profile('e-2', { country: 'DE', totalSpent: { amount: 100, currency: 'EUR' } });
      const failing = (await explain('de-big', 'customerId=e-2')).body;
      expect(failing).toMatchObject({ member: false, effective: false, assignmentType: null, rule: { held: false } });
      expect(failing.reasons.join(' ')).toContain('attributes.totalSpent.amount is 100');

      const manual = (await explain('de-big', 'customerId=c-2')).body;
      expect(manual).toMatchObject({ member: true, assignmentType: 'MANUAL', rule: { held: false } });
      expect(manual.reasons[0]).toContain('manual assignment keeps the customer in');

      const nobody = (await explain('de-big', 'customerId=nobody')).body;
      expect(nobody).toMatchObject({ member: false, profileFound: false });
      expect(nobody.reasons.join(' ')).toContain('no profile');

      await call('PUT', `${P}/guest-profiles/s-9`, {
        headers,
        body: { attributes: { country: 'DE', totalSpent: { amount: 900, currency: 'EUR' } } },
      });
      const guest = (await explain('de-big', 'sessionId=s-9')).body;
      expect(guest).toMatchObject({ sessionId: 's-9', member: false, rule: { held: true } });
      expect(guest.reasons.join(' ')).toContain('guest');

      await segment('sleeping', 'attributes.country:DE', 'INACTIVE');
      await profile('e-3', { country: 'DE' });
      const inactive = (await explain('sleeping', 'customerId=e-3')).body;
      expect(inactive).toMatchObject({ member: true, effective: false, segment: { status: 'INACTIVE', activeNow: false } });
      expect(inactive.reasons.join(' ')).toContain('INACTIVE');
    });

    it('bad input: neither or both identities, malformed ids, an unknown segment', async () => {
      expectError(await explain('de-big', ''), 400, 'validation_failed');
      expectError(await explain('de-big', 'customerId=a&sessionId=b'), 400, 'validation_failed');
      expectError(await explain('de-big', 'customerId=.bad'), 400, 'validation_failed');
      expectError(await explain('no-such', 'customerId=e-1'), 404, 'resource_not_found');
      expectError(
        await call('GET', `${P}/segments/de-big/explanation?customerId=e-1`, { headers: await auth(T, [MANAGE, READ]) }),
        403,
        'insufficient_scope',
      );
      expectError(
        await call('GET', `/customer-segment/ruletest2/segments/de-big/explanation?customerId=e-1`, {
          headers: await auth('ruletest2', [PROFILE_READ]),
        }),
        404,
        'resource_not_found',
      );
    });
  });

  describe('manual excludes beat the rule (PUT/DELETE/GET /segments/{segmentId}/exclusions)', () => {
    it('excluding ends a rule membership at once, also through profile writes and re-evaluations; lifting restores it', async () => {
      await profile('x-1', { country: 'DE', totalSpent: { amount: 999, currency: 'EUR' } });
      expect(await segmentsOf('x-1')).toContain('de-big');
      const excluded = await call('PUT', `${P}/segments/de-big/exclusions/x-1`, { headers });
      expect([excluded.status, excluded.headers.get('location')]).toEqual([201, `${P}/segments/de-big/exclusions/x-1`]);
      expect((await call('PUT', `${P}/segments/de-big/exclusions/x-1`, { headers })).status).toBe(204);
      expect(await segmentsOf('x-1')).not.toContain('de-big');
      expect((await events('de-big/customers/x-1')).pop()).toContain('customer-assignment-deleted');
      await profile('x-1', { country: 'DE', totalSpent: { amount: 1000, currency: 'EUR' } });
      expect(await segmentsOf('x-1')).not.toContain('de-big');
      // A re-evaluation of the rule skips the excluded customer too.
      await call('PATCH', `${P}/segments/de-big`, {
        headers,
        body: [{ op: 'replace', path: '/rule', value: 'attributes.country:DE attributes.totalSpent.amount:>499' }],
      });
      expect((await doneEvaluating('de-big')).state).toBe('DONE');
      expect(await segmentsOf('x-1')).not.toContain('de-big');
      const why = (await call('GET', `${P}/segments/de-big/explanation?customerId=x-1`, { headers })).body;
      expect(why).toMatchObject({ member: false, excluded: true, rule: { held: true } });
      expect(why.reasons.join(' ')).toContain('manual exclude');
      expect((await call('GET', `${P}/segments/de-big/exclusions`, { headers })).body).toEqual([
        { customerId: 'x-1', createdAt: expect.any(String) },
      ]);

      expect((await call('DELETE', `${P}/segments/de-big/exclusions/x-1`, { headers })).status).toBe(204);
      expect((await call('DELETE', `${P}/segments/de-big/exclusions/x-1`, { headers })).status).toBe(204);
      expect(await segmentsOf('x-1')).toContain('de-big');
      expect((await call('GET', `${P}/segments/de-big/exclusions`, { headers })).body).toEqual([]);
    });

    it('a manual member stays a member when excluded (an explicit include); B2B excludes; bad input', async () => {
      await call('PUT', `${P}/segments/de-big/customers/x-2`, { headers });
      expect((await call('PUT', `${P}/segments/de-big/exclusions/x-2`, { headers })).status).toBe(201);
      expect(await segmentsOf('x-2')).toContain('de-big');
      expect((await call('PUT', `${P}/segments/de-big/exclusions/x-3/le-1`, { headers })).status).toBe(201);
      await call('PUT', `${P}/profiles/x-3/le-1`, {
        headers,
        body: { attributes: { country: 'DE', totalSpent: { amount: 900, currency: 'EUR' } } },
      });
      expectError(await call('GET', `${P}/segments/de-big/customers/x-3/le-1`, { headers }), 404, 'resource_not_found');
      expectError(await call('PUT', `${P}/segments/no-such/exclusions/x-2`, { headers }), 404, 'resource_not_found');
      expectError(await call('GET', `${P}/segments/no-such/exclusions`, { headers }), 404, 'resource_not_found');
      expectError(await call('PUT', `${P}/segments/de-big/exclusions/.bad`, { headers }), 400, 'validation_failed');
      expectError(await call('GET', `${P}/segments/de-big/exclusions?pageSize=0`, { headers }), 400, 'validation_failed');
      expect((await call('DELETE', `${P}/segments/de-big/exclusions/.bad`, { headers })).status).toBe(204);
    });

    it('a deleted segment takes its exclusions with it', async () => {
      await segment('temp', 'attributes.country:DE');
      await doneEvaluating('temp');
      await call('PUT', `${P}/segments/temp/exclusions/x-9`, { headers });
      expect((await call('DELETE', `${P}/segments/temp?forceDelete=true`, { headers })).status).toBe(204);
      expect(await mongo.db('customer_segment').collection(`${T}_segment_exclusions`).countDocuments({ segmentId: 'temp' })).toBe(0);
    });
  });

  it('a profile write whose evaluation was lost (kill -9 after the write) is evaluated by the sweep a minute later', async () => {
    expect((await segment('swept', 'attributes.country:SW')).status).toBe(201);
    await doneEvaluating('swept');
    expect((await profile('sw-2', { country: 'SW' })).status).toBe(201);
    expect(await segmentsOf('sw-2')).toEqual(['swept']);
    const profiles = mongo.db('customer_segment').collection<{
      _id: string;
      kind: string;
      customerId: string;
      legalEntityId: null;
      attributes: Record<string, unknown>;
      evaluationDue?: Date;
      evaluatedVersion?: number;
      metadata: { version: number; createdAt: Date; modifiedAt: Date };
    }>(`${T}_segment_profiles`);
    // A write through the API leaves no mark: its evaluation ran.
    expect(await profiles.findOne({ _id: 'customer/sw-2' })).not.toHaveProperty('evaluationDue');
    // What such a crash leaves: the written profile, marked due since the write, its membership as before.
    const longAgo = new Date(Date.now() - 120_000);
    const at = new Date();
    /** A profile of country SW as a write stores it (version 1), marked due since `due`. */
    const written = (customerId: string, due: Date) =>
      profiles.insertOne({
        _id: `customer/${customerId}`,
        kind: 'customer',
        customerId,
        legalEntityId: null,
        attributes: { country: 'SW' },
        evaluationDue: due,
        metadata: { version: 1, createdAt: at, modifiedAt: at },
      });
    await written('sw-1', longAgo);
    await profiles.updateOne(
      { _id: 'customer/sw-2' },
      { $set: { 'attributes.country': 'XX', evaluationDue: longAgo }, $inc: { 'metadata.version': 1 } },
    );
    // A write a moment ago is still its own evaluation's business, not the sweep's.
    await written('sw-3', new Date());
    for (let i = 0; i < 100 && (await segmentsOf('sw-1')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await segmentsOf('sw-1')).toEqual(['swept']);
    for (let i = 0; i < 100 && (await segmentsOf('sw-2')).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await segmentsOf('sw-2')).toEqual([]);
    expect(await events('swept/customers/sw-1')).toEqual([expect.stringContaining('customer-assignment-created')]);
    expect((await events('swept/customers/sw-2')).pop()).toContain('customer-assignment-deleted');
    expect(await profiles.findOne({ _id: 'customer/sw-1' })).not.toHaveProperty('evaluationDue');
    expect(await profiles.findOne({ _id: 'customer/sw-1' })).toMatchObject({ evaluatedVersion: 1 });
    await new Promise((r) => setTimeout(r, 700)); // two more passes
    expect(await segmentsOf('sw-3')).toEqual([]);
    expect(await profiles.findOne({ _id: 'customer/sw-3' })).toHaveProperty('evaluationDue');
  });

  it('two instances on one database: a rule changed through one is what the other evaluates at once (the rules epoch)', async () => {
    const second = await startHarness({ SEGMENT_MAX_PER_CUSTOMER: '3' }, h.db);
    try {
      const other = client(second.url);
      await segment('epoch', 'attributes.country:BE');
      await doneEvaluating('epoch');
      // The second instance learns the tenant's rules with a first write.
      expect((await other('PUT', `${P}/profiles/ep-1`, { headers, body: { attributes: { country: 'BE' } } })).status).toBe(201);
      expect(await segmentsOf('ep-1')).toContain('epoch');
      // The rule changes through the first instance; the second evaluates the new one at the next write.
      expect((await segment('epoch', 'attributes.country:LU')).status).toBe(204);
      expect((await other('PUT', `${P}/profiles/ep-2`, { headers, body: { attributes: { country: 'BE' } } })).status).toBe(201);
      expect((await other('PUT', `${P}/profiles/ep-3`, { headers, body: { attributes: { country: 'LU' } } })).status).toBe(201);
      expect(await segmentsOf('ep-2')).not.toContain('epoch');
      expect(await segmentsOf('ep-3')).toContain('epoch');
      // Deleted through the first instance: the second adds nobody to it any more.
      expect((await call('DELETE', `${P}/segments/epoch?forceDelete=true`, { headers })).status).toBe(204);
      await other('PUT', `${P}/profiles/ep-4`, { headers, body: { attributes: { country: 'LU' } } });
      expect(
        await mongo.db('customer_segment').collection(`${T}_segment_customer_assignments`).countDocuments({ segmentId: 'epoch' }),
      ).toBe(0);
    } finally {
      await second.close();
    }
  });
});
