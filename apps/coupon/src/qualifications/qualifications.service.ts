import { Inject, Injectable } from '@nestjs/common';
import { ApiError, compileQ, MongoFilter, Outcome, pagingOf } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { asQueryParameterError } from '../common/coupon-errors';
import { EffectiveCustomer, resolveEffectiveCustomer } from '../common/effective-customer';
import { CouponSettingsService } from '../common/settings.service';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { readsAsManager } from '../coupon.scopes';
import { CodeGuessThrottle } from '../coupons/code-guess-throttle';
import { CouponRepository } from '../coupons/coupon.repository';
import type { Coupon } from '../coupons/coupon.types';
import { CouponEligibility } from '../redemptions/eligibility.service';
import { Cart, quoteOnCart } from '../redemptions/quote';
import type { QualificationsQueryDto } from './dto/qualification-query.dto';
import type { QualificationRequestDto } from './dto/qualification-request.dto';
import type { QualificationDto } from './dto/qualification.response.dto';
import { qualificationFields } from './qualification.fields';
import { bestFirst, toQualification } from './qualification.mapper';

/** The page size default of the answer (the coupon lists' PAG-2 override, §1.6). */
const DEFAULT_PAGE_SIZE = 16;
/**
 * Candidates evaluated per request at most: every one is quoted and judged in memory, and their
 * segment ids go into the one segment question, so the work of a request stays bounded.
 */
export const MAX_CANDIDATES = 1000;

/**
 * Qualifications (README "Qualifications"): which coupons apply to a customer's cart and why not
 * the others. Every candidate is judged by the same rules as a redemption (R1–R13, limits
 * included, plus the category check the cart lines allow), with one read of the customer's usage
 * counters and one segment question for all candidates; nothing is written.
 */
@Injectable()
export class QualificationsService {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly settings: CouponSettingsService,
    private readonly eligibility: CouponEligibility,
    private readonly guesses: CodeGuessThrottle,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  async qualify(ctx: RequestContext, query: QualificationsQueryDto, body: QualificationRequestDto): Promise<Outcome<QualificationDto[]>> {
    const now = new Date();
    // §1.5 step 4: acting for another customer (403) is decided before anything is read.
    const customer = resolveEffectiveCustomer(ctx.auth, { customerNumber: body.customerNumber, legalEntityId: body.legalEntityId });
    const manager = readsAsManager(ctx.auth);
    let paging;
    try {
      paging = pagingOf(query, DEFAULT_PAGE_SIZE);
    } catch (e) {
      throw asQueryParameterError(e);
    }
    const q = compileQ(query.q, qualificationFields(now, manager), { languages: [], maxRegexLength: 100 });
    const candidates = await this.namedLookup(ctx, manager, body, (caseSensitive) =>
      this.candidates(ctx.tenant, manager, customer, body.codes ?? [], q, caseSensitive),
    );
    const cart: Cart = {
      total: body.cart.total,
      items: body.cart.items.map((i) => ({
        productId: i.productId,
        categoryIds: i.categoryIds ?? [],
        quantity: i.quantity,
        price: i.price,
      })),
    };
    const refusals = await this.eligibility.refusalsOf(ctx, candidates, { now, customer, orderTotal: cart.total, items: cart.items });
    const answer = candidates
      .map((c) => toQualification(c, quoteOnCart(c, cart), refusals.get(c.code) ?? [], manager, now))
      .sort(bestFirst);
    const withTotal = query.totalCount === true || ctx.wantsTotal;
    return Outcome.page({
      items: answer.slice(paging.skip, paging.skip + paging.limit),
      total: withTotal ? answer.length : undefined,
    });
  }

  /**
   * Named codes are lookups like a path `{code}` (README "Coupon code guessing"): for a counted
   * caller (not a manager or reader) each distinct named code the answer says nothing about (no
   * candidate has it) counts as one failure, and the whole answer is 429 when the caller had used up
   * its failures already.
   */
  private async namedLookup(
    ctx: RequestContext,
    manager: boolean,
    body: QualificationRequestDto,
    find: (caseSensitive: boolean) => Promise<Coupon[]>,
  ): Promise<Coupon[]> {
    if (manager) return find(false);
    const { caseSensitiveCodes } = await this.settings.get(ctx.tenant);
    const named = [...new Set(body.codes ?? [])];
    if (!named.length) return find(caseSensitiveCodes);
    return this.guesses.lookup(ctx, body.customerNumber, async () => {
      const found = await find(caseSensitiveCodes);
      const codes = new Set(found.map((c) => c.code));
      const unknown = named.filter((c) => !lookedUpAs(c, caseSensitiveCodes).some((x) => codes.has(x))).length;
      return { value: found, unknown };
    });
  }

  /**
   * The coupons the caller may know, within `q`, not deleted: every coupon for `coupon_manage`/
   * `coupon_read`; otherwise the automatic ones, those issued to the effective customer (its
   * referral coupons included) or listing it in `validFor`, and the codes it names. A non-manager
   * never sees a coupon it could not read (§6.3: a `validFor` list without it), whichever way it came.
   */
  private async candidates(
    tenant: string,
    manager: boolean,
    customer: EffectiveCustomer,
    named: readonly string[],
    q: MongoFilter,
    caseSensitive: boolean,
  ): Promise<Coupon[]> {
    let who: Parameters<CouponRepository['findCandidates']>[1] = 'all';
    if (!manager) {
      // §4.2: a named code is looked up like a path code (upper-cased, then as written).
      const codes = [...new Set(named.flatMap((c) => lookedUpAs(c, caseSensitive)))];
      who = { customerNumber: customer.customerNumber, codes };
    }
    const found = await this.coupons.findCandidates(tenant, who, q, MAX_CANDIDATES + 1, this.config.queryMaxTimeMS);
    if (found.length > MAX_CANDIDATES) {
      throw ApiError.validation([
        { field: 'q', type: 'invalid_query_parameter', message: `More than ${MAX_CANDIDATES} coupons are candidates; narrow them with q.` },
      ]);
    }
    if (manager) return found;
    const id = customer.customerNumber;
    return found.filter((c) => c.restrictions.validFor.length === 0 || (id !== undefined && c.restrictions.validFor.includes(id)));
  }
}

/** §4.2: the stored codes a named or path code may be (upper-cased first unless the tenant is case sensitive). */
function lookedUpAs(code: string, caseSensitive: boolean): string[] {
  return caseSensitive ? [code] : [code.toUpperCase(), code];
}
