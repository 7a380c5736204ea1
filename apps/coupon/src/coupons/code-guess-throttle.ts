import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, Rate } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { Combiner, WindowCount, WindowCounters } from '@suite/persistence';

import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { COUPON_SCOPES, readsAsManager } from '../coupon.scopes';

/** Injection token of the guess counters: the shared `codeguesses` collection of the coupon database. */
export const CODE_GUESS_COUNTERS = Symbol.for('coupon.codeGuessCounters');
export { CODE_GUESS_COLLECTION } from '../coupon.entities';

/** One thing a guesser is counted by: a customer, a guest session or a client address. */
interface GuessKey {
  key: string;
  windowMs: number;
  limit: number;
  /** For the 429 detail: "customer", "session", "client address". */
  per: string;
}

/**
 * Coupon code guessing (README "Coupon code guessing"): lookups of codes that do not exist are
 * counted per key in fixed windows, in the coupon database, so every instance counts together.
 * A key gets answers for at most `limit` unknown codes per window; after that every lookup by it,
 * of an unknown or a known code, is 429 until the window ends.
 *
 * Hand-written rather than @nestjs/throttler: that counts requests before the handler runs, while
 * this counts outcomes (codes that did not exist), several per request (qualifications), under two
 * keys at once.
 *
 * Keys (the tenant is part of every key): the customer of a customer token, else the session (`sid`)
 * of a guest token, else the client address, each with COUPON_GUESS_LIMIT; and the client address
 * (ProxyTrust decides what it is) with COUPON_GUESS_ADDRESS_LIMIT, over everyone behind it, so new
 * guest sessions buy no new guesses. A caller with `coupon_redeem_on_behalf` is a backend that
 * speaks for many shoppers from one address: it is counted by the customer it names (else its
 * token's), never by its address. Callers with `coupon_manage` or `coupon_read` may list every code
 * anyway and are not counted. A known code never resets the count: with one valid code in hand, a
 * guesser could otherwise reset it at will.
 *
 * Concurrency: the answer is decided after the lookup. Unknown codes are added to the counters with
 * one atomic `$inc` per key, and a lookup learns that its codes do not exist only if the count before
 * its own increment was below the limit; so however many guesses arrive at once, at most `limit` are
 * answered, and exactly `limit` when one caller guesses alone (keys are counted one after the other, a
 * refused guess not counting on the keys after the refusing one); a qualification naming several
 * unknown codes may go past it by those, at most 19.
 * Known codes are not counted (a read, made alongside the lookup): a customer's concurrent
 * checkouts are never refused for each other. Values are hashed: the collection holds no customer
 * numbers or addresses.
 */
@Injectable()
export class CodeGuessThrottle {
  /**
   * The counts read for lookups of known codes: the keys of the lookups asked for meanwhile in one
   * query ({@link Combiner}; each read is sent after its lookup started, so it is never older).
   */
  private readonly peeks = new Combiner<GuessKey[], WindowCount[]>((_, lookups) => this.peekAll(lookups));

  constructor(
    @Inject(CODE_GUESS_COUNTERS) private readonly counters: WindowCounters,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /**
   * Runs a lookup by the caller (`named`: the customer number the request names, if any) that
   * reports how many of its codes do not exist, and answers its value unless the caller has used up
   * its failures (429).
   */
  async lookup<T>(ctx: RequestContext, named: string | undefined, work: () => Promise<{ value: T; unknown: number }>): Promise<T> {
    const keys = this.keysOf(ctx, named);
    if (!keys.length) return (await work()).value;
    const [result, before] = await Promise.all([work(), this.peeks.submit('peek', keys)]);
    if (result.unknown > 0) {
      // Key by key, the caller's own first, the shared address last; a key already spent refuses
      // before the next one is counted. Counted all at once, the two counters would order concurrent
      // guesses differently, and a guess first on one counter but late on the other would be refused
      // by the second: fewer than `limit` answers (the flaky concurrency case). Answered only if, on
      // every key, the failures before this lookup's own were below the limit.
      for (const key of keys) {
        const after = await this.counters.hit(key.key, key.windowMs, result.unknown);
        refuseWhen([key], [after], (count, limit) => count - result.unknown >= limit);
      }
    } else {
      refuseWhen(keys, before, (count, limit) => count >= limit);
    }
    return result.value;
  }

  /** One `peek` of the distinct keys of several lookups, answered per lookup in its keys' order. */
  private async peekAll(lookups: GuessKey[][]): Promise<WindowCount[][]> {
    const distinct = new Map<string, GuessKey>();
    for (const keys of lookups) for (const key of keys) distinct.set(`${key.windowMs}|${key.key}`, key);
    const asked = [...distinct.values()];
    const counts = await this.counters.peek(asked);
    const byKey = new Map(asked.map((key, i) => [`${key.windowMs}|${key.key}`, counts[i]]));
    return lookups.map((keys) => keys.map((key) => byKey.get(`${key.windowMs}|${key.key}`)!));
  }

  /** The keys the caller is counted by (none for managers and readers). */
  private keysOf(ctx: RequestContext, named: string | undefined): GuessKey[] {
    const { auth, tenant, clientAddress } = ctx;
    if (readsAsManager(auth)) return [];
    const { identity, address } = this.config.codeGuesses;
    const keys: GuessKey[] = [];
    const add = (per: string, kind: string, value: string | undefined, rate: Rate | null) => {
      if (value !== undefined && rate)
        keys.push({ key: `${tenant}:${kind}:${digest(value)}`, windowMs: rate.windowMs, limit: rate.limit, per });
    };
    if (auth.hasScope(COUPON_SCOPES.redeemOnBehalf)) {
      add('customer', 'customer', named ?? auth.customerId, identity);
      return keys;
    }
    if (auth.customerId !== undefined) add('customer', 'customer', auth.customerId, identity);
    else if (auth.visitId !== undefined) add('session', 'session', auth.visitId, identity);
    else add('client address', 'caller', clientAddress, identity);
    add('client address', 'address', clientAddress, address);
    return keys;
  }
}

/** 429 when a key's count is spent, with `Retry-After` until the last of the spent windows ends. */
function refuseWhen(keys: GuessKey[], counts: WindowCount[], spent: (count: number, limit: number) => boolean): void {
  const over = keys.map((key, i) => ({ key, count: counts[i] })).filter(({ key, count }) => spent(count.count, key.limit));
  if (!over.length) return;
  const seconds = Math.max(1, Math.ceil((Math.max(...over.map((o) => o.count.endsAt)) - Date.now()) / 1000));
  throw ApiError.tooManyRequests(
    `Too many lookups of coupon codes that do not exist; retry after ${seconds} seconds.`,
    seconds,
    over.map(({ key }) => ({
      type: 'limit_exceeded',
      message: `at most ${key.limit} unknown codes per ${key.windowMs / 1000} s per ${key.per}`,
    })),
  );
}

/** The value in a key: fixed length, and no customer number or address stored in clear. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
