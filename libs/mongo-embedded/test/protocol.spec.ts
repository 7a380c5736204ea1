// Wire protocol over a raw socket: OP_MSG (body + document sequences, checksum, moreToCome),
// the legacy OP_QUERY handshake, and bad input. A malformed message closes only its own
// connection; every other client keeps working and the server stays up.

import net from 'node:net';
import { deserialize, serialize } from 'bson';
import { startTestDb, TestDb } from './test-db';

let t: TestDb;
let host: string;
let port: number;
beforeAll(async () => {
  t = await startTestDb('wire');
  const u = new URL(t.uri.split(',')[0]);
  host = u.hostname;
  port = Number(u.port || 27017);
});
afterAll(async () => {
  await t.close();
});

function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function header(len: number, id: number, op: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(len, 0);
  h.writeInt32LE(id, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(op, 12);
  return h;
}

function opMsg(id: number, body: object, opts: { flags?: number; sequence?: [string, object[]]; checksum?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const flags = (opts.flags ?? 0) | (opts.checksum ? 1 : 0);
  const f = Buffer.alloc(4);
  f.writeUInt32LE(flags >>> 0, 0);
  parts.push(f, Buffer.from([0]), Buffer.from(serialize(body)));
  if (opts.sequence) {
    const [name, docs] = opts.sequence;
    const payload = Buffer.concat([Buffer.from(name + '\0'), ...docs.map((d) => Buffer.from(serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat(parts);
  let msg = Buffer.concat([header(16 + rest.length + (opts.checksum ? 4 : 0), id, 2013), rest]);
  if (opts.checksum) {
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(crc32c(msg), 0);
    msg = Buffer.concat([msg, sum]);
  }
  return msg;
}

interface Reply {
  responseTo: number;
  opCode: number;
  doc: Record<string, unknown>;
}

/** A raw client that collects replies and notices when the server closes the connection. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<(r: Reply) => void> = [];
  readonly replies: Reply[] = [];
  readonly closed: Promise<void>;
  private sock: net.Socket;

  constructor() {
    this.sock = net.connect(port, host);
    this.sock.on('data', (d) => this.onData(d));
    this.sock.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.sock.on('close', () => resolve()));
  }

  async ready(): Promise<void> {
    if (this.sock.readyState !== 'open') await new Promise((r) => this.sock.once('connect', r));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 16 && this.buf.length >= this.buf.readInt32LE(0)) {
      const len = this.buf.readInt32LE(0);
      const msg = this.buf.subarray(0, len);
      this.buf = this.buf.subarray(len);
      const opCode = msg.readInt32LE(12);
      const docStart = opCode === 2013 ? 21 : 36;
      const r = { responseTo: msg.readInt32LE(8), opCode, doc: deserialize(msg.subarray(docStart)) };
      this.replies.push(r);
      this.waiters.shift()?.(r);
    }
  }

  send(b: Buffer): void {
    this.sock.write(b);
  }

  next(): Promise<Reply> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  destroy(): void {
    this.sock.destroy();
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function othersStillServed(): Promise<void> {
  expect((await t.db.command({ ping: 1 })).ok).toBe(1);
  await t.db.collection('alive').insertOne({ at: new Date() });
  expect(await t.db.collection('alive').countDocuments()).toBeGreaterThan(0);
}

describe('OP_MSG', () => {
  it('answers a command with a reply to its request id', async () => {
    const c = new RawClient();
    await c.ready();
    c.send(opMsg(42, { ping: 1, $db: t.dbName }));
    const r = await within(c.next(), 5000, 'ping reply');
    expect(r).toMatchObject({ responseTo: 42, opCode: 2013 });
    expect(r.doc.ok).toBe(1);
    c.destroy();
  });

  it('merges kind 1 document sequences into the command', async () => {
    const c = new RawClient();
    await c.ready();
    c.send(opMsg(7, { insert: 'seq', $db: t.dbName }, { sequence: ['documents', [{ _id: 1 }, { _id: 2 }, { _id: 3 }]] }));
    const r = await within(c.next(), 5000, 'insert reply');
    expect(r.doc).toMatchObject({ ok: 1, n: 3 });
    c.destroy();
    expect(await t.db.collection('seq').countDocuments()).toBe(3);
  });

  it('accepts a correct CRC-32C checksum', async () => {
    const c = new RawClient();
    await c.ready();
    c.send(opMsg(8, { ping: 1, $db: t.dbName }, { checksum: true }));
    const r = await within(c.next(), 5000, 'checksummed ping');
    expect(r.doc.ok).toBe(1);
    c.destroy();
  });

  it('sends no reply when moreToCome is set (unacknowledged write)', async () => {
    const c = new RawClient();
    await c.ready();
    c.send(opMsg(9, { insert: 'w0', documents: [{ _id: 'fire-and-forget' }], writeConcern: { w: 0 }, $db: t.dbName }, { flags: 2 }));
    c.send(opMsg(10, { ping: 1, $db: t.dbName }));
    const r = await within(c.next(), 5000, 'ping after w:0');
    expect(r.responseTo).toBe(10);
    expect(c.replies).toHaveLength(1);
    c.destroy();
    expect(await t.db.collection('w0').countDocuments()).toBe(1);
  });

  it('answers the legacy OP_QUERY handshake with OP_REPLY', async () => {
    const c = new RawClient();
    await c.ready();
    const q = Buffer.concat([
      Buffer.alloc(4),
      Buffer.from('admin.$cmd\0'),
      Buffer.alloc(4),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from(serialize({ isMaster: 1 })),
    ]);
    c.send(Buffer.concat([header(16 + q.length, 11, 2004), q]));
    const r = await within(c.next(), 5000, 'OP_REPLY');
    expect(r.opCode).toBe(1);
    expect(r.responseTo).toBe(11);
    expect(r.doc.ismaster).toBe(true);
    c.destroy();
  });
});

describe('malformed input closes only the offending connection', () => {
  const cases: Array<[string, () => Buffer]> = [
    [
      'a BSON document truncated inside a complete frame',
      () => {
        const good = opMsg(1, { ping: 1, $db: 'x' });
        const cut = good.subarray(0, good.length - 6);
        cut.writeInt32LE(cut.length, 0);
        return cut;
      },
    ],
    [
      'a length header smaller than a header',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' });
        b.writeInt32LE(8, 0);
        return b;
      },
    ],
    [
      'a negative length header',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' });
        b.writeInt32LE(-100, 0);
        return b;
      },
    ],
    [
      'an oversized message (length above 48 MB)',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' });
        b.writeInt32LE(64 * 1024 * 1024, 0);
        return b;
      },
    ],
    [
      'an invalid BSON document (unknown element type)',
      () => {
        const doc = Buffer.from(serialize({ ping: 1 }));
        doc[4] = 0x77; // element type byte
        const rest = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), doc]);
        return Buffer.concat([header(16 + rest.length, 1, 2013), rest]);
      },
    ],
    [
      'an unknown opcode',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' });
        b.writeInt32LE(9999, 12);
        return b;
      },
    ],
    [
      'a wrong checksum',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' }, { checksum: true });
        b.writeUInt32LE((b.readUInt32LE(b.length - 4) ^ 1) >>> 0, b.length - 4);
        return b;
      },
    ],
    [
      'an unknown section kind',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'x' });
        b[20] = 9;
        return b;
      },
    ],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const bystander = new RawClient();
    await bystander.ready();
    const bad = new RawClient();
    await bad.ready();
    bad.send(make());
    await within(bad.closed, 5000, 'server closing the bad connection');
    expect(bad.replies).toHaveLength(0);
    // An already open connection and new connections are still served.
    bystander.send(opMsg(5, { ping: 1, $db: t.dbName }));
    expect((await within(bystander.next(), 5000, 'bystander ping')).doc.ok).toBe(1);
    bystander.destroy();
    await othersStillServed();
  });

  it('survives a client that disconnects mid-message', async () => {
    const c = new RawClient();
    await c.ready();
    const msg = opMsg(3, { insert: 'partial', documents: [{ _id: 1 }], $db: t.dbName });
    c.send(msg.subarray(0, 20));
    c.destroy();
    await othersStillServed();
    expect(await t.db.collection('partial').countDocuments()).toBe(0);
  });

  it('answers an invalid command with an error reply and keeps the connection', async () => {
    const err = await t.db.command({ find: 'x', filter: { a: { $in: 5 } } }).catch((e) => e);
    expect(err.ok).toBe(0);
    expect(err.code).toBe(2);
    await othersStillServed();
  });
});
