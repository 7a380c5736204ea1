import { constants, crc32, deflateRawSync } from 'node:zlib';
import type { RenderContext } from '../common/list-request';
import type { CategoryRecord } from './category.types';
import type { Hierarchy } from './hierarchy';
import { FOREST_ID, SnapshotCaches } from './snapshot-caches';
import { BIG_SUBTREE, MAX_ASSEMBLY_DEPTH, partsOf, renderKey, selectionKey, subtreeJson, subtreeTextsOf } from './tree-json';

// The gzip form of a forest's JSON (RFC 1952), assembled from pieces compressed separately, so that
// after a small write only the pieces on the changed paths are compressed again.
//
// Why pieces can be concatenated: each piece is a raw DEFLATE stream (RFC 1951) compressed on its
// own and ended with a sync flush (an empty stored block), never with a final block. Its
// back-references point only into its own data, so any sequence of pieces is one valid DEFLATE
// stream; an empty final block closes it. The gzip trailer's CRC-32 of the whole text is combined
// from the pieces' CRCs (zlib's crc32_combine), never recomputed over the whole text.

/** A compressed piece: raw DEFLATE ending in a sync flush, with the CRC-32 and length of its text. */
interface Segment {
  readonly data: Buffer;
  readonly crc: number;
  readonly len: number;
}

/** The pieces of one big subtree in order (segments and the ropes of big children), with its CRC and length. */
interface Rope {
  readonly pieces: ReadonlyArray<Segment | Rope>;
  readonly crc: number;
  readonly len: number;
}

/** zlib's default level: 11–12× smaller for category JSON; only changed pieces are compressed again. */
const LEVEL = 6;
/** A run of small parts is cut into separately compressed chunks of about this much text. */
const CHUNK_TEXT = 32 * 1024;

/** The rope of each big subtree, per snapshot and selection (any change below it makes a new rope). */
const ropes = new SnapshotCaches<Rope>('clean');
/** The chunks of each big subtree's runs by text, per snapshot and selection; reused when the text is equal. */
const chunks = new SnapshotCaches<Map<string, Segment>>('present');

const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed codes: BFINAL = 1, BTYPE = 01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Sizes a test may make smaller. */
export interface GzipSizes {
  bigSubtree: number;
  chunkText: number;
}

interface Context {
  h: Hierarchy;
  publishedOnly: boolean;
  render: RenderContext;
  key: string;
  texts: Map<string, string>;
  ropes: Map<string, Rope>;
  chunks: Map<string, Map<string, Segment>>;
  sizes: GzipSizes;
}

/**
 * The forest `[root, …]` (the JSON of `forestBytes`) as a gzip member. `cacheForest` keeps the
 * top-level runs with the snapshot (for the visible forest as a whole, not for a subset of roots).
 */
export function forestGzip(
  h: Hierarchy,
  roots: readonly CategoryRecord[],
  publishedOnly: boolean,
  render: RenderContext,
  cacheForest: boolean,
  sizes: GzipSizes = { bigSubtree: BIG_SUBTREE, chunkText: CHUNK_TEXT },
): Buffer {
  const selection = selectionKey(publishedOnly, render);
  const ctx: Context = {
    h,
    publishedOnly,
    render,
    key: renderKey(render),
    texts: subtreeTextsOf(h, publishedOnly, render),
    ropes: ropes.of(h, selection),
    chunks: chunks.of(h, selection),
    sizes,
  };
  const rope = ropeOfParts(ctx, cacheForest ? FOREST_ID : undefined, '[', roots, ']', 0);
  return gzipMember(rope);
}

