import { ProxyTrust } from './proxy-trust';

describe('ProxyTrust (TRUST_PROXY)', () => {
  it('trusts nobody until set, and nobody for an empty list', () => {
    const trust = new ProxyTrust();
    expect(trust.trusts('127.0.0.1')).toBe(false);
    trust.set([]);
    expect(trust.trusts('127.0.0.1')).toBe(false);
  });

  it('trusts loopback (IPv4, IPv6 and IPv4-mapped), addresses and ranges, nothing else', () => {
    const trust = new ProxyTrust();
    trust.set(['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    for (const yes of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.200.3.4', '::ffff:10.0.0.1', '192.168.1.7', 'fd12::1'])
      expect([yes, trust.trusts(yes)]).toEqual([yes, true]);
    for (const no of ['192.168.1.8', '11.0.0.1', '::2', 'fe80::1', '8.8.8.8', 'unknown', '', undefined])
      expect([no, trust.trusts(no)]).toEqual([no, false]);
  });
});
