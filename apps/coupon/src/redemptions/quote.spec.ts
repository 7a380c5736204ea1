import type { Coupon } from '../coupons/coupon.types';
import { Cart, cartBase, currencyDigits, isKnownCurrency, lineQualifies, quoteOnCart, quoteOnOrder } from './quote';
import { toNumber } from '../common/money';
import { plausibleDiscount } from './redeemability';

type Quoted = Parameters<typeof quoteOnOrder>[0];

function coupon(overrides: Partial<Coupon> = {}): Quoted {
  return {
    discountType: 'ABSOLUTE',
    discountAbsolute: { amount: 10, currency: 'EUR' },
    discountCalculationType: 'SUBTOTAL',
    categoryRestricted: false,
    restrictions: { validFor: [], includedCategories: [], excludedCategories: [], segments: [] },
    ...overrides,
  };
}
const percent = (discountPercentage: number, overrides: Partial<Coupon> = {}) =>
  coupon({ discountType: 'PERCENT', discountPercentage, discountAbsolute: undefined, ...overrides });
const money = (amount: number, currency = 'EUR') => ({ amount, currency });
const line = (productId: string, price: number, quantity = 1, categoryIds: string[] = [], currency = 'EUR') => ({
  productId,
  categoryIds,
  quantity,
  price: money(price, currency),
});

describe('currencies (ISO 4217 from the platform)', () => {
  it('knows the minor units and which codes exist', () => {
    expect([currencyDigits('JPY'), currencyDigits('EUR'), currencyDigits('BHD'), currencyDigits('KWD')]).toEqual([0, 2, 3, 3]);
    expect(isKnownCurrency('EUR')).toBe(true);
    expect(isKnownCurrency('QQQ')).toBe(false);
    expect(isKnownCurrency('eur')).toBe(false);
    expect(() => currencyDigits('QQQ')).toThrow(RangeError);
  });
});

describe('quoteOnOrder (§9.1 on the order total, validation)', () => {
  it('ABSOLUTE: min(amount, total); another currency grants nothing (no FX)', () => {
    expect(quoteOnOrder(coupon(), money(50))).toEqual({ discount: money(10), freeShipping: false });
    expect(quoteOnOrder(coupon(), money(7.5))).toEqual({ discount: money(7.5), freeShipping: false });
    expect(quoteOnOrder(coupon(), money(50, 'USD'))).toEqual({ discount: money(0, 'USD'), freeShipping: false });
  });

  it('PERCENT: total × percentage / 100, rounded half-up to the minor unit of the currency', () => {
    expect(quoteOnOrder(percent(10), money(99.95)).discount).toEqual(money(10)); // 9.995 → 10.00
    expect(quoteOnOrder(percent(10), money(99.94)).discount).toEqual(money(9.99)); // 9.994 → 9.99
    expect(quoteOnOrder(percent(10), money(1234, 'JPY')).discount).toEqual(money(123, 'JPY')); // 123.4 → 123
    expect(quoteOnOrder(percent(10), money(1239.9, 'JPY')).discount).toEqual(money(124, 'JPY')); // 123.99 → 124 (within R11's 0.01)
    expect(quoteOnOrder(percent(12.5), money(10.005, 'BHD')).discount).toEqual(money(1.251, 'BHD')); // 1.250625 → 1.251
    expect(quoteOnOrder(percent(33.33), money(1.5, 'KWD')).discount).toEqual(money(0.5, 'KWD')); // 0.49995 → 0.500
    expect(quoteOnOrder(percent(100), money(0.1 + 0.2)).discount).toEqual(money(0.3));
    expect(quoteOnOrder(percent(0), money(80)).discount).toEqual(money(0));
  });

  it('FREE_SHIPPING: a flag with amount 0', () => {
    expect(quoteOnOrder(coupon({ discountType: 'FREE_SHIPPING' }), money(50))).toEqual({ discount: money(0), freeShipping: true });
  });

  it('never quotes more than R11 accepts as a claim: half-up rounding beyond its 0.01 tolerance is rounded down instead', () => {
    // 149.85 JPY rounds half-up to 150, which R11 would refuse (149.85 + 0.01): the quote is 149.
    expect(quoteOnOrder(percent(15), money(999, 'JPY')).discount).toEqual(money(149, 'JPY'));
    expect(quoteOnOrder(percent(15), money(990, 'JPY')).discount).toEqual(money(148, 'JPY')); // 148.5
    expect(quoteOnOrder(coupon({ discountAbsolute: money(100.5, 'JPY') }), money(1000, 'JPY')).discount).toEqual(money(100, 'JPY'));
    // Within the tolerance half-up stands: 10.005 EUR of an ABSOLUTE coupon is 10.01 (R11 accepts up to 10.015).
    expect(quoteOnOrder(coupon({ discountAbsolute: money(10.005) }), money(50)).discount).toEqual(money(10.01));
    expect(quoteOnOrder(coupon({ discountAbsolute: money(10.005) }), money(10.005)).discount).toEqual(money(10));
  });
});

