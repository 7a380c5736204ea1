import { Inject, Injectable } from '@nestjs/common';
import { CategoryClient } from '../clients/category.client';
import { HttpResult, ok } from '../common/http-result';
import { parseAcceptLanguage } from '../common/localization';
import { readerOf } from '../common/reader';
import { RequestCtx } from '../common/request-context';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { SegmentVisibility } from '../visibility/segment-visibility.service';
import { pruneTrees } from './category-tree';
import { ItemAssignmentsRepository } from './item-assignments.repository';

/**
 * `GET /segments/items/category-trees` (segment §3.22, §8): the published category trees of the
 * caller's visible segments, pruned to the assigned categories, their subtrees and ancestors.
 * Always the caller's own view, whatever other scopes the token holds.
 */
@Injectable()
export class CategoryTreesService {
  constructor(
    private readonly visibility: SegmentVisibility,
    private readonly items: ItemAssignmentsRepository,
    private readonly categories: CategoryClient,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
  ) {}

  async trees(ctx: RequestCtx, query: Record<string, string | undefined>): Promise<HttpResult> {
    const tenant = ctx.auth.tenant;
    const reader = readerOf(ctx.auth, { legalEntityId: query.legalEntityId }, { ownOnly: true });
    const languages = parseAcceptLanguage(ctx.acceptLanguage, this.settings.languagesOf(tenant));
    const segmentIds = await this.visibility.visibleIds(tenant, reader, { siteCode: query.siteCode });
    const assigned = await this.items.itemIds(tenant, segmentIds, 'CATEGORY');
    // §8.1: nothing assigned, nothing to ask the category service.
    if (assigned.length === 0) return ok([]);
    const roots = await this.categories.treesContaining(ctx, assigned);
    return ok(pruneTrees(roots, new Set(assigned), languages));
  }
}
