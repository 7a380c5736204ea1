import { once } from 'node:events';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a stub route answers. */
export type StubReply =
  | { status?: number; json?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { raw: string | Buffer; status?: number; headers?: Record<string, string>; delayMs?: number }
  /** Accept the request and never answer (the caller's timeout must fire). */
  | { hang: true }
  /** Destroy the socket without any answer (a network error for the caller). */
  | { reset: true };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StubHandler = (req: RecordedRequest) => StubReply | Promise<StubReply>;

/**
 * A real HTTP server on a free loopback port standing in for a peer service (S2S-13): it records
 * every request and answers with what the test's handler says, including slow, failing, garbage
 * and silent answers. Routes are matched by the handler itself so a test states the peer's
 * contract in one place.
 */
export class HttpStub {
  readonly requests: RecordedRequest[] = [];
  private handler: StubHandler = () => ({ status: 404, json: { code: 404, status: 'Not Found' } });
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(handler?: StubHandler): Promise<HttpStub> {
    const server = http.createServer();
    const stub = new HttpStub(server);
    if (handler) stub.handler = handler;
    // A caller that aborts its request mid-body fails the read: that request ends there, the stub goes on.
    server.on('request', (req, res) => void stub.handle(req, res).catch(() => res.destroy()));
    server.on('connection', (s) => {
      stub.sockets.add(s);
      s.on('close', () => stub.sockets.delete(s));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Replaces the answering function (e.g. to switch the peer from healthy to failing). */
  respond(handler: StubHandler): void {
    this.handler = handler;
  }

  reset(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://stub');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    let reply: StubReply;
    try {
      reply = await this.handler(recorded);
    } catch {
      reply = { status: 500, json: { error: 'stub handler failed' } };
    }
    if ('hang' in reply) return;
    if ('reset' in reply) {
      req.socket.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const body = 'raw' in reply ? reply.raw : reply.json === undefined ? '' : JSON.stringify(reply.json);
    const headers = {
      ...('raw' in reply ? {} : reply.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(reply.headers ?? {}),
    };
    res.writeHead(reply.status ?? 200, headers);
    res.end(body);
  }
}
