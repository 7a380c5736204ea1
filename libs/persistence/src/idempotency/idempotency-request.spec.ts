import { ApiError } from '@suite/api-kit';
import { canonicalJson, idempotencyKeyOf, idempotencyRecordId, principalKey, requestFingerprint } from './idempotency-request';

function problems(value: string | string[]): unknown {
  try {
    idempotencyKeyOf({ 'idempotency-key': value });
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return { code: (e as ApiError).errorCode, details: (e as ApiError).details.map((d) => [d.field, d.type]) };
  }
  return 'accepted';
}

describe('Idempotency-Key: the header', () => {
  it('is optional', () => {
    expect(idempotencyKeyOf({})).toBeUndefined();
  });

  it('takes 1 to 255 printable ASCII characters, spaces inside included', () => {
    expect(idempotencyKeyOf({ 'idempotency-key': 'k' })).toBe('k');
    expect(idempotencyKeyOf({ 'idempotency-key': 'a b~!"#$%&()*+,-./:;<=>?@[\\]^_`{|}' })).toBe('a b~!"#$%&()*+,-./:;<=>?@[\\]^_`{|}');
    expect(idempotencyKeyOf({ 'idempotency-key': 'x'.repeat(255) })).toHaveLength(255);
  });

  it('refuses an empty, too long, non-ASCII or control-character key with every problem in one 400 (ERR-6)', () => {
    const field = 'Idempotency-Key';
    expect(problems('')).toEqual({ code: 'validation_failed', details: [[field, 'missing_value']] });
    expect(problems('x'.repeat(256))).toEqual({ code: 'validation_failed', details: [[field, 'too_long']] });
    expect(problems('schlüssel')).toEqual({ code: 'validation_failed', details: [[field, 'invalid_format']] });
    expect(problems('a\tb')).toEqual({ code: 'validation_failed', details: [[field, 'invalid_format']] });
    expect(problems('é'.repeat(300))).toEqual({
      code: 'validation_failed',
      details: [
        [field, 'invalid_format'],
        [field, 'too_long'],
      ],
    });
    expect(problems(['a', 'b'])).toEqual({ code: 'validation_failed', details: [[field, 'invalid_value']] });
  });
});

describe('Idempotency-Key: whose key it is', () => {
  const customer = { tenant: 'acme', principalType: 'customer', subject: 'C1', customerId: 'C1' };

  it('is the principal type plus the claim that identifies the caller', () => {
    expect(principalKey(customer)).toBe('["customer","C1",null]');
    expect(principalKey({ ...customer, legalEntityId: 'LE-7' })).toBe('["customer","C1","LE-7"]');
    expect(principalKey({ tenant: 'acme', principalType: 'anonymous', subject: 'v1', visitId: 'v1' })).toBe('["anonymous","v1"]');
    expect(principalKey({ tenant: 'acme', principalType: 'service', subject: 'checkout', clientId: 'checkout' })).toBe(
      '["service","checkout"]',
    );
    expect(principalKey({ tenant: 'acme', principalType: 'employee', subject: 'u-1' })).toBe('["employee","u-1"]');
  });

  it('gives each (principal, key) its own record id, never the key in clear', () => {
    const id = idempotencyRecordId(customer, 'k1');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyRecordId(customer, 'k1')).toBe(id);
    expect(idempotencyRecordId(customer, 'k2')).not.toBe(id);
    expect(idempotencyRecordId({ ...customer, customerId: 'C2', subject: 'C2' }, 'k1')).not.toBe(id);
    expect(idempotencyRecordId({ ...customer, legalEntityId: 'LE-7' }, 'k1')).not.toBe(id);
    // The same subject as another principal type is another principal.
    expect(idempotencyRecordId({ tenant: 'acme', principalType: 'employee', subject: 'C1' }, 'k1')).not.toBe(id);
  });
});

describe('Idempotency-Key: what "the same request" means', () => {
  it('writes canonical JSON: keys sorted at every level, array order kept, undefined left out', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
    expect(canonicalJson([undefined, 'x'])).toBe('[null,"x"]');
    expect(canonicalJson(new Date('2025-01-01T00:00:00Z'))).toBe('"2025-01-01T00:00:00.000Z"');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('ignores key order but not values, method, path, query or array order', () => {
    const base = requestFingerprint('POST', '/coupon/acme/coupons/A/redemptions', {}, { a: 1, b: [1, 2] });
    expect(requestFingerprint('post', '/coupon/acme/coupons/A/redemptions', {}, { b: [1, 2], a: 1 })).toBe(base);
    expect(requestFingerprint('POST', '/coupon/acme/coupons/A/redemptions', {}, { a: 1, b: [2, 1] })).not.toBe(base);
    expect(requestFingerprint('POST', '/coupon/acme/coupons/A/redemptions', {}, { a: 2, b: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('PUT', '/coupon/acme/coupons/A/redemptions', {}, { a: 1, b: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/coupon/acme/coupons/B/redemptions', {}, { a: 1, b: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/coupon/acme/coupons/A/redemptions', { x: '1' }, { a: 1, b: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/p', {}, undefined)).toBe(requestFingerprint('POST', '/p', undefined, null));
    expect(requestFingerprint('POST', '/p', {}, {})).not.toBe(requestFingerprint('POST', '/p', {}, undefined));
  });
});
