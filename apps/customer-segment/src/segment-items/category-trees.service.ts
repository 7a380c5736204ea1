import { Inject, Injectable } from '@nestjs/common';
import { codedJsonAnswer, gzipJson, Outcome, selectLanguages } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { CategoryClient } from '../clients/category.client';
import { readerOf } from '../common/reader';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { SegmentVisibility } from '../visibility/segment-visibility.service';
import { PrunedTreeMemo } from './category-tree-memo';
import { CategoryTreesQueryDto } from './dto/item-assignment-query.dto';
import { ItemAssignmentsRepository } from './item-assignments.repository';

/**
 * `GET /segments/items/category-trees` (segment §3.22, §8): the published category trees of the
 * caller's visible segments, pruned to the assigned categories, their subtrees and ancestors.
 * Always the caller's own view, whatever other scopes the token holds.
 */
@Injectable()
export class CategoryTreesService {
  private readonly pruned = new PrunedTreeMemo();
  /** The gzip form of each remembered answer, made once (the answer is the memo's own Buffer). */
  private readonly gzipped = new WeakMap<Buffer, Buffer | null>();

  constructor(
    private readonly visibility: SegmentVisibility,
    private readonly items: ItemAssignmentsRepository,
    private readonly categories: CategoryClient,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  /**
   * The answer is its JSON text (`SegmentTreeNode[]`, `category-tree.ts`): the same for every
   * customer of the same segments as long as the category service answers the same bytes, and
   * sent gzip-coded, compressed once per such answer, when the client accepts it.
   */
  async trees(ctx: RequestContext, query: CategoryTreesQueryDto, acceptEncoding?: string): Promise<Outcome<Buffer>> {
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId }, { ownOnly: true });
    const languages = selectLanguages(ctx.acceptLanguage, this.settings.languages.languagesOf(ctx.tenant));
    const segmentIds = await this.visibility.visibleIds(ctx.tenant, reader, { siteCode: query.siteCode });
    const assigned = await this.items.itemIds(ctx.tenant, segmentIds, 'CATEGORY');
    // §8.1: nothing assigned, nothing to ask the category service.
    if (assigned.length === 0) return codedJsonAnswer({ json: () => EMPTY }, acceptEncoding);
    const roots = await this.categories.treesContaining(ctx, assigned);
    const json = this.pruned.json(roots, assigned, languages);
    return codedJsonAnswer({ json: () => json, gzip: () => this.gzipOf(json) }, acceptEncoding);
  }

  private gzipOf(json: Buffer): Buffer | undefined {
    let coded = this.gzipped.get(json);
    if (coded === undefined) this.gzipped.set(json, (coded = gzipJson(json) ?? null));
    return coded ?? undefined;
  }
}

const EMPTY = Buffer.from('[]');
