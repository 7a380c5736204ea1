import { Inject, Injectable } from '@nestjs/common';
import { ApiError, LOGGER, Outcome, reasonPhrase, selectLanguages, TenantLanguages } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import type { Logger } from 'pino';
import type { WebhookSubscriptionResponseDto } from './dto/subscription.response.dto';
import type { UpdateSubscriptionResultDto } from './dto/update-subscription.dto';
import { catalogEvent, EVENT_CATALOG } from './event-catalog';
import { nextState, readChange } from './subscription-change';
import { toSubscriptionView } from './subscription.mapper';
import { SubscriptionRepository } from './subscription.repository';

/** Emporix's words for a stale version (its 207 example). */
export const STALE_VERSION_MESSAGE =
  'Unique constraint violation for provided eventType and metadata version. It is possible to update an eventsubscription only by ' +
  'always providing the latest version. Fetch the event subscriptions to get the latest version.';

/** How often an item without a version is computed again after losing a race. */
const TRIES = 4;

/** The event catalog and the tenant's subscriptions (README "Subscriptions"). */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly languages: TenantLanguages,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Every catalog event, in catalog order, with the tenant's subscription to it. */
  async list(ctx: RequestContext): Promise<WebhookSubscriptionResponseDto[]> {
    const selection = selectLanguages(ctx.acceptLanguage, this.languages.languagesOf(ctx.tenant));
    const stored = new Map((await this.subscriptions.all(ctx.tenant)).map((s) => [s.eventType, s]));
    return EVENT_CATALOG.map((event) => toSubscriptionView(event, stored.get(event.type), selection));
  }

  /** `207`: one result per item, in order; each item is its own single-document write (no transaction, BULK-4). */
  async update(ctx: RequestContext, items: readonly Record<string, unknown>[]): Promise<Outcome<UpdateSubscriptionResultDto[]>> {
    const results: UpdateSubscriptionResultDto[] = [];
    for (const item of items) {
      const eventType = String(item.eventType);
      try {
        await this.apply(ctx.tenant, item);
        results.push({ eventType, code: 200, status: 'OK' });
      } catch (e) {
        if (!(e instanceof ApiError))
          this.logger.error({ err: e, tenant: ctx.tenant, eventType }, 'subscription update failed unexpectedly');
        const error = e instanceof ApiError ? e : ApiError.internal(e);
        results.push({
          eventType,
          code: error.httpStatus,
          status: statusName(error.httpStatus),
          errorCode: error.errorCode,
          message: itemMessage(error),
        });
      }
    }
    return Outcome.multiStatus(results);
  }

  /**
   * One item: `404` for a type outside the catalog, `400` for the item's problems, `409` when its
   * `metadata.version` is not the stored one (absent or 1 for an event never subscribed). The write
   * is guarded by the version read; an item without a version that loses a race is computed again.
   */
  private async apply(tenant: string, item: Record<string, unknown>): Promise<void> {
    const event = catalogEvent(item.eventType);
    if (!event) throw ApiError.notFound(String(item.eventType), `No catalog event ${String(item.eventType)} found.`);
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const stored = await this.subscriptions.find(tenant, event.type);
      const change = readChange(item, event, stored);
      if (change.version !== undefined && change.version !== (stored?.metadata.version ?? 1)) throw stale(event.type);
      const next = nextState(stored, change);
      if (!next) return;
      const now = new Date();
      const written = stored
        ? await this.subscriptions.update(tenant, event.type, next, stored.metadata.version, now)
        : await this.subscriptions.insert(tenant, event.type, next, now);
      if (written) return;
      // Someone else wrote first: the version the client saw is stale.
      if (change.version !== undefined) throw stale(event.type);
    }
    throw stale(event.type);
  }
}

function stale(eventType: string): ApiError {
  return new ApiError('version_conflict', STALE_VERSION_MESSAGE, { resourceId: eventType });
}

/** Emporix's status names (`OK`, `BAD_REQUEST`, `NOT_FOUND`, `CONFLICT`). */
function statusName(code: number): string {
  return reasonPhrase(code)
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_');
}

/** One line for a failed item: the message, and each problem with its field. */
function itemMessage(error: ApiError): string {
  if (!error.details.length || error.errorCode !== 'validation_failed') return error.message;
  return `${error.message} ${error.details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('; ')}`;
}
