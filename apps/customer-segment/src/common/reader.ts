import { CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '@suite/api-kit';
import { AuthContext } from '@suite/auth';
import { READ } from '../customer-segment.scopes';

/**
 * The caller of a read (segment §1.2.2, §2.4): FULL with `segment_read`, else OWN. In OWN mode the
 * caller is the token's customer (none for a non-customer token: a member of nothing, §1.2.3) and
 * the legal-entity context is the token's claim only (AUTH-12).
 */
export type Reader =
  { mode: 'FULL'; customerId?: string; legalEntityId?: string } | { mode: 'OWN'; customerId?: string; legalEntityId?: string };

export interface ReaderQuery {
  customerId?: string;
  legalEntityId?: string;
}

/**
 * Works out the read mode and enforces the token-only 403 rules (ERR-10 step 4): an anonymous
 * token reading "own" data (AUTH-12.4), `customerId` naming someone else in OWN mode (§3.2,
 * AUTH-12.1), a `legalEntityId` that
 * differs from the token's claim or comes without one (AUTH-12.2). In FULL mode `customerId` and
 * `legalEntityId` are plain filters (used only where an operation accepts them).
 */
export function readerOf(auth: AuthContext, query: ReaderQuery, options: { ownOnly?: boolean } = {}): Reader {
  if (!options.ownOnly && auth.hasScope(READ)) {
    return { mode: 'FULL', customerId: query.customerId, legalEntityId: query.customerId === undefined ? undefined : query.legalEntityId };
  }
  if (auth.principalType === 'anonymous') throw ApiError.forbidden('Anonymous callers have no segments of their own.');
  // AUTH-12.1: a customer may name itself (the OWN view is its view anyway); naming anyone else,
  // or naming a customer without being one, needs segment_read.
  if (!options.ownOnly && query.customerId !== undefined && !(auth.principalType === 'customer' && query.customerId === auth.customerId)) {
    throw ApiError.forbidden('customerId may only name the caller itself without customersegment.segment_read.');
  }
  const claim = auth.principalType === 'customer' ? auth.legalEntityId : undefined;
  if (query.legalEntityId !== undefined && query.legalEntityId !== claim) {
    throw ApiError.forbidden('legalEntityId must match the legal entity of the access token.');
  }
  return { mode: 'OWN', customerId: auth.principalType === 'customer' ? auth.customerId : undefined, legalEntityId: claim };
}

/** Which reader inputs a route accepts; parameters it does not accept are ignored (HTTP-4). */
export interface ReaderOptions {
  customerId?: boolean;
  legalEntityId?: boolean;
  /** The operation exists only for the customer's own view (category trees, §3.22). */
  ownOnly?: boolean;
}

const READER_OPTIONS = 'customer-segment:reader-options';

type GuardedRequest = { auth?: AuthContext; query?: Record<string, string | undefined> };

/**
 * Runs {@link readerOf} as a route guard, so its 403s come before the body is read (ERR-10 step 4).
 * The global guards (token, tenant, scopes) have already run.
 */
@Injectable()
export class ReaderGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const options = this.reflector.get<ReaderOptions | undefined>(READER_OPTIONS, context.getHandler()) ?? {};
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    if (!req.auth) return false;
    readerOf(req.auth, readerQuery(req.query ?? {}, options), { ownOnly: options.ownOnly });
    return true;
  }
}

/** The reader inputs of a request, limited to those the route accepts. */
export function readerQuery(query: Record<string, string | undefined>, options: ReaderOptions): ReaderQuery {
  return {
    customerId: options.customerId ? query.customerId : undefined,
    legalEntityId: options.legalEntityId ? query.legalEntityId : undefined,
  };
}

/** Marks a read route that accepts `segment_read_own` and names the reader inputs it takes. */
export function ReadAs(options: ReaderOptions = {}): MethodDecorator {
  return applyDecorators(SetMetadata(READER_OPTIONS, options), UseGuards(ReaderGuard));
}
