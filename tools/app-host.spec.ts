import { parseHostedApps } from './app-host';

// SUITE_HOSTED_APPS, what the launcher tells a process hosting several apps (tools/app-host.ts).
describe('app host: the apps it is told to run', () => {
  it('reads <app>=<port> pairs, in order', () => {
    expect(parseHostedApps('customer-segment=41001,coupon=41002,category=41003,webhook=41004')).toEqual([
      { name: 'customer-segment', port: 41001 },
      { name: 'coupon', port: 41002 },
      { name: 'category', port: 41003 },
      { name: 'webhook', port: 41004 },
    ]);
    expect(parseHostedApps('coupon=3002')).toEqual([{ name: 'coupon', port: 3002 }]);
    expect(parseHostedApps(undefined)).toEqual([]);
  });

  it.each([
    ['an app that is not one of the suite', 'orders=3000', "'orders=3000' is not <app>=<port>"],
    ['a port that is not a number', 'coupon=abc', "'coupon=abc' is not <app>=<port>"],
    ['a port beyond 65535', 'coupon=70000', "'coupon=70000' is not <app>=<port>"],
    ['a pair without a port', 'coupon', "'coupon' is not <app>=<port>"],
    ['an app named twice', 'coupon=1,coupon=2', 'an app is named twice'],
  ])('refuses %s', (_what, raw, message) => {
    expect(() => parseHostedApps(raw)).toThrow(message);
  });
});
