import { Injectable } from '@nestjs/common';
import { CategoriesRepository } from './categories.repository';
import { ChangeLogEntry, CategoryStateRepository, idsSince } from './category-state.repository';
import { Hierarchy } from './hierarchy';
import { inheritTreeJson } from './tree-json';

interface Entry {
  epoch: number;
  /** When the last full load happened (incremental updates keep it: the age backstop counts from there). */
  loadedAt: number;
  hierarchy: Hierarchy;
}

/** Tenants whose hierarchy is kept in memory (LRU). */
const MAX_TENANTS = 64;
/** Backstop: even with an unchanged epoch, reload in full after this long. */
const MAX_AGE_MS = 60_000;

/**
 * A process-local snapshot of each tenant's categories for tree-shaped reads (ops 4, 10, 11
 * with subcategories, 21–23). Validity is decided by the tenant's tree epoch, which every category
 * write bumps before it answers: a snapshot is reused only while the stored epoch equals the one
 * read before the snapshot was loaded, so a write that has answered is visible to the next read in
 * every process (§6: no eventual-consistency window). A read costs one point lookup when warm.
 *
 * A snapshot behind the stored epoch is brought forward incrementally when the epoch's change log
 * still reaches back to it: the ids changed since are read in one indexed `$in` query and applied
 * (absent = deleted); otherwise the tenant is reloaded in full.
 *
 * Why this is safe without transactions: the epoch (and its log) is read *before* the
 * categories. A write that lands between the two makes the snapshot newer than its epoch tag,
 * never older; its own epoch bump (with its ids in the log) makes the next read fetch them again.
 */
@Injectable()
export class HierarchyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly categories: CategoriesRepository,
    private readonly state: CategoryStateRepository,
  ) {}

  /** Counts of full and incremental loads (for tests and diagnostics). */
  readonly stats = { full: 0, incremental: 0 };

  async snapshot(tenant: string): Promise<Hierarchy> {
    // The newest log entry comes with the epoch: a reader one step behind (the usual cold read)
    // needs no second lookup.
    const { epoch, last } = await this.state.epochAndLast(tenant);
    const cached = this.entries.get(tenant);
    if (cached && cached.epoch === epoch && Date.now() - cached.loadedAt < MAX_AGE_MS) {
      this.entries.delete(tenant);
      this.entries.set(tenant, cached);
      return cached.hierarchy;
    }
    const key = `${tenant}@${epoch}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(tenant, epoch, cached, last).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return (await pending).hierarchy;
  }

  private async load(tenant: string, epoch: number, base: Entry | undefined, last: ChangeLogEntry | undefined): Promise<Entry> {
    let entry: Entry | undefined;
    if (base && base.epoch < epoch && Date.now() - base.loadedAt < MAX_AGE_MS) {
      const oneStep = base.epoch + 1 === epoch ? idsSince(last ? [last] : [], base.epoch, epoch) : undefined;
      entry = oneStep ? await this.apply(tenant, base, epoch, oneStep) : await this.catchUp(tenant, base);
    }
    if (!entry) {
      const records = await this.categories.snapshotRecords(tenant);
      entry = { epoch, loadedAt: Date.now(), hierarchy: new Hierarchy(records) };
      this.stats.full++;
    }
    const current = this.entries.get(tenant);
    if (!current || current.epoch <= entry.epoch) {
      this.entries.delete(tenant);
      this.entries.set(tenant, entry);
      if (this.entries.size > MAX_TENANTS) this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }

  /** `base` brought to the log's current epoch, or undefined when the log does not reach back to it. */
  private async catchUp(tenant: string, base: Entry): Promise<Entry | undefined> {
    const { epoch, changed } = await this.state.changesSince(tenant, base.epoch);
    if (!changed) return undefined;
    return this.apply(tenant, base, epoch, changed);
  }

  /** `base` with the current state of the `changed` ids (one `$in` read), tagged `epoch`. */
  private async apply(tenant: string, base: Entry, epoch: number, changed: string[]): Promise<Entry> {
    const records = await this.categories.snapshotRecordsByIds(tenant, changed);
    const present = new Set(records.map((r) => r._id));
    const hierarchy = base.hierarchy.withChanges(
      records,
      changed.filter((id) => !present.has(id)),
    );
    inheritTreeJson(base.hierarchy, hierarchy);
    this.stats.incremental++;
    return { epoch, loadedAt: base.loadedAt, hierarchy };
  }
}
