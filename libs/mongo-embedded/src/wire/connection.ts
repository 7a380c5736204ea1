// One client connection: frames messages out of the TCP stream, runs each command synchronously
// (decode → execute → journal flush → encode), and writes the reply. Anything malformed closes
// this connection only; nothing here may throw into the event loop.

import type { Socket } from 'node:net';
import { runCommand } from '../commands/dispatch';
import { CursorManager } from '../commands/cursors';
import { Engine } from '../storage/engine';
import { decodeMessage, encodeOpMsg, encodeOpReply, HEADER_SIZE, MAX_MESSAGE_SIZE, ProtocolError, Request } from './protocol';

/** What connections share: the catalog, the cursors and the durability hook. */
export interface ServerCore {
  engine: Engine;
  cursors: CursorManager;
  /** Called after each command, before its reply is written (journal flush). */
  afterCommand(): void;
  log(message: string): void;
}

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closed = false;
  /** What every command of this connection runs with (`runCommand` adds the database). */
  private readonly context: { engine: Engine; cursors: CursorManager; connectionId: number };

  constructor(
    private readonly socket: Socket,
    private readonly core: ServerCore,
    readonly id: number,
  ) {
    this.context = { engine: core.engine, cursors: core.cursors, connectionId: id };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => (this.closed = true));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.buffered = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.drain();
    } catch (e) {
      // A protocol violation (or any unexpected failure while framing) ends this connection.
      this.core.log(`closing connection ${this.id}: ${e instanceof Error ? e.message : String(e)}`);
      this.close();
    }
  }

  private drain(): void {
    while (!this.closed && this.buffered >= HEADER_SIZE) {
      if (this.chunks[0].length < HEADER_SIZE) this.merge();
      const length = this.chunks[0].readInt32LE(0);
      if (length < HEADER_SIZE + 5 || length > MAX_MESSAGE_SIZE) throw new ProtocolError(`invalid message length ${length}`);
      if (this.buffered < length) return;
      if (this.chunks[0].length < length) this.merge();
      const first = this.chunks[0];
      const msg = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      this.buffered -= length;
      this.handle(msg);
    }
  }

  private merge(): void {
    this.chunks = [Buffer.concat(this.chunks)];
  }

  private handle(msg: Buffer): void {
    const req: Request = decodeMessage(msg);
    let reply: Record<string, unknown>;
    if (req.legacy) {
      // OP_QUERY serves only the legacy handshake on `<db>.$cmd`.
      const ns = req.legacyNs ?? '';
      const name = Object.keys(req.body)[0] ?? '';
      if (!ns.endsWith('.$cmd')) throw new ProtocolError(`OP_QUERY is only supported for commands, got namespace ${ns}`);
      const allowed = ['hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo', 'getnonce', 'saslStart'];
      reply = allowed.includes(name)
        ? runCommand(this.context, { ...req.body, $db: ns.slice(0, -5) })
        : {
            ok: 0,
            errmsg: `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
            code: 352,
            codeName: 'UnsupportedOpQueryCommand',
          };
    } else {
      reply = runCommand(this.context, req.body);
    }
    this.core.afterCommand();
    if (req.moreToCome) return;
    let out: Buffer;
    try {
      out = req.legacy ? encodeOpReply(req.header.requestId, reply) : encodeOpMsg(req.header.requestId, reply);
    } catch (e) {
      const err = {
        ok: 0,
        errmsg: 'reply could not be encoded: ' + (e instanceof Error ? e.message : String(e)),
        code: 10334,
        codeName: 'BSONObjectTooLarge',
      };
      out = req.legacy ? encodeOpReply(req.header.requestId, err) : encodeOpMsg(req.header.requestId, err);
    }
    this.socket.write(out);
  }
}
