import { applyMergePatch, ErrorDetail, validateDto } from '@suite/api-kit';
import { toCustomerView, toManagerView, toReferralView, toWritableBody } from '../coupon.mapper';
import type { Coupon } from '../coupon.types';
import { toCouponFields } from './coupon-fields.dto';
import { CouponDocumentDto } from './create-coupon.dto';

const base = { name: 'Ten off', discountAbsolute: { amount: 10 } };
const problems = (body: object) =>
  validateDto(CouponDocumentDto, body)
    .details.map((d: ErrorDetail) => `${d.field}/${d.type}`)
    .sort();

function stored(body: object): Coupon {
  const { value, details } = validateDto(CouponDocumentDto, body);
  if (details.length) throw new Error(JSON.stringify(details));
  return {
    code: 'X',
    ...toCouponFields(value),
    metadata: { version: 0, createdAt: new Date(), modifiedAt: new Date() },
    redemptionCount: 0,
    legalEntityCounts: {},
    referralCoupon: false,
    deleted: false,
    holds: [],
  };
}

describe('suite extensions of the coupon fields: excludedSegments and automatic (README)', () => {
  it('stores excludedSegments without duplicates, alone or with segments, and automatic as a flag', () => {
    expect(problems({ ...base, restrictions: { excludedSegments: ['a', 'b', 'a'] } })).toEqual([]);
    expect(problems({ ...base, allowAnonymous: true, restrictions: { excludedSegments: ['a'] } })).toEqual([]);
    const both = {
      ...base,
      segmentRestricted: true,
      automatic: true,
      restrictions: { segments: ['vip'], excludedSegments: ['staff', 'staff'] },
    };
    expect(problems(both)).toEqual([]);
    const fields = toCouponFields(validateDto(CouponDocumentDto, both).value);
    expect(fields.automatic).toBe(true);
    expect(fields.restrictions.excludedSegments).toEqual(['staff']);
    expect(toCouponFields(validateDto(CouponDocumentDto, base).value)).toMatchObject({
      automatic: false,
      restrictions: { excludedSegments: [] },
    });
  });

  it('refuses a segment both required and excluded, more than 50 ids, bad ids and a non-boolean automatic', () => {
    expect(
      problems({ ...base, segmentRestricted: true, restrictions: { segments: ['vip', 'x'], excludedSegments: ['y', 'vip'] } }),
    ).toEqual(['restrictions.excludedSegments/conflicting_values']);
    const many = Array.from({ length: 51 }, (_, i) => `s${i}`);
    expect(problems({ ...base, restrictions: { excludedSegments: many } })).toEqual(['restrictions.excludedSegments/invalid_value']);
    expect(problems({ ...base, restrictions: { excludedSegments: [...many.slice(0, 50), 's0'] } })).toEqual([]);
    expect(problems({ ...base, restrictions: { excludedSegments: ['', 3] } })).toEqual([
      'restrictions.excludedSegments[0]/invalid_value',
      'restrictions.excludedSegments[1]/invalid_value',
    ]);
    expect(problems({ ...base, restrictions: { excludedSegments: 'vip' } })).toEqual(['restrictions.excludedSegments/invalid_value']);
    expect(problems({ ...base, automatic: 'yes' })).toEqual(['automatic/invalid_type']); // rendered invalid_value in the coupon profile
  });

  it('keeps both through a merge patch and renders excludedSegments to managers only', () => {
    const coupon = stored({ ...base, automatic: true, restrictions: { excludedSegments: ['staff'] } });
    const merged = applyMergePatch(toWritableBody(coupon), { name: 'Renamed' }) as Record<string, unknown>;
    expect(merged).toMatchObject({ automatic: true, restrictions: { excludedSegments: ['staff'] } });
    expect(problems(applyMergePatch(toWritableBody(coupon), { restrictions: { segments: ['staff'] }, segmentRestricted: true }))).toEqual([
      'restrictions.excludedSegments/conflicting_values',
    ]);
    const now = new Date();
    expect(toManagerView(coupon, now)).toMatchObject({ automatic: true, restrictions: { excludedSegments: ['staff'] } });
    const customerView = toCustomerView(coupon, now);
    expect(customerView.automatic).toBe(true);
    expect(customerView.restrictions.excludedSegments).toBeUndefined();
    expect(toReferralView(coupon, now)).not.toHaveProperty('automatic');
    // A coupon stored before the extension: no flag, no list.
    const { automatic: _a, ...legacy } = coupon;
    const old = { ...legacy, restrictions: { ...coupon.restrictions, excludedSegments: undefined } } as Coupon;
    expect(toManagerView(old, now)).toMatchObject({ automatic: false });
    expect(toManagerView(old, now).restrictions).not.toHaveProperty('excludedSegments');
  });
});
