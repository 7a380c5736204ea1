import type { RenderContext } from '../common/list-request';
import { toTreeNode } from './category.mapper';
import type { CategoryRecord } from './category.types';
import { buildTree, Hierarchy } from './hierarchy';
import { forestBytes, forestJson, inheritTreeJson } from './tree-json';

/** A deterministic pseudo-random source, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NASTY = ['plain', 'quote " inside', '"subcategories":[]', 'ümlaut \\ back', 'emoji 🌲', '</script>'];

function record(id: string, parentId: string | undefined, rand: () => number, i: number): CategoryRecord {
  const r: CategoryRecord = {
    _id: id,
    type: rand() < 0.2 ? 'CLASSIFICATION' : 'STANDARD',
    ancestorIds: [],
    depth: 0,
    localizedName: { en: `${NASTY[i % NASTY.length]} ${id}`, de: `de ${id}` },
    position: Math.floor(rand() * 4),
    published: rand() < 0.8,
    mixins: {},
    metadata: {
      version: 1,
      createdAt: new Date(1_700_000_000_000 + Math.floor(rand() * 5) * 1000),
      modifiedAt: new Date(1_700_000_000_000),
    } as never,
  };
  if (parentId !== undefined) r.parentId = parentId;
  if (rand() < 0.3) r.code = `CODE-${id}`;
  if (rand() < 0.3) r.localizedDescription = { en: NASTY[(i + 1) % NASTY.length] };
  if (rand() < 0.2) r.localizedSlug = { en: `slug-${id}`, fr: `fr-${id}` };
  if (rand() < 0.2) r.ecn = [`E${i}`];
  if (rand() < 0.2) r.validity = { from: new Date('2030-01-01T00:00:00Z') };
  return r;
}

function randomRecords(n: number, seed: number): CategoryRecord[] {
  const rand = rng(seed);
  const out: CategoryRecord[] = [];
  for (let i = 0; i < n; i++) {
    const parent = i < 3 || rand() < 0.05 ? undefined : out[Math.floor(rand() * out.length)]._id;
    out.push(record(`n${i}`, parent, rand, i));
  }
  // An orphan (parent gone) and a parentId cycle unreachable from any root: never shown.
  out.push(record('orphan', 'gone', rand, 1));
  out.push(record('cyc1', 'cyc2', rand, 2), record('cyc2', 'cyc1', rand, 3));
  return out;
}

const RENDERS: RenderContext[] = [
  { selection: null, tenantLanguages: ['en', 'de', 'fr'] },
  { selection: ['de'], tenantLanguages: ['en', 'de', 'fr'] },
];

function expected(h: Hierarchy, publishedOnly: boolean, render: RenderContext): string {
  const roots = h.roots.filter((r) => !publishedOnly || r.published);
  return JSON.stringify(roots.map((root) => buildTree(h, root, publishedOnly, (r) => toTreeNode(r, render))));
}

describe('forestJson', () => {
  it('gives byte for byte the JSON.stringify of the built forest, in both visibility modes and per language selection', () => {
    for (const seed of [1, 2, 3]) {
      const h = new Hierarchy(randomRecords(400, seed));
      for (const render of RENDERS) {
        for (const publishedOnly of [true, false]) {
          const roots = h.roots.filter((r) => !publishedOnly || r.published);
          // Twice: the second answer comes from cached fragments. Bytes with assembly from
          // children's bytes from 256 characters on (so most inner nodes take that path).
          const want = expected(h, publishedOnly, render);
          expect(forestJson(h, roots, publishedOnly, render)).toBe(want);
          expect(forestJson(h, roots, publishedOnly, render)).toBe(want);
          expect(forestBytes(h, roots, publishedOnly, render, 256).toString('utf8')).toBe(want);
          expect(forestBytes(h, roots, publishedOnly, render, 256).equals(Buffer.from(want))).toBe(true);
        }
      }
    }
  });

  it('answers [] for no roots and renders a lone node with its empty subcategories', () => {
    const h = new Hierarchy([record('solo', undefined, rng(9), 0)]);
    expect(forestJson(h, [], true, RENDERS[0])).toBe('[]');
    expect(JSON.parse(forestJson(h, h.roots, false, RENDERS[0]))).toEqual([expect.objectContaining({ id: 'solo', subcategories: [] })]);
  });
});

/** Everything a reader can observe of a hierarchy. */
function shape(h: Hierarchy) {
  const ids = [...h.byId.keys()].sort();
  return {
    ids,
    records: ids.map((id) => h.byId.get(id)),
    roots: h.roots.map((r) => r._id),
    children: Object.fromEntries(ids.map((id) => [id, h.childrenOf(id).map((c) => c._id)])),
    gone: h.childrenOf('gone').map((c) => c._id),
    descendants: h.roots.map((r) => h.descendants(r._id, true).map((d) => d._id)),
  };
}

