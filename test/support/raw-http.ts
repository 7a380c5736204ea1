/**
 * HTTP/1.1 over a plain TCP socket, for what fetch cannot show: a request line or head that no
 * client library would send, a body still being written while the answer arrives, whether a
 * write failed (EPIPE, ECONNRESET), whether the server closed the connection, and whether the
 * same connection answers the next request. Every wait is for an event; a hang fails through the
 * test's timeout.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased names; the last value of a repeated header. */
  headers: Record<string, string>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

export interface RawExchange {
  /** The final answers read, in order (interim 1xx answers are skipped). */
  responses: RawResponse[];
  /** The code of the first socket error (a write into a reset connection), if any. */
  error?: string;
  /** Bytes of the body accepted by the socket before the exchange ended. */
  bodyBytesWritten: number;
  /** Whether the server closed its side of the connection (FIN) before the client did. */
  serverClosed: boolean;
}

export interface RawRequestOptions {
  /** The request head, with its final blank line. */
  head: string | Buffer;
  /**
   * A body of this many bytes (spaces) written after the head in `chunkBytes` pieces, as fast as
   * the socket takes them, whatever the server answers meanwhile (as a client that does not read
   * the answer before it has sent its request).
   */
  bodyBytes?: number;
  chunkBytes?: number;
  /** These exact bytes written after the head instead. */
  body?: string | Buffer;
  /** A chunked body written after the head instead: `chunks` chunks of `chunkBytes`, then the last chunk. */
  chunkedBody?: { chunks: number; chunkBytes: number };
  /** Sent on the same connection once the body is written and the first answer is complete. */
  next?: string;
  /** Never close the client's side first: the exchange ends only when the server closes the connection. */
  holdOpen?: boolean;
}

/** Splits complete HTTP/1.1 answers (Content-Length framed) off the front of `buffer`; interim 1xx answers are skipped. */
function parseResponses(buffer: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let rest = buffer;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) break;
    const text = rest.subarray(end + 4, end + 4 + length).toString('utf8');
    rest = rest.subarray(end + 4 + length);
    if (status < 200) continue;
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    responses.push({ status, headers, text, json });
  }
  return { responses, rest };
}

/** One exchange on a fresh connection to `baseUrl` (see {@link RawRequestOptions}). */
export function rawRequest(baseUrl: string, options: RawRequestOptions): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    // allowHalfOpen: the client keeps writing after the server's FIN, as HTTP clients do.
    const socket = net.connect({ host: hostname, port: Number(port), allowHalfOpen: true });
    const result: RawExchange = { responses: [], bodyBytesWritten: 0, serverClosed: false };
    let received: Buffer = Buffer.alloc(0);
    let bodyDone = false;
    let nextSent = false;
    const wanted = options.next ? 2 : 1;
    const progress = () => {
      if (!bodyDone || socket.destroyed) return;
      if (options.next && !nextSent && result.responses.length === 1 && !result.serverClosed) {
        nextSent = true;
        socket.write(options.next);
        return;
      }
      if (result.serverClosed || (result.responses.length >= wanted && !options.holdOpen)) socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      const parsed = parseResponses(Buffer.concat([received, chunk]));
      received = parsed.rest;
      result.responses.push(...parsed.responses);
      progress();
    });
    socket.on('end', () => {
      result.serverClosed = true;
      progress();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      result.error ??= err.code ?? err.message;
    });
    socket.on('close', () => resolve(result));

    const pieces: Buffer[] = [];
    if (options.body !== undefined) {
      pieces.push(Buffer.from(options.body));
    } else if (options.bodyBytes !== undefined) {
      const size = options.chunkBytes ?? 64 * 1024;
      for (let left = options.bodyBytes; left > 0; left -= size) pieces.push(Buffer.alloc(Math.min(size, left), 0x20));
    } else if (options.chunkedBody) {
      const { chunks, chunkBytes } = options.chunkedBody;
      const chunk = Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), Buffer.alloc(chunkBytes, 0x20), Buffer.from('\r\n')]);
      for (let i = 0; i < chunks; i++) pieces.push(chunk);
      pieces.push(Buffer.from('0\r\n\r\n'));
    }
    const writeBody = async () => {
      for (const piece of pieces) {
        if (result.error || socket.destroyed || !socket.writable) break;
        const flushed = socket.write(piece);
        result.bodyBytesWritten += piece.length;
        if (!flushed) {
          await new Promise<void>((r) => {
            const done = () => {
              socket.off('drain', done);
              socket.off('close', done);
              r();
            };
            socket.once('drain', done);
            socket.once('close', done);
          });
        }
      }
      bodyDone = true;
      progress();
    };
    socket.once('connect', () => {
      socket.write(options.head);
      void writeBody();
    });
  });
}

/** The request id every error answer carries (ERR-2b). */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether a parsed error body has the shape of `profile` (ERR-2) with the given status. */
export function inProfile(profile: 'segment' | 'category' | 'coupon', status: number, body: any): boolean {
  if (!body || typeof body !== 'object') return false;
  if (profile === 'coupon') {
    return body.status === status && typeof body.type === 'string' && typeof body.message === 'string' && Array.isArray(body.details);
  }
  return (
    body.code === status &&
    typeof body.status === 'string' &&
    typeof body.errorCode === 'string' &&
    typeof body.message === 'string' &&
    Array.isArray(body.details) &&
    (profile === 'segment'
      ? body.details.every((d: unknown) => typeof d === 'object')
      : body.details.every((d: unknown) => typeof d === 'string'))
  );
}
