import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, Optional } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable, map } from 'rxjs';

/** One page of a list, with the total when it was asked for (PAG-6). */
export interface Page<T> {
  items: T[];
  total?: number;
}

/**
 * What a service answers when the status or headers depend on the outcome: created with its
 * `Location` (HTTP-6), upserted (201 or 204), a page with its total (PAG-6), a multi-status (BULK).
 * Services return it, controllers return it unchanged, and {@link OutcomeInterceptor} writes it:
 * no handler touches the reply (STYLE "a request's way through"). A plain value is a `200`, or
 * the status of the handler's `@HttpCode()`.
 */
export class Outcome<T = unknown> {
  private constructor(
    readonly status: number,
    readonly body: T | undefined,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Set for pages whose total was asked for; written to the service's count headers. */
    readonly total?: number,
  ) {}

  static ok<T>(body: T, headers?: Record<string, string>): Outcome<T> {
    return new Outcome(200, body, headers);
  }

  /** `201` with `Location`; assignments without an own id have no body. */
  static created<T>(location: string, body?: T): Outcome<T> {
    return new Outcome(201, body, { Location: location });
  }

  /** An upsert: `201` with `Location` when it created, `204` when it replaced. */
  static upserted<T>(created: boolean, location: string, body?: T): Outcome<T> {
    return created ? Outcome.created(location, body) : (Outcome.noContent() as Outcome<T>);
  }

  static noContent(): Outcome<never> {
    return new Outcome<never>(204, undefined);
  }

  /** `200` with the items; the total goes into the count headers only when it was asked for. */
  static page<T>(page: Page<T>): Outcome<T[]> {
    return new Outcome(200, page.items, {}, page.total);
  }

  /** `207` with one result per bulk element (BULK-2). */
  static multiStatus<T>(body: T): Outcome<T> {
    return new Outcome(207, body);
  }

  /** Any other status a contract names (e.g. `200` with headers). */
  static of<T>(status: number, body?: T, headers?: Record<string, string>): Outcome<T> {
    return new Outcome(status, body, headers);
  }
}

/** Response headers that carry a page's total: `X-Total-Count` everywhere, plus any a profile adds. */
export const TOTAL_COUNT_HEADERS = Symbol.for('suite.totalCountHeaders');

/**
 * The one place that turns an {@link Outcome} into status, headers and body. A `204` never has a
 * body (HTTP-6).
 */
@Injectable()
export class OutcomeInterceptor implements NestInterceptor {
  private readonly countHeaders: readonly string[];

  constructor(@Optional() @Inject(TOTAL_COUNT_HEADERS) countHeaders?: readonly string[]) {
    this.countHeaders = countHeaders?.length ? countHeaders : ['X-Total-Count'];
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof Outcome)) return value;
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        reply.status(value.status);
        for (const [name, v] of Object.entries(value.headers)) reply.header(name, v);
        if (value.total !== undefined) for (const name of this.countHeaders) reply.header(name, String(value.total));
        return value.status === 204 ? undefined : value.body;
      }),
    );
  }
}
