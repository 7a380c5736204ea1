import { Injectable } from '@nestjs/common';
import { ApiError, ErrorDetail, newUuid } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { CATEGORY_SCOPES } from '../category.scopes';
import { categoryNotFound, duplicateCategory, missingScope, typeImmutable, versionConflict } from '../shared/category.errors';
import { CATEGORY_EVENT, CategoryEvents } from '../shared/category-events';
import { allowedWriteLanguages, TenantLanguages } from '../shared/languages';
import { QueryReader } from '../shared/query-params';
import type { RequestMeta } from '../shared/request-meta';
import { CategoriesRepository, CategoryUniqueViolation } from './categories.repository';
import { applyCategoryPatch, contentUpdate, newRecord } from './category-content';
import { CategoryHierarchyService } from './category-hierarchy.service';
import { CATEGORY_ID_PATTERN, CategoryWrite, checkResultingContent, parseCategoryPatch, parseCategoryWrite, RESERVED_CATEGORY_IDS, WriteLanguages } from './category-input';
import { CategoryStateRepository } from './category-state.repository';
import { categoryEventData } from './category.mapper';
import type { CategoryContent, CategoryRecord } from './category.types';
import { HierarchyLock } from './hierarchy-lock';

/** How often a PUT without `metadata.version` re-reads after losing a race (META-5.4). */
const REPLACE_ATTEMPTS = 3;

/** Result of an upsert: created (201 with id) or replaced (204). */
export type UpsertResult = { created: true; id: string } | { created: false };

/**
 * Category writes: create (op 2), replace-or-create (op 6) and merge patch (op 7). Checks run in
 * the order of §3.10: syntax → 404 → publish scopes → version → hierarchy rules → uniqueness.
 */
@Injectable()
export class CategoriesService {
  constructor(
    private readonly categories: CategoriesRepository,
    private readonly state: CategoryStateRepository,
    private readonly hierarchy: CategoryHierarchyService,
    private readonly lock: HierarchyLock,
    private readonly events: CategoryEvents,
    private readonly languages: TenantLanguages,
  ) {}

  async create(auth: AuthContext, meta: RequestMeta, body: unknown, query: Record<string, unknown>): Promise<string> {
    const { publish, langs, problems } = this.writeRequest(auth.tenant, meta, query);
    const write = parseCategoryWrite(body, 'create', langs, publish, undefined, problems);
    checkResultingContent(write.content);
    if (write.content.published) requirePublishScope(auth);
    const id = write.id ?? newUuid();
    const record = await this.insert(auth.tenant, id, write.content);
    await this.afterWrite(auth, meta, [{ record, type: CATEGORY_EVENT.created }]);
    return id;
  }

