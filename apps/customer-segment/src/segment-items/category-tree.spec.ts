import { CategoryTreeNode } from '../clients/category.client';
import { pruneTrees } from './category-tree';

const n = (id: string, children: CategoryTreeNode[] = [], extra: Partial<CategoryTreeNode> = {}): CategoryTreeNode => ({
  id,
  localizedName: { en: id, de: `${id}-de` },
  subcategories: children,
  position: 0,
  published: true,
  ...extra,
});

describe('pruneTrees (segment §8.3, §8.4)', () => {
  const roots = [n('tools', [n('hammers', [n('sledge')]), n('saws')]), n('garden')];

  it('keeps ancestors (false), the assigned node and its subtree (true), drops the rest', () => {
    const out = pruneTrees(roots, new Set(['hammers']), null);
    expect(out).toEqual([
      {
        id: 'tools',
        code: '',
        name: { en: 'tools', de: 'tools-de' },
        position: 0,
        published: true,
        isSegmentAssigned: false,
        subcategories: [
          {
            id: 'hammers',
            parentId: 'tools',
            code: '',
            name: { en: 'hammers', de: 'hammers-de' },
            position: 0,
            published: true,
            isSegmentAssigned: true,
            subcategories: [
              {
                id: 'sledge',
                parentId: 'hammers',
                code: '',
                name: { en: 'sledge', de: 'sledge-de' },
                position: 0,
                published: true,
                isSegmentAssigned: true,
              },
            ],
          },
        ],
      },
    ]);
  });

  it('keeps sibling order, several assigned trees, and skips unknown ids; narrows maps', () => {
    const out = pruneTrees(roots, new Set(['saws', 'garden', 'hammers', 'gone']), ['de']);
    expect(out.map((r) => r.id)).toEqual(['tools', 'garden']);
    expect(out[0].subcategories!.map((c) => c.id)).toEqual(['hammers', 'saws']);
    expect(out[1]).toMatchObject({ name: { de: 'garden-de' }, isSegmentAssigned: true });
    expect(out[1].subcategories).toBeUndefined();
  });

  it('returns nothing when nothing is assigned', () => {
    expect(pruneTrees(roots, new Set(), null)).toEqual([]);
  });
});
