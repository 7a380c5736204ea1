import { Injectable } from '@nestjs/common';
import { EVENT_SUBJECTS, EVENT_TYPES, Outcome, TenantLanguages } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvent, ChangeEvents } from '@suite/persistence';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import type { AssignmentRecord } from '../assignments/assignment.types';
import { categoryNotFound, deleteRootRejected } from '../common/category.errors';
import { CategoriesRepository } from './categories.repository';
import { CategoryStateRepository } from './category-state.repository';
import { categoryEventData } from './category.mapper';
import { CATEGORY_ID_PATTERN, CategoryRecord } from './category.types';
import type { DeleteCategoryQueryDto } from './dto/category-query.dto';
import { HierarchyLock } from './hierarchy-lock';

const CATEGORY_EVENT = EVENT_TYPES.category;

/**
 * Op 8 (§5.7). Without transactions (EVT-4), the steps are ordered so that an interrupted delete
 * leaves the addressed category in place and a repeated request completes the work: assignments
 * first, then (without subcategories) the children's ancestry and their promotion to roots, then
 * the categories deepest first with the addressed one last, then once more the assignments
 * written meanwhile. All under the tenant's hierarchy lock, so no move or create interleaves.
 */
@Injectable()
export class CategoryDeletionService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly state: CategoryStateRepository,
    private readonly lock: HierarchyLock,
    private readonly events: ChangeEvents,
    private readonly languages: TenantLanguages,
  ) {}

  async delete(ctx: RequestContext, id: string, query: DeleteCategoryQueryDto): Promise<Outcome<never>> {
    // §5.7: `recursive` is the legacy alias; `withSubcategories` wins when both are sent.
    const withSubcategories = query.withSubcategories ?? query.recursive ?? false;
    if (!CATEGORY_ID_PATTERN.test(id)) throw categoryNotFound(id);
    const tenant = ctx.tenant;
    // The categories this delete may change (deleted, promoted), for the tree epoch's change log;
    // undefined until known, which logs "everything" if the delete fails midway.
    let touched: string[] | undefined = [];
    let started = false;
    try {
      const changes = await this.lock.run(tenant, async (lease) => {
        const category = await this.categories.findById(tenant, id);
        if (!category) throw categoryNotFound(id);
        if (!withSubcategories) {
          if (category.parentId === undefined && (await this.categories.hasChildren(tenant, id))) throw deleteRootRejected(id);
          await lease.confirm();
          started = true;
          touched = undefined;
          return this.deleteAndPromote(tenant, category, (ids) => (touched = ids));
        }
        await lease.confirm();
        started = true;
        touched = undefined;
        return this.deleteSubtree(tenant, category, (ids) => (touched = ids));
      });
      await this.state.bumpEpoch(tenant, touched);
      await this.events.emit(ctx, ...changes);
    } catch (e) {
      // A delete interrupted after it began writing still invalidates every process's snapshot.
      if (started) await this.state.bumpEpoch(tenant, touched).catch(() => undefined);
      throw e;
    }
    return Outcome.noContent();
  }

  /** `touching` learns which categories the delete changes before any of them is written. */
  private async deleteAndPromote(tenant: string, category: CategoryRecord, touching: (ids: string[]) => void): Promise<ChangeEvent[]> {
    const id = category._id;
    const removedAssignments = await this.removeAssignments(tenant, [id]);
    // Descendants (and their assignments' paths) first lose the deleted category and its
    // ancestors from their ancestry, then the direct children drop their parentId: a repeat after
    // an interruption redoes whatever is left. Listings do not trust the paths meanwhile.
    await this.state.markPathsPending(tenant, id);
    await this.categories.pullAncestors(tenant, id, [...category.ancestorIds, id]);
    await this.assignments.pullFromPaths(tenant, id, [...category.ancestorIds, id]);
    const now = new Date();
    const children = await this.categories.findChildren(tenant, [id], { _id: 1 });
    // The children are read under the lock: no create can add one before promoteChildren runs.
    touching([id, ...children.map((c) => c._id)]);
    await this.categories.promoteChildren(tenant, id, now);
    await this.categories.deleteByIds(tenant, [id]);
    const late = await this.removeAssignments(tenant, [id]);
    await this.state.clearPathsPending(tenant, [id]);
    const promoted = await this.categories.findByIds(
      tenant,
      children.map((c) => c._id),
    );
    const languages = this.languages.languagesOf(tenant);
    return [
      ...this.assignmentDeletions(tenant, [...removedAssignments, ...late]),
      ...promoted.map((c) => ({
        type: CATEGORY_EVENT.updated,
        subject: c._id,
        version: c.metadata.version,
        time: now,
        data: categoryEventData(c, tenant, languages),
      })),
      categoryDeletion(category, now),
    ];
  }

  private async deleteSubtree(tenant: string, category: CategoryRecord, touching: (ids: string[]) => void): Promise<ChangeEvent[]> {
    const id = category._id;
    const descendants = await this.categories.findDescendants(tenant, id, undefined, { _id: 1, depth: 1, metadata: 1 });
    const ids = [...descendants.map((d) => d._id), id];
    touching(ids);
    const removedAssignments = await this.removeAssignments(tenant, ids);
    // Deepest level first, so an interruption never leaves a category whose parent is gone.
    const byDepth = new Map<number, CategoryRecord[]>();
    for (const d of descendants) byDepth.set(d.depth, [...(byDepth.get(d.depth) ?? []), d]);
    const levels = [...byDepth.keys()].sort((a, b) => b - a);
    for (const level of levels)
      await this.categories.deleteByIds(
        tenant,
        byDepth.get(level)!.map((d) => d._id),
      );
    await this.categories.deleteByIds(tenant, [id]);
    const late = await this.removeAssignments(tenant, ids);
    const now = new Date();
    return [
      ...this.assignmentDeletions(tenant, [...removedAssignments, ...late]),
      ...levels.flatMap((level) => byDepth.get(level)!.map((d) => categoryDeletion(d, now))),
      categoryDeletion(category, now),
    ];
  }

  private async removeAssignments(tenant: string, categoryIds: string[]): Promise<AssignmentRecord[]> {
    const filter = { categoryId: { $in: categoryIds } };
    const found = await this.assignments.find(tenant, filter);
    if (found.length) await this.assignments.deleteMany(tenant, { _id: { $in: found.map((a) => a._id) } });
    return found;
  }

  /** The same payload as the assignment endpoints' own `assignment.deleted` (ops 13, 17, 18, 20). */
  private assignmentDeletions(tenant: string, removed: AssignmentRecord[]): ChangeEvent[] {
    const now = new Date();
    return removed.map((a) => ({
      type: CATEGORY_EVENT.assignmentDeleted,
      subject: EVENT_SUBJECTS.categoryAssignment(a.categoryId, a._id),
      version: a.metadata.version,
      time: now,
      data: { id: a._id, categoryId: a.categoryId, ref: { id: a.ref.id, type: a.ref.type }, tenant },
    }));
  }
}

function categoryDeletion(c: CategoryRecord, now: Date): ChangeEvent {
  return { type: CATEGORY_EVENT.deleted, subject: c._id, version: c.metadata.version, time: now, data: { id: c._id } };
}
