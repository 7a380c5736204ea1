import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';

/**
 * Where webhooks may go (README "Destinations"): never into the suite's own network. A destination
 * is refused when it is not an absolute http(s) URL, carries credentials, is not `https` in
 * production, or when its host is, or resolves to, a loopback, private, link-local, shared,
 * reserved, multicast or cloud-metadata address. The check runs when a config is written and
 * again on every connection (DNS can change between the two): {@link guardedLookup} is the
 * resolver the delivery client connects with, so the address checked is the address used.
 * `WEBHOOK_ALLOWED_DESTINATIONS` lists hosts and networks opened despite this (development, tests).
 */
export interface DestinationPolicy {
  /** Production: only `https` destinations. */
  requireHttps: boolean;
  /** Networks (CIDR) and single addresses opened despite being internal. */
  allowedNetworks: BlockList;
  /** Host names opened despite resolving to internal addresses (lower case, exact). */
  allowedHosts: ReadonlySet<string>;
}

/** The addresses no destination may reach (IANA special-purpose registries, metadata endpoints). */
const FORBIDDEN = (() => {
  const list = new BlockList();
  const v4: Array<[string, number, string]> = [
    ['0.0.0.0', 8, 'unspecified'],
    ['10.0.0.0', 8, 'private'],
    ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
    ['127.0.0.0', 8, 'loopback'],
    ['169.254.0.0', 16, 'link-local (cloud metadata)'],
    ['172.16.0.0', 12, 'private'],
    ['192.0.0.0', 24, 'reserved'],
    ['192.0.2.0', 24, 'documentation'],
    ['192.88.99.0', 24, 'reserved'],
    ['192.168.0.0', 16, 'private'],
    ['198.18.0.0', 15, 'benchmarking'],
    ['198.51.100.0', 24, 'documentation'],
    ['203.0.113.0', 24, 'documentation'],
    ['224.0.0.0', 4, 'multicast'],
    ['240.0.0.0', 4, 'reserved'],
  ];
  const v6: Array<[string, number, string]> = [
    ['::', 128, 'unspecified'],
    ['::1', 128, 'loopback'],
    // Forms that carry an IPv4 address a tunnel or relay may route to (defence in depth).
    ['::', 96, 'IPv4-compatible'],
    ['::ffff:0:0:0', 96, 'IPv4-translated'],
    ['2002::', 16, '6to4'],
    ['2001::', 32, 'Teredo'],
    ['64:ff9b:1::', 48, 'private translation'],
    ['100::', 64, 'discard'],
    ['2001:db8::', 32, 'documentation'],
    ['fc00::', 7, 'private (unique local, cloud metadata)'],
    ['fe80::', 10, 'link-local'],
    ['fec0::', 10, 'site-local'],
    ['ff00::', 8, 'multicast'],
  ];
  const kinds = new Map<string, string>();
  for (const [net, prefix, kind] of v4) {
    list.addSubnet(net, prefix, 'ipv4');
    kinds.set(`${net}/${prefix}`, kind);
  }
  for (const [net, prefix, kind] of v6) {
    list.addSubnet(net, prefix, 'ipv6');
    kinds.set(`${net}/${prefix}`, kind);
  }
  return { list, v4, v6 };
})();

/** Parses `WEBHOOK_ALLOWED_DESTINATIONS`: comma-separated CIDRs, addresses and host names; `loopback` for 127.0.0.0/8 and ::1. */
export function parseAllowedDestinations(
  raw: string | undefined,
  problems: string[],
): Pick<DestinationPolicy, 'allowedNetworks' | 'allowedHosts'> {
  const allowedNetworks = new BlockList();
  const allowedHosts = new Set<string>();
  for (const item of (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    if (item === 'loopback') {
      allowedNetworks.addSubnet('127.0.0.0', 8, 'ipv4');
      allowedNetworks.addAddress('::1', 'ipv6');
      allowedHosts.add('localhost');
      continue;
    }
    const [address, prefix, extra] = item.split('/');
    const family = isIP(address);
    if (family && extra === undefined) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) allowedNetworks.addAddress(address, type);
      else {
        const bits = Number(prefix);
        if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
          problems.push(`WEBHOOK_ALLOWED_DESTINATIONS: '${item}' has an invalid prefix length`);
          continue;
        }
        allowedNetworks.addSubnet(address, bits, type);
      }
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(item)) {
      allowedHosts.add(item);
    } else {
      problems.push(`WEBHOOK_ALLOWED_DESTINATIONS: '${item}' is neither a host name, an address, a CIDR nor 'loopback'`);
    }
  }
  return { allowedNetworks, allowedHosts };
}

