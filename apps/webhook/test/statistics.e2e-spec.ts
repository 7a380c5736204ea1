import { expectErrorProfile, httpRequest, ServiceHarness } from '@suite/testing';
import { DeliveryFlow, Receiver, startReceiver, waitFor } from './delivery-flow';
import { as, asService, MANAGE, READ, startWebhookApp } from './support';

const thisMonth = () => new Date().toISOString().slice(0, 7);
const monthsBack = (n: number) => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 7);
};

describe('statistics: GET /webhook/{tenant}/statistics', () => {
  let h: ServiceHarness;
  let flow: DeliveryFlow;
  let ok: Receiver;
  let failing: Receiver;
  const T = 'stats';

  beforeAll(async () => {
    h = await startWebhookApp({ env: { WEBHOOK_RETRY_SCHEDULE: '50ms', WEBHOOK_POLL_MS: '50', WEBHOOK_BREAKER_FAILURES: '50' } });
    flow = new DeliveryFlow(h);
    ok = await startReceiver();
    failing = await startReceiver(() => ({ status: 500 }));
    await flow.configure(T, {}, [{ destinationUrl: ok.url }, { destinationUrl: failing.url }]);
    await flow.subscribe(T);
    await flow.publish(T, 3);
    await waitFor('all six settled', async () => {
      const r = await flow.list(T, '?pageSize=100');
      return (r.body as any[]).filter((d) => d.state !== 'PENDING').length === 6;
    });
  }, 30_000);
  afterAll(async () => {
    await ok?.close();
    await failing?.close();
    await h?.close();
  });

  const get = async (tenant: string, query = '', scopes = [READ]) =>
    httpRequest(`${h.url}/webhook/${tenant}/statistics${query}`, 'GET', { headers: await as(tenant, scopes) });

  it('counts successful deliveries in Emporix shape, with the suite counters beside', async () => {
    const r = await get(T, `?fromYearMonth=${thisMonth()}&toYearMonth=${thisMonth()}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      monthStatistics: [
        { statisticsMonth: thisMonth(), succesfullySentWebhooks: 3, failedAttempts: 6, deadLetteredWebhooks: 3, cancelledWebhooks: 0 },
      ],
    });
    expect(ok.requests).toHaveLength(3);
  });

  it('lists every month of the range newest first, 12 months up to now by default', async () => {
    const r = await get(T, '', [MANAGE]);
    expect(r.status).toBe(200);
    const months = r.body.monthStatistics.map((m: any) => m.statisticsMonth);
    expect(months).toEqual(Array.from({ length: 12 }, (_, i) => monthsBack(i)));
    expect(r.body.monthStatistics.slice(1).every((m: any) => m.succesfullySentWebhooks === 0)).toBe(true);
    const span = await get(T, `?fromYearMonth=2023-11&toYearMonth=2024-02`);
    expect(span.body.monthStatistics.map((m: any) => [m.statisticsMonth, m.succesfullySentWebhooks])).toEqual([
      ['2024-02', 0],
      ['2024-01', 0],
      ['2023-12', 0],
      ['2023-11', 0],
    ]);
    expect(r.body).not.toHaveProperty('webhooksLimit');
  });

  it('refuses malformed months and reversed or too long ranges', async () => {
    for (const bad of ['2024-13', '2024-1', '24-01', 'abc', '2024-00']) {
      const from = expectErrorProfile('webhook', await get(T, `?fromYearMonth=${bad}`), 400, 'validation_failed');
      expect(from.details).toEqual(['fromYearMonth: fromYearMonth must be a month in the format YYYY-MM']);
    }
    const to = expectErrorProfile('webhook', await get(T, '?toYearMonth=2024/05'), 400, 'validation_failed');
    expect(to.details).toEqual(['toYearMonth: toYearMonth must be a month in the format YYYY-MM']);
    const reversed = expectErrorProfile('webhook', await get(T, '?fromYearMonth=2024-06&toYearMonth=2024-05'), 400, 'validation_failed');
    expect(reversed.details).toEqual(['fromYearMonth: fromYearMonth must not be after toYearMonth']);
    const long = expectErrorProfile('webhook', await get(T, '?fromYearMonth=2000-01&toYearMonth=2024-05'), 400, 'validation_failed');
    expect(long.details).toEqual(['fromYearMonth: the range must span at most 120 months']);
  });

  it("keeps tenants apart and needs a read or manage scope of the path's tenant", async () => {
    const other = await get('statsother', `?fromYearMonth=${thisMonth()}&toYearMonth=${thisMonth()}`);
    expect(other.body.monthStatistics[0].succesfullySentWebhooks).toBe(0);
    const crossed = await httpRequest(`${h.url}/webhook/statsother/statistics`, 'GET', { headers: await as(T, [READ]) });
    expectErrorProfile('webhook', crossed, 403, 'tenant_mismatch');
    const service = await httpRequest(`${h.url}/webhook/${T}/statistics`, 'GET', { headers: await asService(T, 'coupon') });
    expectErrorProfile('webhook', service, 403, 'insufficient_scope');
    expect((await httpRequest(`${h.url}/webhook/${T}/statistics`, 'GET')).status).toBe(401);
  });

  it('shows the configured monthly limit', async () => {
    const limited = await startWebhookApp({ env: { WEBHOOK_MONTHLY_LIMIT: '10000' }, database: h.db });
    try {
      const r = await httpRequest(`${limited.url}/webhook/${T}/statistics?fromYearMonth=${thisMonth()}&toYearMonth=${thisMonth()}`, 'GET', {
        headers: await as(T, [READ]),
      });
      expect(r.body).toMatchObject({
        webhooksLimit: 10000,
        monthStatistics: [{ statisticsMonth: thisMonth(), succesfullySentWebhooks: 3 }],
      });
    } finally {
      await limited.close();
    }
  });
});
