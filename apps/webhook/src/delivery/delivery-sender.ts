import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { DestinationPolicy, destinationUrlProblem, guardedLookup, Lookup } from '../common/destination-policy';

/** One attempt's request: the exact body and the headers of {@link deliveryHeaders}. */
export interface OutgoingDelivery {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** How an attempt ended: a 2xx, another status, or no usable answer. */
export type SendOutcome = 'success' | 'status' | 'timeout' | 'network' | 'refused';

export interface SendResult {
  outcome: SendOutcome;
  statusCode?: number;
  /** Why it failed, in words for the delivery log. */
  error?: string;
  /** The first characters of a non-2xx answer. */
  responseExcerpt?: string;
  durationMs: number;
  /** Stopped by the caller (shutdown): neither a success nor a failure, nothing is recorded. */
  aborted?: boolean;
}

const EXCERPT_CHARS = 200;
const EXCERPT_BYTES = 1024;

/**
 * Sends deliveries (README "Delivery"): one `POST` per attempt, never following redirects, the
 * whole request (connect to last byte) within `timeoutMs`. Destinations are checked twice: the URL
 * without DNS before the request ({@link destinationUrlProblem}), and every address a host name
 * resolves to when the connection is opened ({@link guardedLookup} is the connector's resolver), so
 * the address checked is the address used (DNS rebinding). Keep-alive connections are reused only
 * for the origin they were opened to, with the address checked then.
 */
export class DeliverySender {
  private readonly agent: Agent;

  constructor(
    private readonly timeoutMs: number,
    private readonly policy: DestinationPolicy,
    lookup?: Lookup,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(policy, lookup), timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 4000,
    });
  }

  async send(request: OutgoingDelivery, stop?: AbortSignal): Promise<SendResult> {
    const problem = destinationUrlProblem(request.url, this.policy);
    if (problem) return { outcome: 'refused', error: `destination refused: the URL ${problem}`, durationMs: 0 };
    const url = new URL(request.url);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onStop = () => controller.abort();
    stop?.addEventListener('abort', onStop, { once: true });
    try {
      const res = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: Buffer.from(request.body, 'utf8'),
        signal: controller.signal,
      });
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (ok) {
        await res.body.dump().catch(() => undefined);
        return { outcome: 'success', statusCode: res.statusCode, durationMs: elapsed() };
      }
      const responseExcerpt = await excerpt(res.body);
      const location = res.statusCode >= 300 && res.statusCode < 400 ? res.headers.location : undefined;
      return {
        outcome: 'status',
        statusCode: res.statusCode,
        error: location ? `redirect not followed (${res.statusCode} to ${String(location).slice(0, 300)})` : `answered ${res.statusCode}`,
        responseExcerpt,
        durationMs: elapsed(),
      };
    } catch (e) {
      if (stop?.aborted && !timedOut) return { outcome: 'network', aborted: true, durationMs: elapsed() };
      if (timedOut) return { outcome: 'timeout', error: `no complete answer within ${this.timeoutMs} ms`, durationMs: elapsed() };
      return { ...describeFailure(e, url), durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
  }

  /** Closes the connections (shutdown). */
  async close(): Promise<void> {
    await this.agent.destroy();
  }

  /** Nest's shutdown hook: after the scheduler stopped its workers (on module destroy). */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** The start of a body, as text without control characters; the rest is not read. */
async function excerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= EXCERPT_BYTES) break;
    }
  } catch {
    // A body cut off or too slow: the status is what counts.
  } finally {
    body.destroy();
  }
  const text = Buffer.concat(chunks)
    .subarray(0, EXCERPT_BYTES)
    .toString('utf8')
    .replace(/[\u0000-\u001f\u007f\ufffd]+/g, ' ')
    .trim();
  return text ? text.slice(0, EXCERPT_CHARS) : undefined;
}

function describeFailure(e: unknown, url: URL): { outcome: SendOutcome; error: string } {
  const error = e as NodeJS.ErrnoException & { errors?: unknown[] };
  // Node's happy-eyeballs connect reports every address it tried in an AggregateError.
  const first = (Array.isArray(error.errors) && error.errors.length ? error.errors[0] : error) as NodeJS.ErrnoException;
  const code = first?.code ?? error?.code;
  const host = url.host;
  switch (code) {
    case 'EDESTINATIONFORBIDDEN':
      return { outcome: 'refused', error: first.message };
    case 'ECONNREFUSED':
      return { outcome: 'network', error: `connection refused by ${host}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { outcome: 'network', error: `host ${url.hostname} does not resolve` };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return { outcome: 'timeout', error: `no complete answer from ${host} in time` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { outcome: 'network', error: `connection to ${host} closed before an answer` };
    default:
      return { outcome: 'network', error: `request to ${host} failed${code ? ` (${code})` : ''}` };
  }
}
