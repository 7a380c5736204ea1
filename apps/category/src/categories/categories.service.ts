import { Injectable } from '@nestjs/common';
import { ApiError, EVENT_TYPES, newUuid, Outcome, TenantLanguages } from '@suite/api-kit';
import type { AuthContext, RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { CATEGORY_SCOPES } from '../category.scopes';
import { categoryNotFound, duplicateCategory, missingScope, typeImmutable, versionConflict } from '../common/category.errors';
import type { IdResponseDto } from '../common/dto/id.response.dto';
import { WriteLanguages, writableLanguages } from '../common/localization';
import { CategoriesRepository, CategoryUniqueViolation } from './categories.repository';
import { applyCategoryPatch, contentOfBody, contentUpdate, newRecord, patchOfBody } from './category-content';
import { CategoryHierarchyService } from './category-hierarchy.service';
import { CategoryStateRepository } from './category-state.repository';
import { categoryEventData } from './category.mapper';
import { CATEGORY_ID_PATTERN, CategoryContent, CategoryRecord } from './category.types';
import { checkCategoryDocument } from './dto/category-document.dto';
import type { CreateCategoryDto } from './dto/create-category.dto';
import type { PatchCategoryDto } from './dto/patch-category.dto';
import type { ReplaceCategoryDto } from './dto/replace-category.dto';
import { HierarchyLock } from './hierarchy-lock';

const CATEGORY_EVENT = EVENT_TYPES.category;

/** How often a PUT without `metadata.version` re-reads after losing a race (META-5.4). */
const REPLACE_ATTEMPTS = 3;

/** A PUT body as content, and what it says about the stored category. */
interface CategoryWrite {
  content: CategoryContent;
  /**
   * Whether the body named a `type`. Without one, `content.type` is the create default
   * (`STANDARD`); a PUT on an existing category keeps the stored type instead (§4.2).
   */
  typeGiven: boolean;
  /** The optional lock of §4.5. */
  version?: number;
}

function location(tenant: string, id: string): string {
  return `/category/${tenant}/categories/${encodeURIComponent(id)}`;
}

/**
 * Category writes: create (op 2), replace-or-create (op 6) and merge patch (op 7). Checks run in
 * the order of §3.10: syntax (the request's validation step) → 404 → publish scopes → version →
 * hierarchy rules → uniqueness.
 */
@Injectable()
export class CategoriesService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly state: CategoryStateRepository,
    private readonly hierarchy: CategoryHierarchyService,
    private readonly lock: HierarchyLock,
    private readonly events: ChangeEvents,
    private readonly languages: TenantLanguages,
  ) {}

  async create(ctx: RequestContext, body: CreateCategoryDto): Promise<Outcome<IdResponseDto>> {
    const content = contentOfBody(body, body.metadata?.mixins, this.writeLanguages(ctx));
    checkCategoryDocument(content);
    if (content.published) requirePublishScope(ctx.auth);
    const id = body.id ?? newUuid();
    const record = await this.insert(ctx.tenant, id, content);
    await this.afterWrite(ctx, [{ record, type: CATEGORY_EVENT.created }]);
    return Outcome.created(location(ctx.tenant, id), { id });
  }

  async replace(ctx: RequestContext, id: string, body: ReplaceCategoryDto): Promise<Outcome<IdResponseDto>> {
    const write: CategoryWrite = {
      content: contentOfBody(body, body.metadata?.mixins, this.writeLanguages(ctx)),
      typeGiven: body.type !== undefined && body.type !== null,
      version: body.metadata?.version ?? undefined,
    };
    // META-5.4: the write is guarded by the version this request read (whether it moves the
    // category depends on that read). Without a client version a miss means "someone wrote in
    // between": re-read and decide again, up to 3 times; with one, the first miss is the 409.
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.replaceOnce(ctx, id, write);
        return Outcome.upserted(created, location(ctx.tenant, id), { id });
      } catch (e) {
        const raced = e instanceof ApiError && e.errorCode === 'version_conflict' && write.version === undefined;
        if (!raced || attempt >= REPLACE_ATTEMPTS) throw e;
      }
    }
  }

  /** One attempt of a PUT; true when it created the category. */
  private async replaceOnce(ctx: RequestContext, id: string, write: CategoryWrite): Promise<boolean> {
    const current = await this.categories.findById(ctx.tenant, id);
    if (!current) {
      // PUT-create: the path id is a custom id (§4.1, checked with the path); a supplied version is ignored (META-5.3).
      checkCategoryDocument(write.content);
      if (write.content.published) requirePublishScope(ctx.auth);
      const record = await this.insert(ctx.tenant, id, write.content);
      await this.afterWrite(ctx, [{ record, type: CATEGORY_EVENT.created }]);
      return true;
    }
    // `type` is optional on update and immutable: without one the stored type is kept (§4.2).
    const content: CategoryContent = write.typeGiven ? write.content : { ...write.content, type: current.type };
    checkCategoryDocument(content);
    requireStateScopes(ctx.auth, current.published, content.published);
    if (write.version !== undefined && write.version !== current.metadata.version)
      throw versionConflict(id, write.version, current.metadata.version);
    if (content.type !== current.type) throw typeImmutable(current.type);
    // Never unguarded: a PUT that keeps the parent it read must not undo a move (or a promotion
    // to root) that landed after that read, which would leave the ancestry behind (§4.3).
    const record = await this.store(ctx.tenant, current, content, write.version ?? current.metadata.version, () => content);
    await this.afterWrite(ctx, [{ record, type: CATEGORY_EVENT.updated }]);
    return false;
  }

  async patch(ctx: RequestContext, id: string, body: PatchCategoryDto): Promise<Outcome<never>> {
    const patch = patchOfBody(body, this.writeLanguages(ctx));
    const current = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(ctx.tenant, id) : null;
    if (!current) throw categoryNotFound(id);
    // The merge-patch result is judged as a whole (validateDto of the document rules).
    const content = applyCategoryPatch(current, patch);
    checkCategoryDocument(content);
    requireStateScopes(ctx.auth, current.published, content.published);
    if (patch.version !== current.metadata.version) throw versionConflict(id, patch.version, current.metadata.version);
    const record = await this.store(ctx.tenant, current, content, patch.version, (fresh) => applyCategoryPatch(fresh, patch));
    await this.afterWrite(ctx, [{ record, type: CATEGORY_EVENT.updated }]);
    return Outcome.noContent();
  }

  /** Inserts a new category; under the hierarchy lock when it gets a parent (the parent must not vanish or move meanwhile). */
  private async insert(tenant: string, id: string, content: CategoryContent): Promise<CategoryRecord> {
    const now = new Date();
    const work = async (ancestry: string[]) => {
      const record = newRecord(id, content, ancestry, now);
      await this.logOnFailure(tenant, id, () => this.unique(id, () => this.categories.insert(tenant, record)));
      return record;
    };
    if (content.parentId === undefined) return work([]);
    return this.lock.run(tenant, async (lease) => {
      const ancestry = await this.hierarchy.placement(tenant, id, content.type, content.parentId);
      await lease.confirm();
      return work(ancestry);
    });
  }

  /**
   * Writes new content over `current`. Without a parent change it is one compare-and-set (META-5.4).
   * A parent change runs under the hierarchy lock: the category is re-read, the content recomputed
   * from the fresh state (`recompute`), the new place checked (missing parent, type, cycle), then
   * the category and its descendants' ancestry are written.
   */
  private async store(
    tenant: string,
    current: CategoryRecord,
    content: CategoryContent,
    expectedVersion: number | undefined,
    recompute: (fresh: CategoryRecord) => CategoryContent,
  ): Promise<CategoryRecord> {
    const now = new Date();
    if (content.parentId === current.parentId) {
      const { set, unset } = contentUpdate(content, now);
      const updated = await this.logOnFailure(tenant, current._id, () =>
        this.unique(current._id, () => this.categories.update(tenant, current._id, expectedVersion, set, unset)),
      );
      return updated ?? this.missed(tenant, current._id, expectedVersion);
    }
    return this.lock.run(tenant, async (lease) => {
      const fresh = await this.categories.findById(tenant, current._id);
      if (!fresh) throw categoryNotFound(current._id);
      if (expectedVersion !== undefined && fresh.metadata.version !== expectedVersion)
        throw versionConflict(fresh._id, expectedVersion, fresh.metadata.version);
      const next = recompute(fresh);
      checkCategoryDocument(next);
      const ancestry =
        next.parentId === fresh.parentId ? fresh.ancestorIds : await this.hierarchy.placement(tenant, fresh._id, next.type, next.parentId);
      await lease.confirm();
      const { set, unset } = contentUpdate(next, now, ancestry);
      return this.logOnFailure(tenant, fresh._id, async () => {
        // Listings stop trusting the assignment paths below it until the subtree is rewritten.
        await this.hierarchy.beginRewrite(tenant, fresh._id);
        let updated: CategoryRecord | null;
        try {
          updated = await this.unique(fresh._id, () =>
            this.categories.update(tenant, fresh._id, expectedVersion ?? fresh.metadata.version, set, unset),
          );
        } catch (e) {
          // Refused before writing (a duplicate code): nothing to rewrite.
          if (e instanceof ApiError && e.httpStatus < 500) await this.hierarchy.abandonRewrite(tenant, fresh._id);
          throw e;
        }
        if (!updated) {
          await this.hierarchy.abandonRewrite(tenant, fresh._id);
          return this.missed(tenant, fresh._id, expectedVersion ?? fresh.metadata.version);
        }
        // The category carries its new ancestry; now its subtree (a repeated move or op 24 completes an interruption).
        await this.hierarchy.rewriteDescendants(tenant, fresh._id, ancestry);
        return updated;
      });
    });
  }

  /**
   * Runs a category write; if it fails in a way that may have changed the stored category (a
   * lost connection after the write, a move whose subtree rewrite failed), the id still goes to
   * the tree epoch's change log, so no process keeps serving a snapshot that misses the change.
   * Expected refusals (409 duplicate, version miss, 404) did not write and are not logged.
   */
  private async logOnFailure<T>(tenant: string, id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof ApiError) || e.httpStatus >= 500) await this.state.bumpEpoch(tenant, [id]).catch(() => undefined);
      throw e;
    }
  }

  /** A guarded write matched nothing: gone (404) or moved on (409). */
  private async missed(tenant: string, id: string, expected: number | undefined): Promise<never> {
    const now = await this.categories.findById(tenant, id);
    if (!now) throw categoryNotFound(id);
    throw versionConflict(id, expected ?? now.metadata.version, now.metadata.version);
  }

  private async unique<T>(id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof CategoryUniqueViolation) throw duplicateCategory(e.rule, id);
      throw e;
    }
  }

  /** LOC-4: the languages the body's maps may use (the validation step already checked the header). */
  private writeLanguages(ctx: RequestContext): WriteLanguages {
    const tenant = this.languages.languagesOf(ctx.tenant);
    return { tenant, allowed: writableLanguages(ctx.contentLanguage, tenant) };
  }

  private async afterWrite(
    ctx: RequestContext,
    changes: Array<{ record: CategoryRecord; type: (typeof CATEGORY_EVENT)['created' | 'updated'] }>,
  ): Promise<void> {
    // Trees cached by any process are stale from here on (§6); bump before answering. Only the
    // written category is logged: a move rewrites its descendants' ancestry, which snapshots do
    // not hold (trees come from parentId).
    await this.state.bumpEpoch(
      ctx.tenant,
      changes.map((c) => c.record._id),
    );
    const languages = this.languages.languagesOf(ctx.tenant);
    await this.events.emit(
      ctx,
      ...changes.map(({ record, type }) => ({
        type,
        subject: record._id,
        version: record.metadata.version,
        time: record.metadata.modifiedAt,
        data: categoryEventData(record, ctx.tenant, languages),
      })),
    );
  }
}

/** §3.2: publishing needs `category_publish`. */
function requirePublishScope(auth: AuthContext): void {
  if (!auth.hasScope(CATEGORY_SCOPES.publish)) throw missingScope(CATEGORY_SCOPES.publish);
}

/** §3.2: a state change needs the matching scope; an unchanged state needs neither. */
function requireStateScopes(auth: AuthContext, before: boolean, after: boolean): void {
  if (!before && after) requirePublishScope(auth);
  if (before && !after && !auth.hasScope(CATEGORY_SCOPES.unpublish)) throw missingScope(CATEGORY_SCOPES.unpublish);
}
