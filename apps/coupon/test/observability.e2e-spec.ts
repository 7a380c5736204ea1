import { Writable } from 'node:stream';
import { createLogger } from '@suite/observability';
import { httpRequest, ServiceHarness, startServiceHarness } from '@suite/testing';
import { AppModule } from '../src/app.module';
import { loadCouponConfig } from '../src/config/coupon.config';
import { jwtPayload, segmentService } from './segment-stub';
import { couponBody, customer, manager, order, token, uniqueCode } from './support';

// Logs while a request is handled (issue #12 "Observable"): every line the service and its peer
// client write carries the request id, the tenant and the principal of the request, under one field
// name each, never twice, and a line never takes the context of another request handled meanwhile.
const T = 'cpnlogs';

describe('log lines written while a request is handled', () => {
  let h: ServiceHarness;
  const raw: string[] = [];
  const lines = () => raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  const linesOf = (reqId: string) => lines().filter((l) => l.reqId === reqId);
  let code: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        raw.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    // The service's logger exactly as runService makes it, writing here instead of stdout.
    const logger = createLogger('coupon', 'info', sink);
    h = await startServiceHarness({
      service: 'coupon',
      peerUrlEnv: 'CUSTOMER_SEGMENT_URL',
      // Short attempts, so the failure below is quick (S2S-13).
      build: (env) => AppModule.forRoot({ ...loadCouponConfig(env), segmentClient: { timeouts: { attemptMs: 300 } } }, logger),
      env: { COUPON_SETTINGS_CACHE_MS: '0' },
    });
    const created = await httpRequest(`${h.url}/coupon/${T}/coupons`, 'POST', {
      headers: { authorization: `Bearer ${await token(manager(T))}` },
      body: couponBody({ code: uniqueCode('L'), segmentRestricted: true, restrictions: { segments: ['gold'] } }),
    });
    if (created.status !== 201) throw new Error(created.text);
    code = created.body.id;
  });
  afterAll(() => h?.close());

  const validate = async (customerId: string, reqId: string) => {
    const authorization = `Bearer ${await token(customer(T, customerId))}`;
    const res = await httpRequest(`${h.url}/coupon/${T}/coupons/${code}/validation`, 'POST', {
      headers: { authorization, 'x-request-id': reqId },
      body: order(50, 5),
    });
    return { res, sub: jwtPayload(authorization).sub };
  };

  it('the lines of the peer client carry the request id, the tenant and the customer, and concurrent requests stay apart', async () => {
    h.peer.respond(segmentService(T, { MEMBER: [{ id: 'gold', status: 'ACTIVE' }], OTHER: [{ id: 'bronze', status: 'ACTIVE' }] }));
    const [member, other] = await Promise.all([validate('MEMBER', 'obs-member-1'), validate('OTHER', 'obs-other-1')]);
    expect(member.res.status).toBe(200);
    expect(other.res.status).toBe(400);
    for (const [reqId, sub] of [
      ['obs-member-1', member.sub],
      ['obs-other-1', other.sub],
    ]) {
      const mine = linesOf(reqId as string);
      expect(mine.map((l) => l.msg)).toContain('peer call');
      for (const line of mine) expect(line).toMatchObject({ reqId, tenant: T, principalType: 'customer', sub, service: 'coupon' });
    }
    expect(linesOf('obs-member-1').find((l) => l.msg === 'peer call')).toMatchObject({ upstream: 'customer-segment', outcome: 'ok' });
  });

  it('so do the lines of the service itself when the peer fails, each field written once', async () => {
    h.peer.respond(() => ({ status: 503, json: { code: 503 } }));
    const { res, sub } = await validate('MEMBER', 'obs-down-1');
    expect(res.status).toBe(503);
    const mine = linesOf('obs-down-1');
    // One line per attempt from the peer client, then the coupon service's own decision.
    expect(mine.filter((l) => l.msg === 'peer call failed').length).toBeGreaterThanOrEqual(1);
    expect(mine.map((l) => l.msg)).toContain('segment membership could not be decided; failing closed');
    for (const line of mine) expect(line).toMatchObject({ reqId: 'obs-down-1', tenant: T, principalType: 'customer', sub });
    for (const text of raw.filter((l) => l.includes('"obs-down-1"'))) {
      for (const field of ['reqId', 'tenant', 'principalType', 'sub']) expect(text.split(`"${field}":`)).toHaveLength(2);
    }
    // AUTH-14: no token, in any line.
    expect(raw.join('\n')).not.toMatch(/Bearer|eyJ/);
  });
});
