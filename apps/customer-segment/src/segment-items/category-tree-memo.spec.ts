import { CategoryTreeNode } from '../clients/category.client';
import { pruneTrees } from './category-tree';
import { PrunedTreeMemo } from './category-tree-memo';

const n = (id: string, children: CategoryTreeNode[] = []): CategoryTreeNode => ({
  id,
  localizedName: { en: id, de: `${id}-de` },
  localizedSlug: { en: `${id}-slug` },
  validity: { from: '2030-01-01T00:00:00Z' },
  subcategories: children,
  published: true,
});

describe('PrunedTreeMemo', () => {
  const answer = () => [n('tools', [n('hammers', [n('sledge')]), n('saws')]), n('garden')];
  const text = (b: Buffer) => b.toString('utf8');

  it('is the JSON of pruneTrees, made once per decoded answer, assigned set and language selection', () => {
    const memo = new PrunedTreeMemo();
    const roots = answer();
    const first = memo.json(roots, ['hammers', 'garden'], null);
    expect(text(first)).toBe(JSON.stringify(pruneTrees(roots, new Set(['hammers', 'garden']), null)));
    // The same set in another order or with repeats is the same question.
    expect(memo.json(roots, ['garden', 'hammers', 'garden'], null)).toBe(first);
    const german = memo.json(roots, ['hammers', 'garden'], ['de']);
    expect(german).not.toBe(first);
    expect(text(german)).toBe(JSON.stringify(pruneTrees(roots, new Set(['hammers', 'garden']), ['de'])));
    expect(text(memo.json(roots, ['saws'], null))).toBe(JSON.stringify(pruneTrees(roots, new Set(['saws']), null)));
  });

  it('never hands a result to another answer, even an equal one (a new decoding is a new answer)', () => {
    const memo = new PrunedTreeMemo();
    const before = memo.json(answer(), ['hammers'], null);
    const changed = answer();
    (changed[0].subcategories[0].localizedName as Record<string, string>).en = 'Hammers v2';
    const after = memo.json(changed, ['hammers'], null);
    expect(after).not.toBe(before);
    expect(JSON.parse(text(after))[0].subcategories[0].name).toEqual({ en: 'Hammers v2', de: 'hammers-de' });
    expect(memo.json(answer(), ['hammers'], null)).not.toBe(before);
  });
});
