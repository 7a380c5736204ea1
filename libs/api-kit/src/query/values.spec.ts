import { findCatastrophicConstruct } from './regex-pattern';
import { parseIsoDate, parseJsonNumber } from './scalar-values';

describe('parseJsonNumber', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['-0', -0],
    ['12', 12],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['2.5e+1', 25],
    ['123456789012', 123456789012],
  ])('%s → %d', (text, n) => expect(parseJsonNumber(text)).toBe(n));
  it.each(['', '-', '01', '1.', '.1', '+1', '1e', '1e+', 'Infinity', 'NaN', '0x1', '1 ', ' 1', '1e999', '١'])('rejects %j', (text) => {
    expect(parseJsonNumber(text)).toBeUndefined();
  });
});

describe('parseIsoDate', () => {
  it.each<[string, string]>([
    ['2024-01-31', '2024-01-31T00:00:00.000Z'],
    ['2024-02-29T12:00Z', '2024-02-29T12:00:00.000Z'],
    ['2024-06-01T08:30:00.5+02:00', '2024-06-01T06:30:00.500Z'],
    ['2000-01-01T00:00:00.123456789Z', '2000-01-01T00:00:00.123Z'],
    ['1999-12-31T23:59:59-23:59', '2000-01-01T23:58:59.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => expect(parseIsoDate(text)?.toISOString()).toBe(iso));
  it.each([
    '2023-02-29',
    '2024-04-31',
    '2024-00-10',
    '2024-01-00',
    '2024-01-01T',
    '2024-01-01T12Z',
    '2024-01-01T12:00',
    '2024-01-01T12:00:00.Z',
    '2024-01-01T12:00:00.1234567890Z',
    '2024-01-01T12:00+24:00',
    '2024-01-01T12:00+01',
    '24-01-01',
    '2024/01/01',
    '2024-01-01Z',
    '+002024-01-01',
  ])('rejects %j', (text) => expect(parseIsoDate(text)).toBeUndefined());
});

describe('findCatastrophicConstruct', () => {
  it.each(['(a+)+', '(a*)*', '(a|b)*', '(?:x+y)+', '(a{1,3}){2,}', '((a)+)*', '(?<n>a+)+', '([ab]+c?)*'])('flags %s', (p) => {
    expect(findCatastrophicConstruct(p)).toBeDefined();
  });
  it.each(['a+b*', '(ab)+', '(a+)?', '(a|b)', '[(+]+', '\\(a+\\)+', '(a){2}', '(a+){1}', '(a+)b+', 'x(?=a+)'])('accepts %s', (p) => {
    expect(findCatastrophicConstruct(p)).toBeUndefined();
  });
});
