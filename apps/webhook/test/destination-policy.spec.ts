import type { LookupAddress, LookupOptions } from 'node:dns';
import { testAuthEnv } from '@suite/testing';
import {
  DestinationPolicy,
  destinationProblem,
  destinationUrlProblem,
  forbiddenAddress,
  ForbiddenDestinationError,
  guardedLookup,
  Lookup,
  parseAllowedDestinations,
} from '../src/common/destination-policy';
import { loadWebhookConfig } from '../src/config/webhook.config';

// README "Destinations": the SSRF policy of configs (destinationProblem) and of each delivery
// connection (guardedLookup), without a network: lookups are replaced by fixed answers.

function policy(allowed = '', requireHttps = false): DestinationPolicy {
  const problems: string[] = [];
  const parsed = parseAllowedDestinations(allowed, problems);
  if (problems.length) throw new Error(problems.join('; '));
  return { requireHttps, ...parsed };
}

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
const unresolvable: Lookup = async () => {
  throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
};

describe('destinationUrlProblem (no DNS)', () => {
  const open = policy();

  it.each([
    ['https://93.184.215.14/hooks'],
    ['http://93.184.215.14:8080/hooks?x=1'],
    ['https://example.com/hooks'],
    ['https://[2606:4700::1111]/hooks'],
  ])('accepts %s', (url) => {
    expect(destinationUrlProblem(url, open)).toBeUndefined();
  });

  it.each([
    ['not a url', 'must be an absolute http(s) URL'],
    ['/relative/path', 'must be an absolute http(s) URL'],
    ['ftp://93.184.215.14/x', 'must be an absolute http(s) URL'],
    ['file:///etc/passwd', 'must be an absolute http(s) URL'],
    ['https://user:secret@93.184.215.14/', 'must not carry credentials; send them in headers'],
    [`https://93.184.215.14/${'a'.repeat(2048)}`, 'must be at most 2048 characters long'],
    ['http://127.0.0.1/', 'must not point into an internal network (127.0.0.1 is a loopback address)'],
    ['http://127.8.9.10/', 'must not point into an internal network (127.8.9.10 is a loopback address)'],
    ['http://0.0.0.0/', 'must not point into an internal network (0.0.0.0 is an unspecified address)'],
    ['http://10.20.30.40/', 'must not point into an internal network (10.20.30.40 is a private address)'],
    ['http://172.16.0.1/', 'must not point into an internal network (172.16.0.1 is a private address)'],
    ['http://172.31.255.255/', 'must not point into an internal network (172.31.255.255 is a private address)'],
    ['http://192.168.1.1/', 'must not point into an internal network (192.168.1.1 is a private address)'],
    ['http://100.64.0.1/', 'must not point into an internal network (100.64.0.1 is a shared (carrier-grade NAT) address)'],
    [
      'http://169.254.169.254/latest/meta-data/',
      'must not point into an internal network (169.254.169.254 is a link-local (cloud metadata) address)',
    ],
    ['http://224.0.0.1/', 'must not point into an internal network (224.0.0.1 is a multicast address)'],
    ['http://[::1]/', 'must not point into an internal network (::1 is a loopback address)'],
    ['http://[::]/', 'must not point into an internal network (:: is an unspecified address)'],
    ['http://[fe80::1]/', 'must not point into an internal network (fe80::1 is a link-local address)'],
    [
      'http://[fd00:ec2::254]/',
      'must not point into an internal network (fd00:ec2::254 is a private (unique local, cloud metadata) address)',
    ],
    ['http://[::ffff:127.0.0.1]/', 'must not point into an internal network (127.0.0.1 is a loopback address)'],
    ['http://[::ffff:a9fe:a9fe]/', 'must not point into an internal network (169.254.169.254 is a link-local (cloud metadata) address)'],
    ['http://[64:ff9b::10.0.0.1]/', 'must not point into an internal network (10.0.0.1 is a private address)'],
    // NAT64 with the embedded IPv4 address in its short forms (WHATWG serialises 64:ff9b::0.0.0.1 so).
    ['http://[64:ff9b::1]/', 'must not point into an internal network (0.0.0.1 is an unspecified address)'],
    ['http://[64:ff9b::]/', 'must not point into an internal network (0.0.0.0 is an unspecified address)'],
    // IPv4-compatible, IPv4-translated, 6to4 and Teredo forms: refused whatever they carry.
    ['http://[::7f00:1]/', 'must not point into an internal network (::7f00:1 is an IPv4-compatible address)'],
    ['http://[::ffff:0:7f00:1]/', 'must not point into an internal network (::ffff:0:7f00:1 is an IPv4-translated address)'],
    ['http://[2002:7f00:1::]/', 'must not point into an internal network (2002:7f00:1:: is a 6to4 address)'],
    ['http://[2001:0:4136:e378::1]/', 'must not point into an internal network (2001:0:4136:e378::1 is a Teredo address)'],
    ['http://[64:ff9b::0.0.0.0]/', 'must not point into an internal network (0.0.0.0 is an unspecified address)'],
    // Alternative spellings of loopback that URL parsing normalises.
    ['http://2130706433/', 'must not point into an internal network (127.0.0.1 is a loopback address)'],
    ['http://0x7f.1/', 'must not point into an internal network (127.0.0.1 is a loopback address)'],
  ])('refuses %s', (url, reason) => {
    expect(destinationUrlProblem(url, open)).toBe(reason);
  });

  it('requires https when asked to (production), except for an opened host', () => {
    const production = policy('receiver.internal', true);
    expect(destinationUrlProblem('http://93.184.215.14/hooks', production)).toBe('must use https');
    expect(destinationUrlProblem('https://93.184.215.14/hooks', production)).toBeUndefined();
    expect(destinationUrlProblem('http://receiver.internal/hooks', production)).toBeUndefined();
  });

  it('opens the listed networks and addresses only', () => {
    const opened = policy('loopback, 10.1.0.0/16, 192.168.5.5');
    expect(destinationUrlProblem('http://127.0.0.1:9/x', opened)).toBeUndefined();
    expect(destinationUrlProblem('http://[::1]:9/x', opened)).toBeUndefined();
    expect(destinationUrlProblem('http://10.1.200.3/x', opened)).toBeUndefined();
    expect(destinationUrlProblem('http://192.168.5.5/x', opened)).toBeUndefined();
    expect(destinationUrlProblem('http://10.2.0.1/x', opened)).toContain('private address');
    expect(destinationUrlProblem('http://192.168.5.6/x', opened)).toContain('private address');
    expect(destinationUrlProblem('http://169.254.169.254/x', opened)).toContain('link-local');
  });
});