describe('quoteOnCart (§9.1 base on the lines, §11 categories)', () => {
  const cart: Cart = {
    total: money(130), // 120 of lines, 10 of shipping
    items: [line('P1', 25, 2, ['shoes']), line('P2', 70, 1, ['bags', 'sale'])],
  };

  it('SUBTOTAL counts the lines, TOTAL the order total', () => {
    expect(toNumber(cartBase(percent(10), cart))).toBe(120);
    expect(toNumber(cartBase(percent(10, { discountCalculationType: 'TOTAL' }), cart))).toBe(130);
    expect(quoteOnCart(percent(10), cart).discount).toEqual(money(12));
    expect(quoteOnCart(percent(10, { discountCalculationType: 'TOTAL' }), cart).discount).toEqual(money(13));
  });

  it('a category-restricted coupon counts only lines in an included and in no excluded category', () => {
    const shoes = {
      categoryRestricted: true,
      restrictions: { ...coupon().restrictions, includedCategories: ['shoes', 'bags'], excludedCategories: ['sale'] },
    };
    expect(lineQualifies(shoes, cart.items[0])).toBe(true);
    expect(lineQualifies(shoes, cart.items[1])).toBe(false);
    expect(lineQualifies(coupon(), cart.items[1])).toBe(true);
    expect(quoteOnCart(percent(10, shoes), cart).discount).toEqual(money(5));
    expect(quoteOnCart(percent(10, { ...shoes, discountCalculationType: 'TOTAL' }), cart).discount).toEqual(money(5));
    expect(quoteOnCart(coupon({ ...shoes, discountAbsolute: money(80) }), cart).discount).toEqual(money(50));
    const none = { ...shoes, restrictions: { ...shoes.restrictions, includedCategories: ['toys'] } };
    expect(quoteOnCart(percent(10, none), cart).discount).toEqual(money(0));
  });

  it('caps at the order total even when the lines are worth more (other discounts already applied)', () => {
    const discounted: Cart = { total: money(8), items: [line('P1', 25, 2)] };
    expect(quoteOnCart(coupon(), discounted).discount).toEqual(money(8));
    // 50 % of the lines (25) is more than R11 accepts on an order total of 8 (4 + 0.01): 4.
    expect(quoteOnCart(percent(50), discounted).discount).toEqual(money(4));
  });

  it('multiplies unit prices by quantities exactly', () => {
    const cents: Cart = { total: money(100), items: [line('P1', 0.1, 3), line('P2', 0.2, 1)] };
    expect(toNumber(cartBase(percent(10), cents))).toBe(0.5);
    expect(quoteOnCart(percent(50), cents).discount).toEqual(money(0.25));
  });
});

describe('a quote is always a claim R11 accepts, and never more than the order total', () => {
  it('holds over a sweep of totals, percentages, amounts and currencies', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 3000; i++) {
      const currency = ['EUR', 'JPY', 'BHD', 'KWD', 'ISK'][i % 5];
      const digits = i % 3 === 0 ? 0 : 3;
      const total = money(Number((next() * 5000).toFixed(digits)), currency);
      const candidates = [
        percent(Number((next() * 100).toFixed(i % 4))),
        coupon({ discountAbsolute: money(Number((next() * 3000).toFixed(i % 4)), currency) }),
        coupon({ discountType: 'FREE_SHIPPING' }),
      ];
      for (const c of candidates) {
        const { discount } = quoteOnOrder(c, total);
        expect(plausibleDiscount(c, total, discount)).toBe(true);
        expect(discount.amount).toBeLessThanOrEqual(total.amount);
        expect(discount.amount).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
