import { Inject, Injectable } from '@nestjs/common';
import type { ErrorDetail } from '@suite/api-kit';
import { destinationProblem } from '../common/destination-policy';
import { WEBHOOK_CONFIG, WebhookServiceConfig } from '../config/webhook.config';

/** A destination a write sets, with the field it is at. */
export interface WrittenDestination {
  url: string;
  field: string;
}

/** The answers of one request's checks by URL, so a retried write does not resolve a host twice. */
export type DestinationCache = Map<string, Promise<string | undefined>>;

/**
 * README "Destinations" at write time: every destination a write sets is checked against the
 * policy (scheme, https in production, credentials, literal internal addresses) and, for a host
 * name, against every address it resolves to now. A destination already stored is not checked
 * again: it was checked when it was written, and the delivery checks the address of every
 * connection anyway (guardedLookup), so an unrelated change is never refused because DNS moved.
 */
@Injectable()
export class DestinationChecker {
  constructor(@Inject(WEBHOOK_CONFIG) private readonly config: WebhookServiceConfig) {}

  async problems(
    written: readonly WrittenDestination[],
    stored: ReadonlySet<string>,
    cache: DestinationCache = new Map(),
  ): Promise<ErrorDetail[]> {
    const checks = written
      .filter((d) => !stored.has(d.url))
      .map(async (d): Promise<ErrorDetail | undefined> => {
        let pending = cache.get(d.url);
        if (!pending) cache.set(d.url, (pending = destinationProblem(d.url, this.config.destinations)));
        const problem = await pending;
        return problem ? { field: d.field, type: 'invalid_value', message: problem } : undefined;
      });
    return (await Promise.all(checks)).filter((d): d is ErrorDetail => d !== undefined);
  }
}
