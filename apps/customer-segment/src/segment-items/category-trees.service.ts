import { Inject, Injectable } from '@nestjs/common';
import { Outcome, selectLanguages } from '@suite/api-kit';
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

  constructor(
    private readonly visibility: SegmentVisibility,
    private readonly items: ItemAssignmentsRepository,
    private readonly categories: CategoryClient,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  /**
   * The answer is its JSON text (`SegmentTreeNode[]`, `category-tree.ts`): the same for every
   * customer of the same segments as long as the category service answers the same bytes.
   */
  async trees(ctx: RequestContext, query: CategoryTreesQueryDto): Promise<Outcome<Buffer>> {
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId }, { ownOnly: true });
    const languages = selectLanguages(ctx.acceptLanguage, this.settings.languages.languagesOf(ctx.tenant));
    const segmentIds = await this.visibility.visibleIds(ctx.tenant, reader, { siteCode: query.siteCode });
    const assigned = await this.items.itemIds(ctx.tenant, segmentIds, 'CATEGORY');
    // §8.1: nothing assigned, nothing to ask the category service.
    if (assigned.length === 0) return json(EMPTY);
    const roots = await this.categories.treesContaining(ctx, assigned);
    return json(this.pruned.json(roots, assigned, languages));
  }
}

const EMPTY = Buffer.from('[]');

function json(bytes: Buffer): Outcome<Buffer> {
  return Outcome.ok(bytes, { 'Content-Type': 'application/json; charset=utf-8' });
}
