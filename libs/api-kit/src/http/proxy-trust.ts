import { BlockList, isIP } from 'node:net';

/** Injection token of the peers whose `X-Forwarded-For` is believed (TRUST_PROXY entries). */
export const TRUSTED_PROXIES = Symbol.for('suite.trustedProxies');

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Which direct peers may tell the app a client's address in `X-Forwarded-For` (TRUST_PROXY).
 * Fastify asks it for every hop from the socket backwards (its `trustProxy` function), so the
 * request's `ip` is the first address, counting from the app, that was not said by a trusted proxy.
 * Security: a peer that is not trusted cannot make the app believe any address, so a client that
 * connects directly cannot escape the coupon guessing throttle by sending its own header.
 * Trusts nobody until {@link set} is called.
 */
export class ProxyTrust {
  private list = new BlockList();
  private any = false;

  /** Entries as TRUST_PROXY validated them: `loopback`, addresses, CIDR ranges; empty trusts nobody. */
  set(entries: readonly string[]): void {
    const list = new BlockList();
    for (const entry of entries) {
      if (entry === 'loopback') {
        list.addSubnet('127.0.0.0', 8, 'ipv4');
        list.addAddress('::1', 'ipv6');
        continue;
      }
      const [address, prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    this.list = list;
    this.any = entries.length > 0;
  }

  /** True when `address` (as a socket or a forwarded hop names it) is a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (!this.any || !address) return false;
    const mapped = IPV4_MAPPED.exec(address);
    if (mapped) return this.list.check(mapped[1], 'ipv4');
    const family = isIP(address);
    if (family === 4) return this.list.check(address, 'ipv4');
    if (family === 6) return this.list.check(address, 'ipv6');
    return false;
  }
}