describe('Hierarchy.withChanges', () => {
  it(
    'equals a hierarchy built from scratch after random edits, moves, inserts ' +
      'and deletes (its inherited tree JSON too), leaving the base untouched',
    () => {
      const rand = rng(42);
      let records = randomRecords(300, 7);
      let h = new Hierarchy(records);
      for (let step = 0; step < 60; step++) {
        const before = shape(h);
        const byId = new Map(records.map((r) => [r._id, r]));
        const changed: CategoryRecord[] = [];
        const removed: string[] = [];
        for (let k = 0; k < 1 + Math.floor(rand() * 5); k++) {
          const ids = [...byId.keys()];
          const pick = ids[Math.floor(rand() * ids.length)];
          const roll = rand();
          if (roll < 0.25) {
            byId.delete(pick);
            removed.push(pick);
          } else if (roll < 0.5) {
            const id = `new${step}-${k}`;
            const r = record(id, rand() < 0.2 ? undefined : ids[Math.floor(rand() * ids.length)], rand, step + k);
            byId.set(id, r);
            changed.push(r);
          } else {
            // A new version of the record (new object): moved, reordered or republished.
            const old = byId.get(pick)!;
            const next: CategoryRecord = { ...old, position: Math.floor(rand() * 4), published: rand() < 0.7 };
            if (roll < 0.75) {
              const parent = ids[Math.floor(rand() * ids.length)];
              if (rand() < 0.2) delete next.parentId;
              else next.parentId = parent;
            }
            byId.set(pick, next);
            changed.push(next);
          }
        }
        // An id changed several times in a step counts once, with its final state.
        const finalChanged = [...new Map(changed.filter((r) => byId.get(r._id) === r).map((r) => [r._id, r])).values()];
        const finalRemoved = removed.filter((id) => !byId.has(id));
        // Rendered subtrees of the base, handed on: only the dirty paths may be rendered anew.
        const roots = (x: Hierarchy, publishedOnly: boolean) => x.roots.filter((r) => !publishedOnly || r.published);
        const render = RENDERS[step % 2];
        for (const publishedOnly of [true, false]) {
          forestJson(h, roots(h, publishedOnly), publishedOnly, render);
          if (step % 3 === 0) forestBytes(h, roots(h, publishedOnly), publishedOnly, render, 256);
        }
        const next = h.withChanges(finalChanged, finalRemoved);
        inheritTreeJson(h, next);
        for (const publishedOnly of [true, false]) {
          const want = expected(next, publishedOnly, render);
          expect(forestBytes(next, roots(next, publishedOnly), publishedOnly, render, 256).toString('utf8')).toBe(want);
          expect(forestJson(next, roots(next, publishedOnly), publishedOnly, render)).toBe(want);
        }
        expect(shape(h)).toEqual(before);
        records = [...byId.values()];
        expect(shape(next)).toEqual(shape(new Hierarchy(records)));
        h = next;
      }
    },
  );

  it('ignores the removal of an id it does not hold', () => {
    const h = new Hierarchy(randomRecords(20, 3));
    expect(shape(h.withChanges([], ['nope']))).toEqual(shape(h));
  });
});
