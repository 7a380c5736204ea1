// MongoDB wire protocol codecs: the 16-byte header, OP_MSG (kind 0 body + kind 1 document
// sequences, checksumPresent / moreToCome flags), and the legacy OP_QUERY / OP_REPLY pair that
// old-style handshakes use. Decoders throw `ProtocolError` on anything malformed; the connection
// closes on it.

import { deserialize, serialize, serializeWithBufferAndIndex, DeserializeOptions } from 'bson';
import { docBytes, isStoredBatch } from './doc-bytes';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const FLAG_CHECKSUM_PRESENT = 1 << 0;
export const FLAG_MORE_TO_COME = 1 << 1;
export const FLAG_EXHAUST_ALLOWED = 1 << 16;

/** Largest message accepted (MongoDB's `maxMessageSizeBytes`). */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;
export const HEADER_SIZE = 16;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export type Doc = Record<string, unknown>;

/** Decoded OP_MSG or OP_QUERY command. */
export interface Request {
  header: Header;
  /** The command document, with kind 1 sequences merged in under their identifiers. */
  body: Doc;
  /** OP_MSG: the client wants no reply (unacknowledged write). */
  moreToCome: boolean;
  /** The request came as OP_QUERY and must be answered with OP_REPLY. */
  legacy: boolean;
  /** OP_QUERY's full collection name, e.g. `admin.$cmd`. */
  legacyNs?: string;
}

// Values the driver sends keep their meaning: Int64 fields such as cursor ids become JS numbers
// when they fit in 53 bits (replies send them back as Long), binary data stays `Binary`.
const DESERIALIZE: DeserializeOptions = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false };

export function readHeader(buf: Buffer, offset = 0): Header {
  return {
    length: buf.readInt32LE(offset),
    requestId: buf.readInt32LE(offset + 4),
    responseTo: buf.readInt32LE(offset + 8),
    opCode: buf.readInt32LE(offset + 12),
  };
}

/** Reads one BSON document at `offset` within `end`, validating its length prefix. */
function readDoc(buf: Buffer, offset: number, end: number): { doc: Doc; next: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document length');
  if (buf[offset + size - 1] !== 0) throw new ProtocolError('BSON document not null-terminated');
  let doc: Doc;
  try {
    doc = deserialize(buf.subarray(offset, offset + size), DESERIALIZE) as Doc;
  } catch (e) {
    throw new ProtocolError('invalid BSON: ' + (e instanceof Error ? e.message : String(e)));
  }
  return { doc, next: offset + size };
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const z = buf.indexOf(0, offset);
  if (z < 0 || z >= end) throw new ProtocolError('unterminated C string');
  return { value: buf.toString('utf8', offset, z), next: z + 1 };
}

/** Decodes one complete message (header included). */
export function decodeMessage(msg: Buffer): Request {
  const header = readHeader(msg);
  if (header.opCode === OP_MSG) return decodeOpMsg(msg, header);
  if (header.opCode === OP_QUERY) return decodeOpQuery(msg, header);
  throw new ProtocolError(`unsupported opcode ${header.opCode}`);
}

