import { EVENT_TYPES } from '@suite/api-kit';
import { catalogEvent, catalogType, EVENT_CATALOG, isCatalogType } from './event-catalog';

const ALL = [...Object.values(EVENT_TYPES.customerSegment), ...Object.values(EVENT_TYPES.category), ...Object.values(EVENT_TYPES.coupon)];

describe('event catalog', () => {
  it('has every event type of the suite exactly once, in EVENT_TYPES order', () => {
    expect(EVENT_CATALOG.map((e) => e.type)).toEqual(ALL);
  });

  it('describes each event in English and German, with a schema of its top-level data fields', () => {
    for (const e of EVENT_CATALOG) {
      for (const map of [e.name, e.group, e.description]) {
        expect(Object.keys(map)).toEqual(['en', 'de']);
        expect(map.en.trim()).not.toBe('');
        expect(map.de.trim()).not.toBe('');
      }
      expect(Object.keys(e.eventSchema).length).toBeGreaterThan(0);
      for (const [field, type] of Object.entries(e.eventSchema)) {
        expect(field).toMatch(/^[a-zA-Z]+$/);
        expect(['String', 'Number', 'Boolean', 'Map', 'Object', 'Array']).toContain(type);
      }
    }
    expect(new Set(EVENT_CATALOG.map((e) => e.name.en)).size).toBe(EVENT_CATALOG.length);
  });

  it('finds types case-insensitively and gives the canonical lower-case type', () => {
    expect(catalogType('CATEGORY.CREATED')).toBe('category.created');
    expect(catalogType('Customer-Segment.Segment-Created')).toBe('customer-segment.segment-created');
    expect(isCatalogType('coupon.redemption-rolled-back')).toBe(true);
    for (const other of ['product.created', 'category', '', ' category.created', 'category.created ', 42, null, undefined]) {
      expect(catalogType(other)).toBeUndefined();
      expect(isCatalogType(other)).toBe(false);
    }
    expect(catalogEvent('COUPON.DELETED')?.type).toBe('coupon.deleted');
  });

  it('is frozen: no caller can change what every tenant sees', () => {
    expect(Object.isFrozen(EVENT_CATALOG)).toBe(true);
    expect(Object.isFrozen(EVENT_CATALOG[0].eventSchema)).toBe(true);
  });
});
