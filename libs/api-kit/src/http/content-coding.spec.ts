import { acceptsGzip, matchesIfNoneMatch } from './content-coding';

describe('acceptsGzip (RFC 9110 §12.5.3)', () => {
  it.each([
    ['gzip', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['*', true],
    ['deflate, *;q=0.5', true],
    ['gzip;q=0.5, identity;q=0.5', true],
    [['br', 'gzip'], true],
    [undefined, false],
    ['', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['gzip;q=0.5, identity', false],
    ['*;q=0.3, identity;q=0.9', false],
    ['gzip;q=2', false],
    ['gzip;q=abc', false],
    ['x'.repeat(2000) + ', gzip', false],
  ])('%j → %s', (header, expected) => {
    expect(acceptsGzip(header as string | string[] | undefined)).toBe(expected);
  });
});

describe('matchesIfNoneMatch (RFC 9110 §13.1.2, weak comparison)', () => {
  const tag = 'W/"3f9a"';
  it.each([
    ['W/"3f9a"', true],
    ['"3f9a"', true],
    [' W/"x" , W/"3f9a" ', true],
    [['"x"', 'W/"3f9a"'], true],
    ['*', true],
    ['W/"3f9A"', false],
    ['3f9a', false],
    ['W/"x"', false],
    ['', false],
    [undefined, false],
    // Longer than any list of tags a client holds: read as nothing, so the full answer is sent.
    ['"y", '.repeat(1000) + 'W/"3f9a"', false],
  ])('%j → %s', (header, expected) => {
    expect(matchesIfNoneMatch(header as string | string[] | undefined, tag)).toBe(expected);
  });
});
