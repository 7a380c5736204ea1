import { Injectable, Provider } from '@nestjs/common';
import { ApiError, isValidCustomId, LOGGER, PeerCallError, quoteQValue, ServiceHttpClient } from '@suite/api-kit';
import { forwardHeaders, PeerClients, RequestContext } from '@suite/auth';
import type { Logger } from 'pino';
import { segmentServiceUnavailable } from '../common/coupon-errors';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { SEGMENT_READ_SCOPE } from '../coupon.scopes';

/** The only fields of a segment this client reads (tolerant reader, STYLE). */
interface SegmentRow {
  id: string;
  status: string;
  validity?: { from?: string; to?: string };
}

export interface MembershipQuestion {
  /** The coupon, for the failure log line (§10.3). */
  couponCode: string;
  customerNumber: string;
  legalEntityId?: string;
  segmentIds: readonly string[];
  now: Date;
}

/** The question of {@link CustomerSegmentClient.activeMemberships}: one customer, the segment ids of any number of coupons. */
export interface MembershipsQuestion extends Omit<MembershipQuestion, 'couponCode'> {
  /** The coupons asked for, for the failure log line (§10.3). */
  couponCodes: readonly string[];
}

/** Coupon codes named in one failure log line at most; the count is logged too. */
const LOGGED_CODES = 20;

/** §10.2: at most 50 ids per call, and a q within the Q-30 length limit. */
const MAX_IDS_PER_CALL = 50;
const MAX_Q_CHARS = 4096;
/** §10.3: 2 s per attempt, at most one retry, 3 s for the whole step (lower than S2S-6/7, HTTP-8 item 15). */
const STEP_LIMITS = { attemptMs: 2000, budgetMs: 3000 };
const MAX_RETRIES = 1;
/** PAG-4 depth limit of the peer. */
const MAX_PAGE_DEPTH = 100_000;

/**
 * The question of rules R12 and R13 to the customer-segment service (coupon §10, README call table):
 * `GET /customer-segment/{tenant}/segments?customerId=…[&legalEntityId=…]&q=id:("s1",…)&pageSize=n`
 * with the coupon service's own token holding `customersegment.segment_read` (never the caller's
 * token). It decides effective activity itself from `status` and `validity`.
 *
 * Fails closed (S2S-11): any failure — timeout, connection error, open circuit, 5xx, 401/403,
 * 404, unparseable or malformed body, a missing peer URL — throws the §10.3 `503`, so a coupon
 * is never treated as redeemable because the peer could not answer. Answers are never cached.
 */
@Injectable()
export class CustomerSegmentClient {
  constructor(
    private readonly http: ServiceHttpClient | undefined,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly limits: { attemptMs: number; budgetMs: number } = STEP_LIMITS,
  ) {}

  /** True when the customer is a member of at least one listed segment that is effectively active at `now`. */
  async isMemberOfAny(ctx: RequestContext, question: MembershipQuestion): Promise<boolean> {
    const { couponCode, ...rest } = question;
    // A decided "member" needs no more pages.
    const found = await this.activeMemberships(ctx, { ...rest, couponCodes: [couponCode] }, (ids) => ids.size > 0);
    return found.size > 0;
  }

  /**
   * The ids among `segmentIds` of the segments the customer is an effectively active member of at
   * `now`: one logical question (split into calls of at most 50 ids, every page read) that serves
   * R12 and R13 of one coupon, or every candidate of a qualifications request at once. `decided`
   * may end the reading early, once the ids found so far settle the caller's question.
   */
  async activeMemberships(
    ctx: RequestContext,
    question: MembershipsQuestion,
    decided: (found: ReadonlySet<string>) => boolean = () => false,
  ): Promise<Set<string>> {
    const found = new Set<string>();
    // ID-3: an id that cannot be a segment id (stored before writes checked it) names no segment,
    // so it matches nobody and is never sent: the segment service would refuse it, a 503 here.
    const segmentIds = question.segmentIds.filter((id) => isValidCustomId(id));
    if (segmentIds.length === 0) return found;
    await this.scan(ctx, { ...question, segmentIds }, question.couponCodes, (row) => {
      found.add(row.id);
      return decided(found);
    });
    return found;
  }

  /**
   * Asks for the customer's segments among the ids (§10.2) and hands each listed, effectively
   * active one to `visit` until it returns true. Any failure throws the §10.3 `503`.
   */
  private async scan(
    ctx: RequestContext,
    question: Omit<MembershipQuestion, 'couponCode'>,
    couponCodes: readonly string[],
    visit: (row: SegmentRow) => boolean,
  ): Promise<void> {
    const started = Date.now();
    try {
      if (!this.http) throw new Error('CUSTOMER_SEGMENT_URL is not configured');
      const wanted = new Set(question.segmentIds);
      for (const ids of idGroups([...wanted])) {
        // S2S-14: a full page means there may be more.
        for (let pageNumber = 1; ; pageNumber++) {
          const page = await this.fetchPage(ctx, question, ids, pageNumber, ids.length, started);
          if (!Array.isArray(page) || page.length > ids.length) throw new Error('segment list is not a list of at most pageSize rows');
          const rows = page.map(asSegmentRow); // any unreadable row fails the whole answer
          for (const row of rows) if (wanted.has(row.id) && effectivelyActive(row, question.now) && visit(row)) return;
          if (page.length < ids.length) break;
          if (pageNumber * ids.length > MAX_PAGE_DEPTH) throw new Error('segment list deeper than the paging limit');
        }
      }
    } catch (e) {
      const kind = e instanceof ApiError && e.cause instanceof PeerCallError ? e.cause.kind : e instanceof Error ? e.message : 'unknown';
      // Never log tokens or bodies (S2S-12); tenant, coupon and the kind of failure only (§10.3).
      const coupons =
        couponCodes.length === 1
          ? { couponCode: couponCodes[0] }
          : { couponCodes: couponCodes.slice(0, LOGGED_CODES), couponCount: couponCodes.length };
      this.logger.warn({ tenant: ctx.tenant, ...coupons, failure: kind }, 'segment membership could not be decided; failing closed');
      throw segmentServiceUnavailable(e instanceof ApiError ? e.headers['Retry-After'] : undefined);
    }
  }

