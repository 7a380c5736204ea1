import { Inject, Injectable } from '@nestjs/common';
import {
  ApiError,
  applyMergePatch,
  ErrorDetail,
  EVENT_TYPES,
  expectedVersionOf,
  isPlainObject,
  newMetadata,
  Outcome,
  validateDto,
} from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { couponNotFound, duplicateCoupon, invalidCoupon, notAllowedFor } from '../common/coupon-errors';
import type { ResourceLocationDto } from '../common/dto/resource-location.response.dto';
import { resolveEffectiveCustomer } from '../common/effective-customer';
import { pageQuery, readListRequest } from '../common/list-request';
import { CouponSettingsService } from '../common/settings.service';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { readsAsManager } from '../coupon.scopes';
import { CustomerUsageRepository } from '../redemptions/customer-usage.repository';
import { toRedemptionView } from '../redemptions/redemption.mapper';
import { RedemptionRepository } from '../redemptions/redemption.repository';
import { couponYrn, normalizeCode, randomCode } from './coupon-code';
import { ReservationRepository } from '../reservations/reservation.repository';
import { CouponLookup } from './coupon-lookup.service';
import { COUPON_SORT_FIELDS, couponFields } from './coupon.fields';
import { toCustomerView, toManagerView, toWritableBody } from './coupon.mapper';
import { CouponRepository } from './coupon.repository';
import type { Coupon, CouponFields } from './coupon.types';
import { toCouponFields } from './dto/coupon-fields.dto';
import type { ListCouponsQueryDto } from './dto/coupon-query.dto';
import type { CouponResponseDto } from './dto/coupon.response.dto';
import { CouponDocumentDto, CreateCouponDto } from './dto/create-coupon.dto';
import { PatchCouponDto, READ_ONLY_FIELDS, sentProperties } from './dto/patch-coupon.dto';
import { ReplaceCouponDto } from './dto/replace-coupon.dto';

/**
 * An update without a client version that loses the race to concurrent *updates* (redemptions
 * never make it lose, see CouponRepository.updateFields) this often answers 409. Each lost round
 * means another update won, so this bounds the number of truly simultaneous admin writes.
 */
const MAX_UPDATE_ATTEMPTS = 32;
/** Redemption records removed (and announced) per round trip by a permanent delete. */
const REDEMPTION_DELETE_BATCH = 500;

/** Coupon management (operations 1–6). */
@Injectable()
export class CouponsService {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly lookup: CouponLookup,
    private readonly settings: CouponSettingsService,
    private readonly redemptions: RedemptionRepository,
    private readonly usage: CustomerUsageRepository,
    private readonly reservations: ReservationRepository,
    private readonly events: ChangeEvents,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /** Operation 1 (§6.1). */
  async list(ctx: RequestContext, query: ListCouponsQueryDto): Promise<Outcome<CouponResponseDto[]>> {
    const now = new Date();
    const fields = { q: couponFields(now), sort: COUPON_SORT_FIELDS, defaultSort: 'code:asc' };
    const list = readListRequest(ctx, query, fields, this.config.queryMaxTimeMS);
    const page = await this.coupons.page(ctx.tenant, pageQuery(list, query.showDeleted === true ? undefined : { deleted: false }));
    return Outcome.page({ items: page.items.map((c) => toManagerView(c, now)), total: page.total });
  }

  /** Operation 2 (§6.2): with or without a code; a generated code is retried up to 5 times. */
  async create(ctx: RequestContext, body: CreateCouponDto): Promise<Outcome<ResourceLocationDto>> {
    const { caseSensitiveCodes } = await this.settings.get(ctx.tenant);
    const fields = toCouponFields(body);
    let code = typeof body.code === 'string' && body.code !== '' ? normalizeCode(body.code, caseSensitiveCodes) : undefined;
    const now = new Date();
    const metadata = newMetadata(now, undefined, 0);
    if (code !== undefined) {
      const outcome = await this.coupons.insert(ctx.tenant, code, fields, { referralCoupon: false, metadata });
      if (outcome !== 'inserted') throw duplicateCoupon(code, ctx.tenant);
    } else {
      code = await this.insertWithGeneratedCode(ctx.tenant, fields, metadata);
    }
    const created = (await this.coupons.findByCode(ctx.tenant, code))!;
    await this.events.emit(ctx, {
      type: EVENT_TYPES.coupon.created,
      subject: code,
      version: 0,
      time: now,
      data: toManagerView(created, now),
    });
    return Outcome.created(`/coupon/${ctx.tenant}/coupons/${code}`, { id: code, yrn: couponYrn(ctx.tenant, code) });
  }

