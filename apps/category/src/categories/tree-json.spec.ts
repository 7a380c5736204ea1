import * as zlib from 'node:zlib';
import { gunzipSync } from 'node:zlib';
import type { RenderContext } from '../common/list-request';
import { toTreeNode } from './category.mapper';
import type { CategoryRecord } from './category.types';
import { buildTree, Hierarchy } from './hierarchy';
import { branchesJson } from './tree-branches';
import { crc32Combine, forestGzip, gzipStats } from './tree-gzip';
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

  it('remembers visible subtrees, and says whether anything below is hidden', () => {
    const h = new Hierarchy(randomRecords(300, 5));
    for (const id of [...h.byId.keys()].slice(0, 60)) {
      for (const publishedOnly of [true, false]) {
        const sub = h.visibleSubtree(id, publishedOnly);
        expect(sub.ids).toEqual(h.descendants(id, publishedOnly).map((d) => d._id));
        expect(sub.whole).toBe(h.descendants(id, false).length === sub.ids.length);
        expect(h.visibleSubtree(id, publishedOnly)).toBe(sub);
      }
    }
    const next = h.withChanges([], [h.roots[0]._id]);
    expect(next.visibleSubtree(h.roots[0]._id, false).ids).toEqual([]);
  });

  it('ignores the removal of an id it does not hold', () => {
    const h = new Hierarchy(randomRecords(20, 3));
    expect(shape(h.withChanges([], ['nope']))).toEqual(shape(h));
  });
});

/** The forest of `expected`, cut down to the listed ids, their subtrees and their ancestors (customer-segment §8.3's keep). */
function expectedBranches(h: Hierarchy, ids: readonly string[], publishedOnly: boolean, render: RenderContext): string {
  const listed = new Set(ids);
  type Node = { id: string; subcategories: Node[] };
  const keep = (n: Node, inherited: boolean): Node | undefined => {
    const mine = inherited || listed.has(n.id);
    const children = n.subcategories.map((c) => keep(c, mine)).filter((c): c is Node => c !== undefined);
    if (!mine && children.length === 0) return undefined;
    return { ...n, subcategories: mine ? n.subcategories : children };
  };
  const forest = JSON.parse(expected(h, publishedOnly, render)) as Node[];
  return JSON.stringify(forest.map((r) => keep(r, false)).filter(Boolean));
}

describe('forestGzip', () => {
  const SMALL = { bigSubtree: 256, chunkText: 512 };

  it('is a valid gzip member of exactly the forest JSON, whole or for some roots, cached or not', () => {
    for (const seed of [1, 2]) {
      const h = new Hierarchy(randomRecords(400, seed));
      for (const render of RENDERS) {
        for (const publishedOnly of [true, false]) {
          const roots = h.roots.filter((r) => !publishedOnly || r.published);
          const want = expected(h, publishedOnly, render);
          for (let i = 0; i < 2; i++) {
            expect(gunzipSync(forestGzip(h, roots, publishedOnly, render, true, SMALL)).toString('utf8')).toBe(want);
          }
          expect(gunzipSync(forestGzip(h, roots, publishedOnly, render, false)).toString('utf8')).toBe(want);
          const some = roots.filter((_, i) => i % 2 === 1);
          expect(gunzipSync(forestGzip(h, some, publishedOnly, render, false, SMALL)).toString('utf8')).toBe(
            JSON.stringify(JSON.parse(want).filter((_: unknown, i: number) => i % 2 === 1)),
          );
        }
      }
    }
    expect(gunzipSync(forestGzip(new Hierarchy([]), [], true, RENDERS[0], true)).toString()).toBe('[]');
  });

  it('after a small write compresses only the pieces on the changed path, and stays exact through random edits', () => {
    const rand = rng(5);
    let h = new Hierarchy(randomRecords(600, 11));
    const render = RENDERS[0];
    const whole = (x: Hierarchy) => forestGzip(x, x.roots, false, render, true, SMALL);
    let before = gzipStats.compressedBytes;
    const compressed = () => gzipStats.compressedBytes - before;
    whole(h);
    const full = compressed();
    // Every byte once (identical small runs, such as the tails between two big children, share a piece).
    expect(full).toBeLessThanOrEqual(Buffer.byteLength(expected(h, false, render)));
    expect(full).toBeGreaterThan(0.95 * Buffer.byteLength(expected(h, false, render)));
    before = gzipStats.compressedBytes;
    whole(h);
    expect(compressed()).toBe(0);
    for (let step = 0; step < 20; step++) {
      const ids = [...h.byId.keys()].filter((id) => h.childrenOf(id).length === 0);
      const leaf = h.byId.get(ids[Math.floor(rand() * ids.length)])!;
      const next = h.withChanges([{ ...leaf, localizedName: { en: `renamed ${step}` } }], []);
      inheritTreeJson(h, next);
      before = gzipStats.compressedBytes;
      expect(gunzipSync(whole(next)).toString('utf8')).toBe(expected(next, false, render));
      // One leaf renamed: its chunk, plus the heads and tails around big children on its path.
      expect(compressed()).toBeLessThan(full / 8);
      h = next;
    }
  });

  it('combines CRC-32s like zlib computes them over the concatenation', () => {
    const rand = rng(3);
    for (let i = 0; i < 50; i++) {
      const a = Buffer.from(Array.from({ length: Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256)));
      const b = Buffer.from(Array.from({ length: i === 0 ? 0 : Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256)));
      expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(zlib.crc32(Buffer.concat([a, b])));
    }
  });
});

describe('branchesJson', () => {
  it('gives the visible trees holding a listed id, cut to the listed ids, their whole subtrees and their ancestors', () => {
    const rand = rng(17);
    for (const seed of [1, 2, 3]) {
      const h = new Hierarchy(randomRecords(400, seed));
      const all = [...h.byId.keys()];
      for (const render of RENDERS) {
        for (const publishedOnly of [true, false]) {
          for (let k = 0; k < 10; k++) {
            const ids = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => all[Math.floor(rand() * all.length)]);
            if (k % 3 === 0) ids.push('unknown', 'orphan', 'cyc1', ids[0]);
            expect(branchesJson(h, ids, publishedOnly, render)).toBe(expectedBranches(h, ids, publishedOnly, render));
          }
          expect(branchesJson(h, [], publishedOnly, render)).toBe('[]');
          const roots = h.roots.filter((r) => !publishedOnly || r.published);
          expect(
            branchesJson(
              h,
              roots.map((r) => r._id),
              publishedOnly,
              render,
            ),
          ).toBe(expected(h, publishedOnly, render));
        }
      }
    }
  });
});
