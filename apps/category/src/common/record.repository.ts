import type { Page } from '@suite/api-kit';
import { EntityDefinition, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { CategorySettings } from './category-settings';

/** A page of records: the filter, its order, the window, whether the total is wanted (PAG-6), what is read of each. */
export interface RecordPageQuery {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
  skip: number;
  limit: number;
  withTotal: boolean;
  /** Fields left out of (`0`) or the only ones read of (`1`) each record. */
  projection?: Record<string, 0 | 1>;
}

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
  page(tenant: string, q: RecordPageQuery) {
    const maxTimeMS = this.settings?.queryMaxTimeMS;
    return this.findPageOf(tenant, { ...q, sort: Object.entries(q.sort), maxTimeMS });
  }

  /** `page` with the total from the `count` command (`countMatching`), for filters that always have a predicate; same budget. */
  async pageCounted(tenant: string, q: RecordPageQuery): Promise<Page<R>> {
    if (Object.keys(q.filter).length === 0) throw new Error('pageCounted needs a predicate');
    const maxTimeMS = this.settings?.queryMaxTimeMS ?? 5000;
    const [page, total] = await Promise.all([
      this.findPageOf(tenant, { ...q, sort: Object.entries(q.sort), withTotal: false, maxTimeMS }),
      q.withTotal ? this.countMatching(tenant, q.filter, maxTimeMS) : Promise.resolve(undefined),
    ]);
    return { items: page.items, total };
  }
}