function decodeOpMsg(msg: Buffer, header: Header): Request {
  if (msg.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = msg.readUInt32LE(HEADER_SIZE);
  // Bits 0-15 are "required": a receiver must reject unknown ones.
  if (flags & 0xfffc) throw new ProtocolError(`unknown required OP_MSG flag bits ${flags.toString(16)}`);
  const end = flags & FLAG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  if (flags & FLAG_CHECKSUM_PRESENT && crc32c(msg.subarray(0, end)) !== msg.readUInt32LE(end)) {
    throw new ProtocolError('OP_MSG checksum mismatch');
  }
  let offset = HEADER_SIZE + 4;
  let body: Doc | null = null;
  const sequences: Array<[string, Doc[]]> = [];
  while (offset < end) {
    const kind = msg[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with more than one body section');
      const r = readDoc(msg, offset, end);
      body = r.doc;
      offset = r.next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = msg.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence size');
      const id = readCString(msg, offset + 4, seqEnd);
      let p = id.next;
      const docs: Doc[] = [];
      while (p < seqEnd) {
        const r = readDoc(msg, p, seqEnd);
        docs.push(r.doc);
        p = r.next;
      }
      sequences.push([id.value, docs]);
      offset = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  for (const [id, docs] of sequences) {
    if (id in body) throw new ProtocolError(`duplicate field ${id} in OP_MSG body and sequence`);
    body[id] = docs;
  }
  return { header, body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, legacy: false };
}

function decodeOpQuery(msg: Buffer, header: Header): Request {
  let offset = HEADER_SIZE + 4;
  const ns = readCString(msg, offset, msg.length);
  offset = ns.next + 8; // numberToSkip, numberToReturn
  if (offset > msg.length) throw new ProtocolError('truncated OP_QUERY');
  const q = readDoc(msg, offset, msg.length);
  let body = q.doc;
  // Old drivers wrap the command as { $query: {...}, $readPreference: ... }.
  if (body.$query && typeof body.$query === 'object') body = body.$query as Doc;
  return { header, body, moreToCome: false, legacy: true, legacyNs: ns.value };
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the OP_MSG checksum. */
export function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC32C_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** Where replies are serialized before being copied into their own buffer (see encodeOpMsg). */
let scratch: Buffer | null = null;
const SCRATCH_SIZE = 1024 * 1024;
const MSG_BODY_AT = HEADER_SIZE + 5; // header, flag bits, section kind 0

/**
 * An OP_MSG reply with one kind 0 section. The reply is serialized after room for the header in
 * a scratch buffer and copied once into a buffer of its exact size: one allocation per reply
 * instead of four (body, header, flags, concatenation). A reply that does not fit (over 1 MiB)
 * is encoded the plain way.
 */
export function encodeOpMsg(responseTo: number, doc: Doc): Buffer {
  const batch = cursorBatch(doc);
  if (batch) return encodeCursorReply(responseTo, doc, batch);
  scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE);
  let end = -1;
  try {
    end = serializeWithBufferAndIndex(doc, scratch, { index: MSG_BODY_AT, ignoreUndefined: true });
  } catch (e) {
    // By name: Buffer's RangeError comes from Node's own realm, which is not the caller's under a vm (jest).
    if ((e as Error | undefined)?.name !== 'RangeError') throw e;
  }
  if (end >= 0) {
    const total = end + 1;
    const out = Buffer.allocUnsafe(total);
    scratch.copy(out, MSG_BODY_AT, MSG_BODY_AT, total);
    out.writeInt32LE(total, 0);
    out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
    out.writeInt32LE(responseTo, 8);
    out.writeInt32LE(OP_MSG, 12);
    out.writeUInt32LE(0, HEADER_SIZE); // flags
    out[HEADER_SIZE + 4] = 0; // section kind 0
    return out;
  }
  const body = serialize(doc, { ignoreUndefined: true });
  const h = header(HEADER_SIZE + 4 + 1 + body.length, responseTo, OP_MSG);
  const pre = Buffer.alloc(5); // flags 0, section kind 0
  return Buffer.concat([h, pre, body]);
}

/** bson's own limit for one serialized document; a larger reply fails as it did before. */
const MAX_REPLY_BSON = 17 * 1024 * 1024;

interface CursorBatch {
  key: string;
  docs: Doc[];
}

function isDocObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return !(v instanceof Date || v instanceof RegExp || v instanceof Uint8Array) && (v as { _bsontype?: string })._bsontype === undefined;
}

/**
 * The batch of a cursor reply shaped `{cursor: {firstBatch|nextBatch: [docs], ...}, ...}` (the
 * batch first in `cursor`, `cursor` first in the reply, marked as stored documents, every element
 * a document), else null.
 */
function cursorBatch(reply: Doc): CursorBatch | null {
  const cursor = reply.cursor;
  if (!isDocObject(cursor) || Object.keys(reply)[0] !== 'cursor') return null;
  const key = Object.keys(cursor)[0];
  if (key !== 'firstBatch' && key !== 'nextBatch') return null;
  const docs = cursor[key];
  if (!Array.isArray(docs) || !isStoredBatch(docs) || !docs.every(isDocObject)) return null;
  return { key, docs };
}

/** The elements of a serialized document, without its length prefix and terminating zero. */
function elementsOf(doc: Doc): Uint8Array {
  const b = serialize(doc, { ignoreUndefined: true });
  return b.subarray(4, b.length - 1);
}

/**
 * Writes a cursor reply's BSON framing around the cached bytes of each batch document (see
 * doc-bytes.ts), so a large batch costs one copy per document instead of a full serialization.
 * The output is byte-for-byte what `serialize(reply)` produces (field order included).
 */
function encodeCursorReply(responseTo: number, reply: Doc, batch: CursorBatch): Buffer {
  const cursor = reply.cursor as Doc;
  const cursorRest: Doc = {};
  for (const k of Object.keys(cursor)) if (k !== batch.key) cursorRest[k] = cursor[k];
  const replyRest: Doc = {};
  for (const k of Object.keys(reply)) if (k !== 'cursor') replyRest[k] = reply[k];
  const cursorTail = elementsOf(cursorRest);
  const replyTail = elementsOf(replyRest);
  const parts = batch.docs.map(docBytes);
  let arrayLen = 4 + 1;
  for (let i = 0; i < parts.length; i++) arrayLen += 1 + String(i).length + 1 + parts[i].length;
  const cursorLen = 4 + (1 + batch.key.length + 1 + arrayLen) + cursorTail.length + 1;
  const replyLen = 4 + (1 + 'cursor'.length + 1 + cursorLen) + replyTail.length + 1;
  if (replyLen > MAX_REPLY_BSON) throw new RangeError(`reply of ${replyLen} bytes exceeds the BSON size limit`);
  const total = HEADER_SIZE + 4 + 1 + replyLen;
  const out = Buffer.allocUnsafe(total);
  header(total, responseTo, OP_MSG).copy(out, 0);
  let p = HEADER_SIZE;
  out.writeUInt32LE(0, p); // flags
  p += 4;
  out[p++] = 0; // section kind 0
  out.writeInt32LE(replyLen, p);
  p += 4;
  out[p++] = 0x03; // embedded document
  p += out.write('cursor', p, 'latin1');
  out[p++] = 0;
  out.writeInt32LE(cursorLen, p);
  p += 4;
  out[p++] = 0x04; // array
  p += out.write(batch.key, p, 'latin1');
  out[p++] = 0;
  out.writeInt32LE(arrayLen, p);
  p += 4;
  for (let i = 0; i < parts.length; i++) {
    out[p++] = 0x03;
    p += out.write(String(i), p, 'latin1');
    out[p++] = 0;
    out.set(parts[i], p);
    p += parts[i].length;
  }
  out[p++] = 0; // end of array
  out.set(cursorTail, p);
  p += cursorTail.length;
  out[p++] = 0; // end of cursor
  out.set(replyTail, p);
  p += replyTail.length;
  out[p++] = 0; // end of reply
  return out;
}

/** An OP_REPLY carrying one document (answers to legacy OP_QUERY handshakes). */
export function encodeOpReply(responseTo: number, doc: Doc): Buffer {
  const body = serialize(doc, { ignoreUndefined: true });
  const h = header(HEADER_SIZE + 20 + body.length, responseTo, OP_REPLY);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(8, 0); // responseFlags: AwaitCapable
  // cursorID (8 bytes) = 0, startingFrom = 0
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([h, fields, body]);
}
