import { Injectable } from '@nestjs/common';
import { CategoriesRepository } from './categories.repository';
import { ChangeLogEntry, CategoryStateRepository, idsSince } from './category-state.repository';
import type { CategoryRecord } from './category.types';
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
/** Backstop: even with an unchanged epoch, reload in full (in the background) after this long. */
export const MAX_AGE_MS = 60_000;
/** A background refresh that could not be applied (the epoch moved) is retried after this long. */
const REFRESH_RETRY_MS = 10_000;

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
    return (await this.read(tenant)).hierarchy;
  }

  /**
   * The current snapshot, and the categories whose assignment paths a hierarchy write is
   * rewriting right now (or left half-rewritten), from the same epoch lookup.
   */
  async read(tenant: string): Promise<{ hierarchy: Hierarchy; pathsPending: readonly string[] }> {
    // The newest log entry comes with the epoch: a reader one step behind (the usual cold read)
    // needs no second lookup.
    const { epoch, last, pathsPending } = await this.state.epochAndLast(tenant);
    const cached = this.entries.get(tenant);
    if (cached && cached.epoch === epoch) {
      this.entries.delete(tenant);
      this.entries.set(tenant, cached);
      this.refreshIfOld(tenant, cached);
      return { hierarchy: cached.hierarchy, pathsPending };
    }
    const key = `${tenant}@${epoch}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(tenant, epoch, cached, last).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const entry = await pending;
    this.refreshIfOld(tenant, entry);
    return { hierarchy: entry.hierarchy, pathsPending };
  }

  /** The clock of the age backstop (replaceable in tests). */
  now: () => number = Date.now;

  /**
   * The backstop against a write that never bumped the epoch (a crashed writer): a snapshot
   * whose last full load is older than the limit is reloaded in full *in the background*, while
   * reads keep being served from the epoch-current snapshot — no read waits for a full load
   * of a large tenant just because a minute went by.
   */
  private refreshIfOld(tenant: string, entry: Entry): void {
    const now = this.now();
    if (now - entry.loadedAt < MAX_AGE_MS || now - (this.refreshTried.get(tenant) ?? 0) < REFRESH_RETRY_MS) return;
    const key = `${tenant}@full`;
    if (this.loading.has(key)) return;
    this.refreshTried.set(tenant, now);
    if (this.refreshTried.size > MAX_TENANTS) this.refreshTried.delete(this.refreshTried.keys().next().value as string);
    const pending = this.state
      .epoch(tenant)
      .then((epoch) => this.full(tenant, epoch))
      .then((fresh) => this.reconcile(tenant, fresh))
      .finally(() => this.loading.delete(key));
    this.loading.set(key, pending);
    // Failures leave the current snapshot in place; the next read tries again.
    pending.catch(() => undefined);
  }

  /** When each tenant's background refresh was last started (bounded like the entries). */
  private readonly refreshTried = new Map<string, number>();

  /**
   * Applies a background full load: only the records whose version or parent differ from the
   * current snapshot (or that appeared or vanished) are swapped in, so rendered trees of
   * everything else stay cached. If the epoch moved meanwhile, the load is dropped (the current
   * snapshot is newer) and retried later.
   */
  private reconcile(tenant: string, fresh: Entry): Entry {
    const current = this.entries.get(tenant);
    if (!current) return this.store(tenant, fresh);
    if (current.epoch !== fresh.epoch) return current;
    const old = current.hierarchy;
    const changed: CategoryRecord[] = [];
    for (const r of fresh.hierarchy.byId.values()) {
      const was = old.byId.get(r._id);
      if (!was || was.metadata.version !== r.metadata.version || was.parentId !== r.parentId) changed.push(r);
    }
    const removed = [...old.byId.keys()].filter((id) => !fresh.hierarchy.byId.has(id));
    let hierarchy = old;
    if (changed.length || removed.length) {
      hierarchy = old.withChanges(changed, removed);
      inheritTreeJson(old, hierarchy);
    }
    return this.store(tenant, { epoch: fresh.epoch, loadedAt: fresh.loadedAt, hierarchy });
  }

  private async full(tenant: string, epoch: number): Promise<Entry> {
    const records = await this.categories.snapshotRecords(tenant);
    this.stats.full++;
    return { epoch, loadedAt: this.now(), hierarchy: new Hierarchy(records) };
  }

  private async load(tenant: string, epoch: number, base: Entry | undefined, last: ChangeLogEntry | undefined): Promise<Entry> {
    let entry: Entry | undefined;
    if (base && base.epoch < epoch) {
      const oneStep = base.epoch + 1 === epoch ? idsSince(last ? [last] : [], base.epoch, epoch) : undefined;
      entry = oneStep ? await this.apply(tenant, base, epoch, oneStep) : await this.catchUp(tenant, base);
    }
    entry ??= await this.full(tenant, epoch);
    return this.store(tenant, entry);
  }

  /** Keeps `entry` unless a newer one is already there; returns it either way. */
  private store(tenant: string, entry: Entry): Entry {
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
