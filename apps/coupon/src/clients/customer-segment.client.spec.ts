import { effectivelyActive } from './customer-segment.client';

describe('effectivelyActive (customer-segment §2.1)', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');
  it('needs ACTIVE and a window containing now, both bounds inclusive', () => {
    expect(effectivelyActive({ id: 's', status: 'ACTIVE' }, now)).toBe(true);
    expect(effectivelyActive({ id: 's', status: 'INACTIVE' }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'active' }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: now.toISOString(), to: now.toISOString() } }, now)).toBe(true);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: '2025-06-01T12:00:00.001Z' } }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { to: '2025-06-01T11:59:59.999Z' } }, now)).toBe(false);
    expect(effectivelyActive({ id: 's', status: 'ACTIVE', validity: { from: '2025-06-01T14:00:00+02:00' } }, now)).toBe(true);
  });
});
