import { EntityDefinition, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { CategorySettings } from './category-settings';

/**
 * The base of this service's repositories: the stored record is the domain value (`_id` is the
 * id, lean plain data), and pages are read within the configured time budget.
 */
export abstract class RecordRepository<R> extends TenantRepository<R, R> {
  protected constructor(
    registry: TenantModelRegistry,
    entity: EntityDefinition<R>,
    private readonly settings?: CategorySettings,
  ) {
    super(registry, entity);
  }

  protected toDomain(doc: R): R {
    return doc;
  }

  /** One page plus, when asked, the total under the same filter (PAG-6), both within `QUERY_MAX_TIME_MS`. */
  page(tenant: string, filter: Record<string, unknown>, sort: Record<string, 1 | -1>, skip: number, limit: number, withTotal: boolean) {
    const maxTimeMS = this.settings?.queryMaxTimeMS;
    return this.findPageOf(tenant, { filter, sort: Object.entries(sort), skip, limit, withTotal, maxTimeMS });
  }
}
