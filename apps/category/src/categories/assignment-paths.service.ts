import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import type { Logger } from 'pino';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { CategoriesRepository } from './categories.repository';
import { CategoryStateRepository } from './category-state.repository';
import type { CategoryRecord } from './category.types';
import { HierarchyLock } from './hierarchy-lock';

/** Rounds of "write the path, read the ancestry again" before an assignment write gives up on a moving category. */
const SETTLE_ROUNDS = 5;

/**
 * The `categoryPath` of assignments (the category's ancestors, root first, then the category):
 * what lets op 11 with `withSubcategories` ask for "every assignment at or below X" with one
 * indexed equality instead of an `$in` of every category below X (README "Assignments under a
 * subtree"). It is a materialisation like the categories' `ancestorIds`, kept by the same writes:
 *
 * - an assignment is written with its category's ancestry, which is read again afterwards: if a
 *   move changed it meanwhile, the path is written again until the ancestry holds still;
 * - a move rewrites the paths below the moved category right after the categories' ancestry,
 *   a delete that promotes children pulls the deleted category and its ancestors out of them;
 *   both mark the category in the tenant's state first (`pathsPending`) and clear the mark when
 *   done, so listings fall back to the category `$in` while paths may be half-rewritten (and
 *   after a writer died midway, until op 24 repairs the tree);
 * - assignments without a path (written before paths existed) make listings fall back too, and
 *   are given their paths in the background under the hierarchy lock.
 */
@Injectable()
export class AssignmentPathsService {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly categories: CategoriesRepository,
    private readonly state: CategoryStateRepository,
    private readonly lock: HierarchyLock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The path of an assignment of `category`, from its materialised ancestry. */
  pathOf(category: Pick<CategoryRecord, '_id' | 'ancestorIds'>): string[] {
    return [...(category.ancestorIds ?? []), category._id];
  }

  /**
   * After writing `ids` (assignments of `categoryId`) with `path`: reads the category's ancestry
   * again and rewrites their path until it holds still. A move that rewrote the paths before
   * these assignments existed, or that read them before this write, is caught here; any later
   * move rewrites them itself.
   */
  async settle(tenant: string, categoryId: string, ids: readonly string[], path: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    let written = path;
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const category = await this.categories.findById(tenant, categoryId);
      // Deleted meanwhile: the delete removes assignments written while it ran.
      if (!category) return;
      const now = this.pathOf(category);
      if (samePath(now, written)) return;
      await this.assignments.setPathOf(tenant, ids, now);
      written = now;
    }
    // Still moving after several rounds: the paths are marked as not to be trusted until op 24.
    await this.state.markPathsPending(tenant, categoryId);
  }

  /** Before a hierarchy write rewrites the paths at and below `id`. */
  begin(tenant: string, id: string): Promise<void> {
    return this.state.markPathsPending(tenant, id);
  }

  /** The write that `begin` announced changed nothing (refused before writing). */
  abandon(tenant: string, id: string): Promise<void> {
    return this.state.clearPathsPending(tenant, [id]);
  }

  /** After a move gave `id` the ancestry `ancestors` (and its descendants theirs): the paths follow. */
  async moved(tenant: string, id: string, ancestors: readonly string[]): Promise<void> {
    await this.assignments.reparentPaths(tenant, id, ancestors);
    await this.state.clearPathsPending(tenant, [id]);
  }

  /** After `id` was deleted and its children promoted: `id` and its ancestors leave the paths below it. */
  async promoted(tenant: string, id: string, removed: readonly string[]): Promise<void> {
    await this.assignments.pullFromPaths(tenant, id, removed);
  }

  /** The end of a write that `begin` announced. */
  done(tenant: string, id: string): Promise<void> {
    return this.state.clearPathsPending(tenant, [id]);
  }

  /**
   * Op 24: every assignment of the tree's categories gets the path of the repaired ancestry, and
   * the tree's marks are cleared. `ancestry` holds every category of the tree.
   */
  async repair(tenant: string, ancestry: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const paths = [...ancestry].map(([categoryId, ancestors]) => ({ categoryId, path: [...ancestors, categoryId] }));
    for (let i = 0; i < paths.length; i += 1000) await this.assignments.setPaths(tenant, paths.slice(i, i + 1000), false);
    await this.state.clearPathsPending(tenant, [...ancestry.keys()]);
  }

  /**
   * Whether every assignment of the tenant has a path. When not, the missing ones are filled in
   * the background (once at a time per tenant and process); the caller falls back meanwhile.
   */
  async complete(tenant: string): Promise<boolean> {
    if (!(await this.assignments.hasPathless(tenant))) return true;
    if (!this.backfilling.has(tenant)) {
      const work = this.backfill(tenant)
        .catch((e: unknown) => this.logger.warn({ tenant, err: e }, 'assignment path backfill failed; the next listing tries again'))
        .finally(() => this.backfilling.delete(tenant));
      this.backfilling.set(tenant, work);
    }
    return false;
  }

  /** Tenants whose backfill runs in this process (the promise, for tests). */
  readonly backfilling = new Map<string, Promise<void>>();

  /**
   * Under the hierarchy lock, so no move rewrites paths meanwhile: the categories of the
   * assignments without a path, with their ancestry, give the paths. An assignment whose category
   * is gone gets a path of its own id (it is in no subtree).
   */
  private async backfill(tenant: string): Promise<void> {
    await this.lock.run(tenant, async (lease) => {
      for (let round = 0; round < 3 && (await this.assignments.hasPathless(tenant)); round++) {
        const ids = await this.assignments.categoryIdsWithoutPath(tenant);
        for (let i = 0; i < ids.length; i += 1000) {
          const chunk = ids.slice(i, i + 1000);
          const found = new Map((await this.categories.findByIds(tenant, chunk, { _id: 1, ancestorIds: 1 })).map((c) => [c._id, c]));
          await lease.confirm();
          await this.assignments.setPaths(
            tenant,
            chunk.map((id) => ({ categoryId: id, path: found.has(id) ? this.pathOf(found.get(id)!) : [id] })),
            true,
          );
        }
      }
    });
  }
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
