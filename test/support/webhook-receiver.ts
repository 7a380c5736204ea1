import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One POST a receiver got: its headers, the raw body and when it arrived. */
export interface Receipt {
  id: string;
  type: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  body: any;
  at: number;
  /** The status the receiver answered. */
  status: number;
}

/**
 * A webhook receiver as an integrator would write one: a real HTTP server on loopback that records
 * every POST and answers what `answer` says (200 by default).
 */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  answer: (r: Omit<Receipt, 'status'>) => number = () => 200;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server);
    server.on('connection', (s) => {
      receiver.sockets.add(s);
      s.on('close', () => receiver.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined;
        }
        const seen = {
          id: String(req.headers['ce-id']),
          type: String(req.headers['ce-type']),
          headers: req.headers,
          raw,
          body,
          at: Date.now(),
        };
        const status = receiver.answer(seen);
        receiver.receipts.push({ ...seen, status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The receipts of one event type whose body matches. */
  of(type: string, match: (body: any) => boolean = () => true): Receipt[] {
    return this.receipts.filter((r) => r.type === type && match(r.body));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The documented check of `emporix-event-signature`: base64 HMAC-SHA256 of the raw body with the secret. */
export function signatureValid(receipt: Receipt, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(receipt.raw).digest('base64');
  return receipt.headers['emporix-event-signature'] === expected;
}
