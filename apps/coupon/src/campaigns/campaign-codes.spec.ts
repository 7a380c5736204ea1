import { caseVariantsPattern, CodeDrawer, codeSpace, DEFAULT_ALPHABET } from './campaign-codes';
import { codePatternOf } from './dto/create-campaign.dto';

describe('campaign codes', () => {
  const pattern = { prefix: 'SPR-', suffix: '-X', length: 8, alphabet: DEFAULT_ALPHABET };

  it('draws distinct codes of the pattern, none of them known to be taken', () => {
    const taken = new Set(new CodeDrawer(pattern).draw(500, new Set()));
    const codes = new CodeDrawer(pattern).draw(5000, taken);
    expect(codes).toHaveLength(5000);
    expect(new Set(codes).size).toBe(5000);
    for (const code of codes) {
      expect(code).toMatch(/^SPR-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}-X$/);
      expect(taken.has(code)).toBe(false);
    }
  });

  it('uses every character of an alphabet whose size does not divide 256 evenly (rejection sampling, no bias)', () => {
    const alphabet = 'ABCDEFG'; // 256 % 7 = 4: a plain modulo would favour A-D
    const counts = new Map<string, number>();
    for (const code of new CodeDrawer({ prefix: '', suffix: '', length: 16, alphabet }).draw(4000, new Set())) {
      for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const expected = (4000 * 16) / 7;
    for (const c of alphabet) expect(Math.abs((counts.get(c) ?? 0) - expected) / expected).toBeLessThan(0.05);
  });

  it('returns fewer codes when the pattern has no others left', () => {
    const tiny = { prefix: '', suffix: '', length: 2, alphabet: 'AB' };
    const all = new CodeDrawer(tiny).draw(10, new Set());
    expect(all.sort()).toEqual(['AA', 'AB', 'BA', 'BB']);
    expect(new CodeDrawer(tiny).draw(3, new Set(['AA', 'AB', 'BA']))).toEqual(['BB']);
    expect(new CodeDrawer(tiny).draw(3, new Set(all))).toEqual([]);
  });

  it('matches, ignoring case, exactly the codes the pattern can make', () => {
    const re = new RegExp(caseVariantsPattern(pattern), 'i');
    expect(re.test('SPR-ABCDEFGH-X')).toBe(true);
    expect(re.test('spr-abcdefgh-x')).toBe(true);
    expect(re.test('SPR-ABCDEFG-X')).toBe(false);
    expect(re.test('XSPR-ABCDEFGH-X')).toBe(false);
    expect(re.test('SPR-ABCDEFG0-X')).toBe(false); // 0 is not in the alphabet
  });

  it('sizes the code space by distinct characters', () => {
    expect(codeSpace({ alphabet: 'AB', length: 6 })).toBe(64);
    expect(codeSpace({ alphabet: DEFAULT_ALPHABET, length: 16 })).toBeGreaterThan(1e24);
  });

  it('reads a code pattern: affixes upper-cased, the default alphabet, undefined while a field is invalid', () => {
    expect(codePatternOf({ prefix: 'spr-', length: 6 })).toEqual({ prefix: 'SPR-', suffix: '', length: 6, alphabet: DEFAULT_ALPHABET });
    expect(codePatternOf({ suffix: null, length: 16, alphabet: 'XY' })).toEqual({ prefix: '', suffix: '', length: 16, alphabet: 'XY' });
    for (const bad of [{ length: 5 }, { length: 6, alphabet: 'AA' }, { length: 6, prefix: 'a b' }, { length: '6' }, null, 'x']) {
      expect(codePatternOf(bad)).toBeUndefined();
    }
  });
});