  private async fetchPage(
    ctx: RequestContext,
    question: Omit<MembershipQuestion, 'couponCode'>,
    ids: string[],
    pageNumber: number,
    pageSize: number,
    started: number,
  ): Promise<unknown[]> {
    const remaining = this.limits.budgetMs - (Date.now() - started);
    if (remaining <= 0) throw new Error('segment step budget exhausted');
    const res = await this.http!.request<unknown[]>({
      tenant: ctx.tenant,
      method: 'GET',
      path: `/customer-segment/${ctx.tenant}/segments`,
      pathTemplate: '/customer-segment/{tenant}/segments',
      query: {
        customerId: question.customerNumber,
        legalEntityId: question.legalEntityId,
        q: `id:(${ids.map(quoteQValue).join(',')})`,
        pageSize,
        pageNumber,
      },
      scopes: [SEGMENT_READ_SCOPE],
      headers: forwardHeaders(ctx),
      timeouts: { attemptMs: Math.min(this.limits.attemptMs, remaining), deadlineMs: remaining },
      maxRetries: MAX_RETRIES,
    });
    // An empty or non-array body is a broken answer, never "no segments" (checked by the caller).
    return res.body as unknown[];
  }
}

/** Splits ids into calls of at most 50 ids whose `q` stays within 4096 characters (S2S-14). */
function idGroups(ids: string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let length = 'id:()'.length;
  for (const id of ids) {
    const add = quoteQValue(id).length + (current.length ? 1 : 0);
    if (current.length && (current.length >= MAX_IDS_PER_CALL || length + add > MAX_Q_CHARS)) {
      groups.push(current);
      current = [];
      length = 'id:()'.length;
    }
    current.push(id);
    length += quoteQValue(id).length + (current.length > 1 ? 1 : 0);
  }
  if (current.length) groups.push(current);
  return groups;
}

function isIsoDate(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

/** A row we can decide on, or a thrown error (an unusable answer fails closed). */
function asSegmentRow(raw: unknown): SegmentRow {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('segment row is not an object');
  const { id, status, validity } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || typeof status !== 'string') throw new Error('segment row without id or status');
  if (validity === undefined || validity === null) return { id, status };
  if (typeof validity !== 'object' || Array.isArray(validity)) throw new Error('segment validity is not an object');
  const { from, to } = validity as Record<string, unknown>;
  if ((from !== undefined && from !== null && !isIsoDate(from)) || (to !== undefined && to !== null && !isIsoDate(to))) {
    throw new Error('segment validity holds an unreadable date');
  }
  return { id, status, validity: { from: typeof from === 'string' ? from : undefined, to: typeof to === 'string' ? to : undefined } };
}

/** customer-segment §2.1: ACTIVE, and `from <= now <= to` where given (both inclusive). */
export function effectivelyActive(row: SegmentRow, now: Date): boolean {
  if (row.status !== 'ACTIVE') return false;
  const t = now.getTime();
  if (row.validity?.from && Date.parse(row.validity.from) > t) return false;
  if (row.validity?.to && Date.parse(row.validity.to) < t) return false;
  return true;
}

/**
 * The one client per process (S2S-1), made by PeerClients from CUSTOMER_SEGMENT_URL with this
 * service's own tokens and closed with the application; without a URL every check fails closed.
 */
export const customerSegmentClientProvider: Provider = {
  provide: CustomerSegmentClient,
  inject: [COUPON_CONFIG, PeerClients, LOGGER],
  useFactory: (config: CouponConfig, peers: PeerClients, logger: Logger) => {
    const http = peers.create({
      service: 'customer-segment',
      baseUrl: config.customerSegmentUrl,
      timeouts: config.segmentClient?.timeouts,
      breaker: config.segmentClient?.breaker ?? { openMs: config.peerBreakerOpenMs },
    });
    // Tests may only shorten the §10.3 limits (S2S-13); production uses 2 s per attempt, 3 s per step.
    const attemptMs = Math.min(STEP_LIMITS.attemptMs, config.segmentClient?.timeouts?.attemptMs ?? STEP_LIMITS.attemptMs);
    const budgetMs = Math.min(STEP_LIMITS.budgetMs, config.segmentClient?.timeouts?.deadlineMs ?? STEP_LIMITS.budgetMs);
    return new CustomerSegmentClient(http, logger, { attemptMs, budgetMs });
  },
};