/** Header, the rope's segments in order, an empty final block, CRC-32 and length (RFC 1952). */
function gzipMember(rope: Rope): Buffer {
  const parts: Buffer[] = [HEADER];
  const stack: Array<{ rope: Rope; next: number }> = [{ rope, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next === top.rope.pieces.length) {
      stack.pop();
      continue;
    }
    const piece = top.rope.pieces[top.next++];
    if ('data' in piece) parts.push(piece.data);
    else stack.push({ rope: piece, next: 0 });
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(rope.crc, 0);
  trailer.writeUInt32LE(rope.len % 2 ** 32, 4);
  parts.push(FINAL_BLOCK, trailer);
  return Buffer.concat(parts);
}

function isBig(ctx: Context, node: CategoryRecord, text: string, depth: number): boolean {
  return text.length >= ctx.sizes.bigSubtree && depth < MAX_ASSEMBLY_DEPTH && visibleChildren(ctx, node).length > 0;
}

function visibleChildren(ctx: Context, node: CategoryRecord): readonly CategoryRecord[] {
  const all = ctx.h.childrenOf(node._id);
  return ctx.publishedOnly ? all.filter((c) => c.published) : all;
}

function ropeOf(ctx: Context, node: CategoryRecord, depth: number): Rope {
  const hit = ctx.ropes.get(node._id);
  if (hit) return hit;
  const [head, tail] = partsOf(node, ctx.render, ctx.key);
  const rope = ropeOfParts(ctx, node._id, head, visibleChildren(ctx, node), tail, depth);
  ctx.ropes.set(node._id, rope);
  return rope;
}

/**
 * `head`, the children's subtrees separated by commas, `tail`: big children as their own ropes,
 * everything in between as runs of text compressed in chunks. With an `id`, the chunks are kept
 * for the next snapshot, where an unchanged chunk is not compressed again.
 */
function ropeOfParts(
  ctx: Context,
  id: string | undefined,
  head: string,
  children: readonly CategoryRecord[],
  tail: string,
  depth: number,
): Rope {
  const previous = id === undefined ? undefined : ctx.chunks.get(id);
  const kept = new Map<string, Segment>();
  const pieces: Array<Segment | Rope> = [];
  let run = head;
  const flush = () => {
    if (run === '') return;
    let segment = previous?.get(run) ?? kept.get(run);
    if (!segment) segment = compress(run);
    kept.set(run, segment);
    pieces.push(segment);
    run = '';
  };
  children.forEach((child, i) => {
    if (i) run += ',';
    const text = subtreeJson(ctx.h, child, ctx.publishedOnly, ctx.render, ctx.key, ctx.texts);
    if (isBig(ctx, child, text, depth + 1)) {
      flush();
      pieces.push(ropeOf(ctx, child, depth + 1));
      return;
    }
    run += text;
    // Cut after a child once the run is long enough, at children whose id says so, so that a
    // change in one child leaves the cuts (and the chunks) around the others where they were.
    if (run.length >= 4 * ctx.sizes.chunkText || (run.length >= ctx.sizes.chunkText && cutsAfter(child._id))) flush();
  });
  run += tail;
  flush();
  if (id !== undefined) ctx.chunks.set(id, kept);
  return ropeFrom(pieces);
}

/** One child in four, by a hash of its id: content-defined cut points. */
function cutsAfter(id: string): boolean {
  let x = 0;
  for (let i = 0; i < id.length; i++) x = (Math.imul(x, 31) + id.charCodeAt(i)) | 0;
  return (x & 3) === 0;
}

function ropeFrom(pieces: Array<Segment | Rope>): Rope {
  let crc = 0;
  let len = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc, p.len);
    len += p.len;
  }
  return { pieces, crc, len };
}

/** Bytes of text compressed so far (for tests and diagnostics). */
export const gzipStats = { compressedBytes: 0 };

function compress(text: string): Segment {
  const bytes = Buffer.from(text);
  gzipStats.compressedBytes += bytes.length;
  return {
    data: deflateRawSync(bytes, { level: LEVEL, finishFlush: constants.Z_SYNC_FLUSH }),
    crc: crc32(bytes),
    len: bytes.length,
  };
}

// CRC-32 combination as in zlib 1.2.12+ (crc32_combine): arithmetic on polynomials over GF(2)
// modulo the CRC polynomial, bits reflected.
const POLY = 0xedb88320;

/** a(x) · b(x) mod p(x). */
function multModP(a: number, b: number): number {
  let m = 1 << 31;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod p(x) for k = 0…31. */
const X2N = (() => {
  const table = new Uint32Array(32);
  let p = 1 << 30; // x^1
  table[0] = p;
  for (let n = 1; n < 32; n++) table[n] = p = multModP(p, p);
  return table;
})();

/** x^(n · 2^k) mod p(x). */
function x2nModP(n: number, k: number): number {
  let p = 1 << 31; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31], p);
    n = Math.floor(n / 2);
    k++;
  }
  return p >>> 0;
}

/** The CRC-32 of A + B from the CRC-32 of A, the CRC-32 of B and the length of B in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
