import { Injectable } from '@nestjs/common';
import { CategoriesRepository } from './categories.repository';
import { CategoryStateRepository } from './category-state.repository';
import { Hierarchy } from './hierarchy';

interface Entry {
  epoch: number;
  loadedAt: number;
  hierarchy: Hierarchy;
}

/** Tenants whose hierarchy is kept in memory (LRU). */
const MAX_TENANTS = 64;
/** Backstop: even with an unchanged epoch, reload after this long. */
const MAX_AGE_MS = 60_000;

/**
 * A process-local snapshot of each tenant's categories for tree-shaped reads (ops 4, 10, 11
 * with subcategories, 21–23). Validity is decided by the tenant's tree epoch, which every category
 * write bumps before it answers: a snapshot is reused only while the stored epoch equals the one
 * read before the snapshot was loaded, so a write that has answered is visible to the next read in
 * every process (§6: no eventual-consistency window). A read costs one point lookup when warm.
 *
 * Why this is safe without transactions: the epoch is read *before* the categories. A write that
 * lands between the two makes the snapshot newer than its epoch tag, never older; its own epoch
 * bump then invalidates the snapshot on the next read.
 */
@Injectable()
export class HierarchyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly categories: CategoriesRepository,
    private readonly state: CategoryStateRepository,
  ) {}

  async snapshot(tenant: string): Promise<Hierarchy> {
    const epoch = await this.state.epoch(tenant);
    const cached = this.entries.get(tenant);
    if (cached && cached.epoch === epoch && Date.now() - cached.loadedAt < MAX_AGE_MS) {
      this.entries.delete(tenant);
      this.entries.set(tenant, cached);
      return cached.hierarchy;
    }
    const key = `${tenant}@${epoch}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(tenant, epoch).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return (await pending).hierarchy;
  }

  private async load(tenant: string, epoch: number): Promise<Entry> {
    const records = await this.categories.snapshotRecords(tenant);
    const entry: Entry = { epoch, loadedAt: Date.now(), hierarchy: new Hierarchy(records) };
    const current = this.entries.get(tenant);
    if (!current || current.epoch <= epoch) {
      this.entries.delete(tenant);
      this.entries.set(tenant, entry);
      if (this.entries.size > MAX_TENANTS) this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }
}
