// A "server" that does no work, for `npm run bench:db`: it answers the handshake like the embedded
// server and every other command with a reply prepared at start (a one-document `find` batch,
// `{n: 1}` for inserts, `{ok: 1}` otherwise), reading nothing of a request but its header and its
// command name. The driver's throughput against it is the ceiling any server can reach through
// the official driver on this machine; the bench prints the embedded server's figures against it.
//
// Run as a child process: `node null-server.js` prints `null-server listening on <uri>`.

import net from 'node:net';
import { Long, serialize } from 'bson';
import { FLAG_MORE_TO_COME, HEADER_SIZE, OP_MSG, OP_QUERY, OP_REPLY } from '../src/wire/protocol';

const bytes = (doc: Record<string, unknown>): Buffer => Buffer.from(serialize(doc));

const hello = (): Buffer =>
  bytes({
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: 1,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  });

const prepared: Record<string, Buffer> = {
  find: bytes({ cursor: { firstBatch: [{ _id: 1, sku: 'sku1', n: 1, cat: 1 }], id: Long.ZERO, ns: 'bench.big' }, ok: 1 }),
  insert: bytes({ n: 1, ok: 1 }),
};
const okOnly = bytes({ ok: 1 });

/** OP_MSG reply: header, flag bits 0, one kind-0 section. */
function opMsg(responseTo: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + 5 + body.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(0, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(OP_MSG, 12);
  out.writeUInt32LE(0, 16);
  out[20] = 0;
  body.copy(out, 21);
  return out;
}

/** OP_REPLY for the legacy OP_QUERY handshake: one document, no cursor. */
function opReply(responseTo: number, body: Buffer): Buffer {
  const out = Buffer.alloc(HEADER_SIZE + 20 + body.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(OP_REPLY, 12);
  out.writeInt32LE(1, 32);
  body.copy(out, 36);
  return out;
}

/** The command name of an OP_MSG: the first element's name in the kind-0 section at offset 21. */
function commandName(msg: Buffer): string {
  const start = HEADER_SIZE + 4 + 1 + 4 + 1; // header, flagBits, section kind, doc length, type byte
  const end = msg.indexOf(0, start);
  return msg.toString('latin1', start, end);
}

function reply(msg: Buffer): Buffer | undefined {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_QUERY) return opReply(requestId, hello());
  if (opCode !== OP_MSG) throw new Error(`opcode ${opCode}`);
  if (msg.readUInt32LE(16) & FLAG_MORE_TO_COME) return undefined;
  const name = commandName(msg);
  if (name === 'hello' || name === 'isMaster' || name === 'ismaster') return opMsg(requestId, hello());
  return opMsg(requestId, prepared[name] ?? okOnly);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (pending.length >= HEADER_SIZE && pending.length >= pending.readInt32LE(0)) {
      const len = pending.readInt32LE(0);
      const r = reply(pending.subarray(0, len));
      if (r) out.push(r);
      pending = pending.subarray(len);
    }
    if (out.length) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  });
  socket.on('error', () => socket.destroy());
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  process.stdout.write(`null-server listening on mongodb://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