  async replace(auth: AuthContext, meta: RequestMeta, id: string, body: unknown, query: Record<string, unknown>): Promise<UpsertResult> {
    const { publish, langs, problems } = this.writeRequest(auth.tenant, meta, query);
    // A path id that breaks §4.1 names no stored category (every write enforces the rules), so this
    // PUT can only be a create: a 400, listed with the other problems (ERR-6).
    if (!CATEGORY_ID_PATTERN.test(id)) problems.push({ field: 'categoryId', type: 'invalid_format', message: `must match ${CATEGORY_ID_PATTERN.source}` });
    else if (RESERVED_CATEGORY_IDS.includes(id)) problems.push({ field: 'categoryId', type: 'invalid_value', message: `'${id}' is reserved` });
    const write = parseCategoryWrite(body, 'replace', langs, publish, id, problems);
    // META-5.4: the write is guarded by the version this request read (whether it moves the
    // category depends on that read). Without a client version a miss means "someone wrote in
    // between": re-read and decide again, up to 3 times; with one, the first miss is the 409.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.replaceOnce(auth, meta, id, write);
      } catch (e) {
        const raced = e instanceof ApiError && e.errorCode === 'version_conflict' && write.version === undefined;
        if (!raced || attempt >= REPLACE_ATTEMPTS) throw e;
      }
    }
  }

  private async replaceOnce(auth: AuthContext, meta: RequestMeta, id: string, write: CategoryWrite): Promise<UpsertResult> {
    const current = await this.categories.findById(auth.tenant, id);
    if (!current) {
      // PUT-create: the path id is a custom id (§4.1, checked in `replace`); a supplied version is ignored (META-5.3).
      checkResultingContent(write.content);
      if (write.content.published) requirePublishScope(auth);
      const record = await this.insert(auth.tenant, id, write.content);
      await this.afterWrite(auth, meta, [{ record, type: CATEGORY_EVENT.created }]);
      return { created: true, id };
    }
    // `type` is optional on update and immutable: without one the stored type is kept (§4.2).
    const content: CategoryContent = write.typeGiven ? write.content : { ...write.content, type: current.type };
    checkResultingContent(content);
    requireStateScopes(auth, current.published, content.published);
    if (write.version !== undefined && write.version !== current.metadata.version) throw versionConflict(id, write.version, current.metadata.version);
    if (content.type !== current.type) throw typeImmutable(current.type);
    // Never unguarded: a PUT that keeps the parent it read must not undo a move (or a promotion
    // to root) that landed after that read, which would leave the ancestry behind (§4.3).
    const record = await this.store(auth.tenant, current, content, write.version ?? current.metadata.version, () => content);
    await this.afterWrite(auth, meta, [{ record, type: CATEGORY_EVENT.updated }]);
    return { created: false };
  }

  async patch(auth: AuthContext, meta: RequestMeta, id: string, body: unknown, query: Record<string, unknown>): Promise<void> {
    const { publish, langs, problems } = this.writeRequest(auth.tenant, meta, query);
    const patch = parseCategoryPatch(body, langs, publish, problems);
    const current = CATEGORY_ID_PATTERN.test(id) ? await this.categories.findById(auth.tenant, id) : null;
    if (!current) throw categoryNotFound(id);
    const content = applyCategoryPatch(current, patch);
    checkResultingContent(content);
    requireStateScopes(auth, current.published, content.published);
    if (patch.version !== current.metadata.version) throw versionConflict(id, patch.version, current.metadata.version);
    const record = await this.store(auth.tenant, current, content, patch.version, (fresh) => applyCategoryPatch(fresh, patch));
    await this.afterWrite(auth, meta, [{ record, type: CATEGORY_EVENT.updated }]);
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
      const updated = await this.logOnFailure(tenant, current._id, () => this.unique(current._id, () => this.categories.update(tenant, current._id, expectedVersion, set, unset)));
      return updated ?? this.missed(tenant, current._id, expectedVersion);
    }
    return this.lock.run(tenant, async (lease) => {
      const fresh = await this.categories.findById(tenant, current._id);
      if (!fresh) throw categoryNotFound(current._id);
      if (expectedVersion !== undefined && fresh.metadata.version !== expectedVersion) throw versionConflict(fresh._id, expectedVersion, fresh.metadata.version);
      const next = recompute(fresh);
      checkResultingContent(next);
      const ancestry = next.parentId === fresh.parentId ? fresh.ancestorIds : await this.hierarchy.placement(tenant, fresh._id, next.type, next.parentId);
      await lease.confirm();
      const { set, unset } = contentUpdate(next, now, ancestry);
      return this.logOnFailure(tenant, fresh._id, async () => {
        const updated = await this.unique(fresh._id, () => this.categories.update(tenant, fresh._id, expectedVersion ?? fresh.metadata.version, set, unset));
        if (!updated) return this.missed(tenant, fresh._id, expectedVersion ?? fresh.metadata.version);
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

  /**
   * What a write reads besides its body: the `publish` parameter and the `Content-Language` key
   * rules (LOC-4). Their problems are collected, not thrown, so that the 400 lists them together
   * with the body's (ERR-6); with an unusable header the body keys are checked against every
   * tenant language.
   */
  private writeRequest(tenant: string, meta: RequestMeta, query: Record<string, unknown>): { publish?: boolean; langs: WriteLanguages; problems: ErrorDetail[] } {
    const reader = new QueryReader(query);
    const publish = reader.raw('publish') === undefined ? undefined : reader.bool('publish');
    const problems = [...reader.details];
    const tenantLanguages = this.languages.of(tenant);
    let allowed: readonly string[] | null = null;
    try {
      allowed = allowedWriteLanguages(meta.contentLanguage, tenantLanguages);
    } catch (e) {
      if (!(e instanceof ApiError) || e.errorCode !== 'validation_failed') throw e;
      problems.push(...e.details);
    }
    // An unreadable `publish` is reported above and must not also be compared with the body.
    return { publish: reader.details.length ? undefined : publish, langs: { tenant: tenantLanguages, allowed }, problems };
  }

  private async afterWrite(auth: AuthContext, meta: RequestMeta, changes: Array<{ record: CategoryRecord; type: (typeof CATEGORY_EVENT)['created' | 'updated'] }>): Promise<void> {
    // Trees cached by any process are stale from here on (§6); bump before answering. Only the
    // written category is logged: a move rewrites its descendants' ancestry, which snapshots do
    // not hold (trees come from parentId).
    await this.state.bumpEpoch(auth.tenant, changes.map((c) => c.record._id));
    const languages = this.languages.of(auth.tenant);
    await this.events.emit(
      auth,
      meta.requestId,
      changes.map(({ record, type }) => ({ type, subject: record._id, version: record.metadata.version, time: record.metadata.modifiedAt, data: categoryEventData(record, auth.tenant, languages) })),
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