describe('parseAllowedDestinations', () => {
  it('reads networks, addresses, host names and loopback; reports what it cannot read', () => {
    const problems: string[] = [];
    const parsed = parseAllowedDestinations(' Loopback , 10.0.0.0/8,fd00::/8, 192.168.1.1, Receiver.Example.COM ,', problems);
    expect(problems).toEqual([]);
    expect(parsed.allowedHosts).toEqual(new Set(['localhost', 'receiver.example.com']));
    expect(parsed.allowedNetworks.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(parsed.allowedNetworks.check('fd12::1', 'ipv6')).toBe(true);
    expect(parsed.allowedNetworks.check('192.168.1.2', 'ipv4')).toBe(false);

    parseAllowedDestinations('10.0.0.0/33, not a host!, 1.2.3.4/8/9', problems);
    expect(problems).toEqual([
      "WEBHOOK_ALLOWED_DESTINATIONS: '10.0.0.0/33' has an invalid prefix length",
      "WEBHOOK_ALLOWED_DESTINATIONS: 'not a host!' is neither a host name, an address, a CIDR nor 'loopback'",
      "WEBHOOK_ALLOWED_DESTINATIONS: '1.2.3.4/8/9' is neither a host name, an address, a CIDR nor 'loopback'",
    ]);
  });

  it('an empty setting opens nothing', () => {
    expect(forbiddenAddress('127.0.0.1', policy(''))).toBe('127.0.0.1 is a loopback address');
    expect(forbiddenAddress('93.184.215.14', policy(''))).toBeUndefined();
    expect(forbiddenAddress('example.com', policy(''))).toBe('not an IP address');
  });
});

describe('destinationProblem (with DNS)', () => {
  it('refuses a host that resolves to an internal address, also when only one of its addresses is internal', async () => {
    const open = policy();
    expect(await destinationProblem('https://hooks.example.com/x', open, resolvesTo('93.184.215.14'))).toBeUndefined();
    expect(await destinationProblem('https://localhost/x', open, resolvesTo('127.0.0.1', '::1'))).toBe(
      'must not point into an internal network (localhost resolves to a loopback address: 127.0.0.1)',
    );
    expect(await destinationProblem('https://rebind.example.com/x', open, resolvesTo('93.184.215.14', '10.0.0.7'))).toBe(
      'must not point into an internal network (rebind.example.com resolves to a private address: 10.0.0.7)',
    );
    expect(await destinationProblem('https://meta.example.com/x', open, resolvesTo('fd00:ec2::254'))).toContain(
      'resolves to a private (unique local, cloud metadata) address',
    );
  });

  it('refuses a host that does not resolve, and checks the form before resolving', async () => {
    let asked = 0;
    const counting: Lookup = async (host) => {
      asked += 1;
      return resolvesTo('93.184.215.14')(host);
    };
    expect(await destinationProblem('https://nowhere.invalid/x', policy(), unresolvable)).toBe('host nowhere.invalid does not resolve');
    expect(await destinationProblem('ftp://example.com/x', policy(), counting)).toBe('must be an absolute http(s) URL');
    expect(await destinationProblem('http://example.com/x', policy('', true), counting)).toBe('must use https');
    expect(asked).toBe(0);
  });

  it('an opened host name skips the address check; an address literal needs no lookup', async () => {
    const opened = policy('receiver.internal');
    expect(await destinationProblem('http://receiver.internal:8080/x', opened, resolvesTo('10.0.0.9'))).toBeUndefined();
    expect(await destinationProblem('http://RECEIVER.internal/x', opened, resolvesTo('10.0.0.9'))).toBeUndefined();
    expect(await destinationProblem('http://93.184.215.14/x', opened, unresolvable)).toBeUndefined();
  });
});

describe('guardedLookup (each delivery connection)', () => {
  const lookupWith = (p: DestinationPolicy, lookup: Lookup, host: string, options: LookupOptions = {}) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(p, lookup)(host, options, (err, address, family) => resolve({ err, address, family })),
    );

  it('passes public addresses through, in the form the connector asks for', async () => {
    const one = await lookupWith(policy(), resolvesTo('93.184.215.14', '2606:4700::1111'), 'hooks.example.com');
    expect(one).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    const v6 = await lookupWith(policy(), resolvesTo('93.184.215.14', '2606:4700::1111'), 'hooks.example.com', { family: 6 });
    expect(v6).toEqual({ err: null, address: '2606:4700::1111', family: 6 });
    // Node's legacy spelling of the family, which net.LookupFunction allows too.
    const named = await lookupWith(policy(), resolvesTo('93.184.215.14', '2606:4700::1111'), 'hooks.example.com', { family: 'IPv6' });
    expect(named).toEqual(v6);
    const all = await lookupWith(policy(), resolvesTo('93.184.215.14'), 'hooks.example.com', { all: true });
    expect(all.address).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });

  it('refuses a name that resolves to an internal address now (DNS rebinding), unless the host is opened', async () => {
    const refused = await lookupWith(policy(), resolvesTo('169.254.169.254'), 'rebind.example.com');
    expect(refused.err).toBeInstanceOf(ForbiddenDestinationError);
    expect(refused.err?.message).toBe(
      'destination refused: rebind.example.com resolves to 169.254.169.254 (169.254.169.254 is a link-local (cloud metadata) address)',
    );
    expect((refused.err as ForbiddenDestinationError).code).toBe('EDESTINATIONFORBIDDEN');
    expect((await lookupWith(policy('rebind.example.com'), resolvesTo('10.0.0.1'), 'rebind.example.com')).err).toBeNull();
    const none = await lookupWith(policy(), resolvesTo('93.184.215.14'), 'hooks.example.com', { family: 6 });
    expect(none.err?.code).toBe('ENOTFOUND');
    expect((await lookupWith(policy(), unresolvable, 'nowhere.invalid')).err?.code).toBe('ENOTFOUND');
  });
});

describe('the policy from the environment', () => {
  const env = { ...testAuthEnv(), MONGODB_URI: 'mongodb://127.0.0.1:1/x' };

  it('requires https in production and not in development', () => {
    const production = loadWebhookConfig({
      ...env,
      NODE_ENV: 'production',
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'commerce-api',
      AUTH_JWKS_URI: 'https://auth.example.com/.well-known/jwks.json',
    });
    expect(production.destinations.requireHttps).toBe(true);
    expect(loadWebhookConfig(env).destinations.requireHttps).toBe(false);
  });

  it('refuses to start with an unreadable WEBHOOK_ALLOWED_DESTINATIONS', () => {
    expect(() => loadWebhookConfig({ ...env, WEBHOOK_ALLOWED_DESTINATIONS: '10.0.0.0/99' })).toThrow(/invalid prefix length/);
    expect(loadWebhookConfig({ ...env, WEBHOOK_ALLOWED_DESTINATIONS: 'loopback' }).destinations.allowedHosts.has('localhost')).toBe(true);
  });
});