  private async insertWithGeneratedCode(tenant: string, fields: CouponFields, metadata: Coupon['metadata']): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = randomCode(8);
      if ((await this.coupons.insert(tenant, code, fields, { referralCoupon: false, metadata })) === 'inserted') return code;
    }
    throw ApiError.internal(new Error('no free coupon code after 5 attempts'));
  }

  /** Operation 3 (§6.3): manager view, or the customer view after the `validFor` eligibility check. */
  async get(ctx: RequestContext, pathCode: string, named: string | undefined): Promise<CouponResponseDto> {
    const { auth } = ctx;
    // §1.5 step 2: acting for another customer is decided before anything is read.
    const customer = named === undefined ? undefined : resolveEffectiveCustomer(auth, { customerNumber: named });
    const coupon = await this.lookup.findActive(ctx, pathCode, named);
    const now = new Date();
    if (named === undefined && readsAsManager(auth)) return toManagerView(coupon, now);
    const customerNumber = customer ? customer.customerNumber : auth.customerId;
    if (coupon.restrictions.validFor.length && (customerNumber === undefined || !coupon.restrictions.validFor.includes(customerNumber))) {
      throw notAllowedFor(`Insufficient permissions to retrieve the coupon with code ${coupon.code}`);
    }
    return toCustomerView(coupon, now);
  }

  /** Operation 4 (§6.4); `partial=true` behaves exactly like PATCH, including the `{}` rule. */
  replace(ctx: RequestContext, pathCode: string, body: PatchCouponDto, partial: boolean): Promise<CouponResponseDto> {
    return partial ? this.patch(ctx, pathCode, body) : this.update(ctx, pathCode, body, 'replace');
  }

  /** Operation 5 (§6.5): JSON merge patch, validated on the merged result. */
  patch(ctx: RequestContext, pathCode: string, body: PatchCouponDto): Promise<CouponResponseDto> {
    if (Object.keys(sentProperties(body)).length === 0) {
      throw ApiError.validation([{ type: 'missing_payload', message: 'The patch must contain at least one property.' }]);
    }
    return this.update(ctx, pathCode, body, 'merge');
  }

  /**
   * Read, merge or replace, validate, then write guarded by the version that was read (§6.5
   * atomicity). Only a concurrent update is a lost race: it is retried, or answers 409 when the
   * client supplied a version. Concurrent redemptions never make an update fail (§6.5 decision);
   * the §4.5 rules that depend on the redemption count are conditions of the write itself.
   */
  private async update(ctx: RequestContext, pathCode: string, body: PatchCouponDto, mode: 'replace' | 'merge'): Promise<CouponResponseDto> {
    const expected = expectedVersionOf(body);
    const { caseSensitiveCodes } = await this.settings.get(ctx.tenant);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      const coupon = await this.lookup.findActive(ctx, pathCode);
      if (expected !== undefined && coupon.metadata.version !== expected)
        throw ApiError.versionConflict(coupon.code, expected, coupon.metadata.version);
      const fields = this.nextFields(coupon, body, mode, caseSensitiveCodes);
      const now = new Date();
      const guard = {
        version: coupon.metadata.version,
        maxRedemptions: coupon.maxRedemptions,
        requireUnredeemed: coupon.redemptionCount === 0 && changesFrozenFields(coupon, fields),
      };
      const updated = await this.coupons.updateFields(ctx.tenant, coupon.code, guard, fields, now);
      if (updated) {
        const view = toManagerView(updated, now);
        await this.events.emit(ctx, {
          type: EVENT_TYPES.coupon.updated,
          subject: updated.code,
          version: updated.metadata.version,
          time: now,
          data: view,
        });
        return view;
      }
    }
    const latest = await this.lookup.findActive(ctx, pathCode);
    throw new ApiError('version_conflict', 'The coupon is being changed by other requests at the same time; please retry.', {
      resourceId: latest.code,
      details: [
        {
          field: 'metadata.version',
          type: 'version_mismatch',
          message: `the stored version moved on to ${latest.metadata.version} while this update was retried`,
        },
      ],
    });
  }

  /**
   * The fields after this write, with every §4 rule checked on the document it produces (the body
   * of a full replacement, or the stored coupon with the patch merged in) and the rules that need
   * the stored coupon (§4.4, §4.5); all problems are reported in one 400 (ERR-6).
   */
  private nextFields(coupon: Coupon, body: PatchCouponDto, mode: 'replace' | 'merge', caseSensitive: boolean): CouponFields {
    const details: ErrorDetail[] = [];
    if (body.code !== undefined && body.code !== null) {
      if (typeof body.code !== 'string' || normalizeCode(body.code, caseSensitive) !== coupon.code) {
        details.push({ field: 'code', type: 'immutable_field', message: 'code cannot be changed' });
      }
    }
    let document: { value: ReplaceCouponDto | CouponDocumentDto; details: ErrorDetail[] };
    let sentIssuedTo: unknown;
    if (mode === 'replace') {
      document = validateDto(ReplaceCouponDto, body);
      sentIssuedTo = body.issuedTo;
    } else {
      for (const required of ['name', 'discountType'] as const) {
        if (body[required] === null) details.push({ field: required, type: 'missing_value', message: `${required} cannot be removed` });
      }
      const patch = sentProperties(body);
      for (const k of READ_ONLY_FIELDS) delete patch[k];
      const md = patch.metadata;
      if (isPlainObject(md)) {
        // META-4: only metadata.mixins is written; version is a precondition, timestamps are ignored.
        patch.metadata = md.mixins === undefined ? {} : { mixins: md.mixins };
      } else delete patch.metadata;
      const merged = applyMergePatch(toWritableBody(coupon), patch);
      document = validateDto(CouponDocumentDto, merged);
      sentIssuedTo = merged.issuedTo;
    }
    details.push(...document.details);
    const fields = document.details.length ? undefined : toCouponFields(document.value);
    if (fields) {
      if (coupon.referralCoupon) {
        // §4.5: a referral coupon keeps its owner (a full replacement may omit it).
        const changed =
          mode === 'replace' ? sentIssuedTo !== undefined && sentIssuedTo !== coupon.issuedTo : sentIssuedTo !== coupon.issuedTo;
        if (changed) details.push({ field: 'issuedTo', type: 'immutable_field', message: 'the owner of a referral coupon cannot change' });
        fields.issuedTo = coupon.issuedTo;
      }
      if (coupon.redemptionCount > 0) {
        if (fields.discountType !== coupon.discountType) {
          details.push({
            field: 'discountType',
            type: 'immutable_field',
            message: 'discountType cannot change once the coupon has been redeemed',
          });
        } else if (changesFrozenFields(coupon, fields)) {
          details.push({
            field: 'discountAbsolute.currency',
            type: 'immutable_field',
            message: 'the currency cannot change once the coupon has been redeemed',
          });
        }
        if (fields.maxRedemptions !== -1 && fields.maxRedemptions < coupon.redemptionCount) {
          details.push({
            field: 'maxRedemptions',
            type: 'invalid_value',
            message: `maxRedemptions cannot be lower than the current redemptionCount of ${coupon.redemptionCount}`,
          });
        }
      }
    }
    if (details.length || !fields) throw invalidCoupon(details);
    return fields;
  }

  /** Operation 6 (§6.6): soft delete by default; permanent delete removes records and counters first. */
  async remove(ctx: RequestContext, pathCode: string): Promise<Outcome<never>> {
    const coupon = await this.lookup.findActive(ctx, pathCode);
    const { permanentDelete } = await this.settings.get(ctx.tenant);
    const now = new Date();
    let deleted: Coupon;
    if (permanentDelete) {
      // Children first: an interruption leaves the coupon in place with counters too high (never
      // too low, §9.4), and repeating the DELETE finishes the job.
      await this.removeRedemptions(ctx, coupon.code);
      await this.usage.removeAllForCode(ctx.tenant, coupon.code);
      await this.reservations.removeAllForCode(ctx.tenant, coupon.code);
      if (!(await this.coupons.remove(ctx.tenant, coupon.code))) throw couponNotFound(pathCode);
      deleted = { ...coupon, deleted: true, deletedAt: now };
    } else {
      const soft = await this.coupons.softDelete(ctx.tenant, coupon.code, now);
      if (!soft) throw couponNotFound(pathCode);
      deleted = soft;
    }
    await this.events.emit(ctx, {
      type: EVENT_TYPES.coupon.deleted,
      subject: coupon.code,
      version: coupon.metadata.version,
      time: now,
      data: toManagerView(deleted, now),
    });
    return Outcome.noContent();
  }

  /** EVT-6: a cascading delete emits the children's deletion events first, one per removed record. */
  private async removeRedemptions(ctx: RequestContext, code: string): Promise<void> {
    for (;;) {
      const batch = await this.redemptions.takeBatchForCode(ctx.tenant, code, REDEMPTION_DELETE_BATCH);
      const time = new Date();
      await this.events.emit(
        ctx,
        ...batch.map((r) => ({ type: EVENT_TYPES.coupon.redemptionDeleted, subject: r.id, version: 1, time, data: toRedemptionView(r) })),
      );
      if (batch.length < REDEMPTION_DELETE_BATCH) return;
    }
  }
}

/** §4.5: a change that is forbidden once the coupon has redemptions (type, or the ABSOLUTE currency). */
function changesFrozenFields(coupon: Coupon, fields: CouponFields): boolean {
  if (fields.discountType !== coupon.discountType) return true;
  return fields.discountType === 'ABSOLUTE' && fields.discountAbsolute?.currency !== coupon.discountAbsolute?.currency;
}

/** A short, growing, jittered wait between update attempts, so racing writers stop colliding. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10) * 2));
}