/** Why an address may not be reached under the policy, or undefined when it may. */
export function forbiddenAddress(address: string, policy: DestinationPolicy): string | undefined {
  const family = isIP(address);
  if (!family) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (policy.allowedNetworks.check(address, type)) return undefined;
  if (family === 6) {
    // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96): judged as the IPv4 address.
    const embedded = embeddedIpv4(address);
    if (embedded) return forbiddenAddress(embedded, policy);
  }
  if (!FORBIDDEN.list.check(address, type)) return undefined;
  const ranges = family === 4 ? FORBIDDEN.v4 : FORBIDDEN.v6;
  for (const [net, prefix, kind] of ranges) {
    const one = new BlockList();
    one.addSubnet(net, prefix, type);
    if (one.check(address, type)) return `${address} is ${article(kind)} ${kind} address`;
  }
  return `${address} is an internal address`;
}

/** `a` or `an` before `word`; enough for the kinds of the tables above, whose first letters sound as spelt. */
function article(word: string): 'a' | 'an' {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  // NAT64 with a zero high word is serialised shorter: 64:ff9b::1 is 0.0.0.1, 64:ff9b:: is 0.0.0.0.
  const short = hex ? undefined : /^64:ff9b::([0-9a-f]{1,4})?$/.exec(lower);
  if (!hex && !short) return undefined;
  const hi = hex ? parseInt(hex[1], 16) : 0;
  const lo = hex ? parseInt(hex[2], 16) : parseInt(short![1] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * The checks that need no DNS: the URL's form, its scheme, credentials, and a literal address.
 * Returns the reason for a refusal, or undefined.
 */
export function destinationUrlProblem(raw: string, policy: DestinationPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (policy.requireHttps && url.protocol !== 'https:' && !policy.allowedHosts.has(url.hostname.toLowerCase())) return 'must use https';
  if (url.username || url.password) return 'must not carry credentials; send them in headers';
  if (raw.length > 2048) return 'must be at most 2048 characters long';
  const host = hostOf(url);
  if (isIP(host)) {
    const reason = forbiddenAddress(host, policy);
    if (reason) return `must not point into an internal network (${reason})`;
  }
  return undefined;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export type Lookup = (host: string) => Promise<LookupAddress[]>;

const systemLookup: Lookup = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (e, addresses) => (e ? reject(e) : resolve(addresses))));

/**
 * The full check of a destination (when a config is written): the URL's form and, for a host
 * name, every address it resolves to now. A name that does not resolve is refused too (the
 * receiver must exist); an allowed host name skips the address check.
 */
export async function destinationProblem(
  raw: string,
  policy: DestinationPolicy,
  lookup: Lookup = systemLookup,
): Promise<string | undefined> {
  const problem = destinationUrlProblem(raw, policy);
  if (problem) return problem;
  const url = new URL(raw);
  const host = hostOf(url);
  if (isIP(host) || policy.allowedHosts.has(host.toLowerCase())) return undefined;
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host);
  } catch {
    return `host ${host} does not resolve`;
  }
  for (const a of addresses) {
    const reason = forbiddenAddress(a.address, policy);
    if (reason) return `must not point into an internal network (${host} resolves to ${reason.replace(/^\S+ is /, '')}: ${a.address})`;
  }
  return undefined;
}

/** The error a refused connection fails with (the delivery log shows its message). */
export class ForbiddenDestinationError extends Error {
  readonly code = 'EDESTINATIONFORBIDDEN';
}

/**
 * A `lookup` for `net.connect`/undici's connector: resolves like the system resolver, then refuses
 * the connection when an address is internal, so a name that changed its address since the config
 * was written cannot be used to reach inside (DNS rebinding). Literal addresses never reach a
 * lookup; the delivery checks them with {@link destinationUrlProblem} first.
 */
export function guardedLookup(policy: DestinationPolicy, lookup: Lookup = systemLookup): LookupFunction {
  return (
    hostname: string,
    options: Pick<LookupOptions, 'all' | 'family'>,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const family = familyNumber(options.family);
    lookup(hostname).then(
      (addresses) => {
        const allowedHost = policy.allowedHosts.has(hostname.toLowerCase());
        const usable = addresses.filter((a) => (family ? a.family === family : true));
        for (const a of usable) {
          const reason = allowedHost ? undefined : forbiddenAddress(a.address, policy);
          if (reason)
            return callback(new ForbiddenDestinationError(`destination refused: ${hostname} resolves to ${a.address} (${reason})`), '', 0);
        }
        if (!usable.length) return callback(Object.assign(new Error(`host ${hostname} does not resolve`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (e: NodeJS.ErrnoException) => callback(e, '', 0),
    );
  };
}

/** Node's `family` option as a number: `4`, `6`, or `0` for either (`'IPv4'`/`'IPv6'` are the legacy spellings). */
function familyNumber(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
