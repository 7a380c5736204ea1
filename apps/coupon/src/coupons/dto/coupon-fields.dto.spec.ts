import { applyMergePatch, ErrorDetail, validateDto } from '@suite/api-kit';
import { toWritableBody } from '../coupon.mapper';
import type { Coupon } from '../coupon.types';
import { toCouponFields } from './coupon-fields.dto';
import { CouponDocumentDto } from './create-coupon.dto';
import { ReplaceCouponDto } from './replace-coupon.dto';

const base = { name: 'Ten off', discountAbsolute: { amount: 10 } };
const problems = (body: object, cls: typeof CouponDocumentDto | typeof ReplaceCouponDto = CouponDocumentDto) =>
  validateDto(cls, body)
    .details.map((d: ErrorDetail) => `${d.field}/${d.type}`)
    .sort();

describe('coupon §4 rules as DTO decorators', () => {
  it('judges cross-field rules X6 and X11 also when restrictions are absent or null', () => {
    expect(problems({ ...base, segmentRestricted: true })).toEqual(['restrictions.segments/missing_value']);
    expect(problems({ ...base, categoryRestricted: true, restrictions: null })).toEqual(['restrictions.includedCategories/missing_value']);
  });

  it('reports validFor once when it breaks X5 and X8 together', () => {
    const body = { ...base, allowAnonymous: true, segmentRestricted: true, restrictions: { validFor: ['C1'], segments: ['s'] } };
    const { details } = validateDto(CouponDocumentDto, body);
    expect(details.filter((d) => d.field === 'restrictions.validFor')).toEqual([
      { field: 'restrictions.validFor', type: 'conflicting_values', message: 'validFor must be empty when allowAnonymous is true' },
    ]);
    expect(problems(body)).toEqual(['allowAnonymous/conflicting_values', 'restrictions.validFor/conflicting_values']);
  });

  it('judges no conflict on values that failed their own rule', () => {
    // An invalid restrictions field suspends X5–X14; an invalid type counts as the default ABSOLUTE.
    expect(problems({ ...base, segmentRestricted: true, restrictions: { validFrom: 'soon' } })).toEqual([
      'restrictions.validFrom/invalid_format',
    ]);
    expect(problems({ name: 'X', discountType: 'HALF' })).toEqual(['discountAbsolute/missing_value', 'discountType/invalid_value']);
    expect(problems({ ...base, allowAnonymous: true, maxRedemptionsPerCustomer: 0 })).toEqual(['maxRedemptionsPerCustomer/invalid_value']);
  });

  it('lists item problems below the list, and mixin problems below mixins', () => {
    expect(problems({ ...base, restrictions: { validFor: ['ok', ''] }, mixins: { bad: 5 } })).toEqual([
      'mixins.bad/invalid_type',
      'restrictions.validFor[1]/invalid_value',
    ]);
  });

  it('requires discountType only for a full replacement', () => {
    expect(problems({ discountAbsolute: { amount: 1 } }, ReplaceCouponDto)).toEqual(['discountType/missing_value', 'name/missing_value']);
    expect(problems({ discountAbsolute: { amount: 1 } })).toEqual(['name/missing_value']);
  });

  it('applies the §3.1 defaults, trims the name and removes duplicate ids', () => {
    const { value, details } = validateDto(CouponDocumentDto, {
      name: ' Winter ',
      discountAbsolute: { amount: 10 },
      issuedTo: '',
      restrictions: { validFor: ['B', 'A', 'B'] },
    });
    expect(details).toEqual([]);
    expect(toCouponFields(value)).toEqual({
      name: 'Winter',
      discountType: 'ABSOLUTE',
      discountAbsolute: { amount: 10, currency: 'USD' },
      discountCalculationType: 'SUBTOTAL',
      allowAnonymous: false,
      maxRedemptions: -1,
      maxRedemptionsPerCustomer: -1,
      categoryRestricted: false,
      segmentRestricted: false,
      automatic: false,
      restrictions: { validFor: ['B', 'A'], includedCategories: [], excludedCategories: [], segments: [], excludedSegments: [] },
    });
  });

  it('validates a merge patch on the merged document (§6.5)', () => {
    const stored: Coupon = {
      code: 'SEG',
      ...toCouponFields(validateDto(CouponDocumentDto, { ...base, segmentRestricted: true, restrictions: { segments: ['s1'] } }).value),
      metadata: { version: 0, createdAt: new Date(), modifiedAt: new Date() },
      redemptionCount: 0,
      legalEntityCounts: {},
      referralCoupon: false,
      deleted: false,
      holds: [],
    };
    expect(problems(applyMergePatch(toWritableBody(stored), { segmentRestricted: false }))).toEqual([
      'restrictions.segments/conflicting_values',
    ]);
    expect(problems(applyMergePatch(toWritableBody(stored), { segmentRestricted: false, restrictions: { segments: null } }))).toEqual([]);
  });
});
