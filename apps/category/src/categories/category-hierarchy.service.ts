import { Injectable } from '@nestjs/common';
import { cycleRejected, parentNotFound, parentTypeMismatch } from '../common/category.errors';
import { AssignmentPathsService } from './assignment-paths.service';
import { CategoriesRepository } from './categories.repository';
import type { CategoryRecord, CategoryType } from './category.types';

/**
 * Hierarchy rules (§4.3) and the maintenance of the materialised ancestry. Callers hold the
 * tenant's hierarchy lock around `placement` and the writes that follow it.
 */
@Injectable()
export class CategoryHierarchyService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly paths: AssignmentPathsService,
  ) {}

  /**
   * Where a category `id` of `type` may go under `parentId` (`undefined` = root): the ancestry it
   * gets there. Rejects a missing parent, a parent of another type, and a parent that is the
   * category itself or one of its descendants (a cycle), in that order (§3.10 step 8).
   */
  async placement(tenant: string, id: string, type: CategoryType, parentId: string | undefined): Promise<string[]> {
    if (parentId === undefined) return [];
    const parent = await this.categories.findById(tenant, parentId);
    if (!parent) throw parentNotFound(parentId);
    if (parent.type !== type) throw parentTypeMismatch(parent.type, type);
    const chain = await this.verifiedChain(tenant, parent);
    if (parent._id === id || chain.includes(id)) throw cycleRejected(id);
    return [...chain, parent._id];
  }

  /**
   * The ancestors of `node`, root first, checked against the authoritative `parentId` links. The
   * materialised `ancestorIds` are used when every link agrees (one query); if a write was
   * interrupted and left them stale, the chain is walked by `parentId` instead, so the cycle
   * check never trusts stale data.
   */
  async verifiedChain(tenant: string, node: CategoryRecord): Promise<string[]> {
    const claimed = node.ancestorIds ?? [];
    const docs = await this.categories.findByIds(tenant, claimed, { _id: 1, parentId: 1 });
    const byId = new Map(docs.map((d) => [d._id, d]));
    const consistent =
      claimed.length === (node.depth ?? claimed.length) &&
      (claimed.length === 0 ? node.parentId === undefined : node.parentId === claimed[claimed.length - 1]) &&
      claimed.every((a, i) => byId.has(a) && byId.get(a)!.parentId === (i === 0 ? undefined : claimed[i - 1]));
    if (consistent) return claimed;
    return this.categories.chainByParent(tenant, node);
  }

  /** Before `id` gets a new ancestry: the assignment paths below it are not to be trusted until `rewriteDescendants`. */
  beginRewrite(tenant: string, id: string): Promise<void> {
    return this.paths.begin(tenant, id);
  }

  /** The write announced by `beginRewrite` was refused before it wrote anything. */
  abandonRewrite(tenant: string, id: string): Promise<void> {
    return this.paths.abandon(tenant, id);
  }

  /**
   * After `id` got the ancestry `ancestors`, gives every descendant, and every assignment at or
   * below it, the new prefix in one server-side multi-update each (never one round trip per node
   * or level).
   */
  async rewriteDescendants(tenant: string, id: string, ancestors: readonly string[]): Promise<number> {
    const n = await this.categories.reparentDescendants(tenant, id, ancestors);
    await this.paths.moved(tenant, id, ancestors);
    return n;
  }
}
