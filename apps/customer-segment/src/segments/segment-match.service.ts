import { Injectable } from '@nestjs/common';
import { isValidCustomId } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { CategoryClient } from '../clients/category.client';
import { ItemAssignmentsRepository } from '../segment-items/item-assignments.repository';
import { MatchSegmentsDto, MatchedItemResponseDto, nonEmptyText } from './dto/match-segments.dto';
import { SegmentsService } from './segments.service';

/** Category lookups in flight at once for one match request (the client's bulkhead caps them too). */
const LOOKUP_CONCURRENCY = 8;

/**
 * `POST /segments/match` (segment §3.11, §9): which of the given products fall under the given
 * segments, directly or through an assigned category or one of its descendants. Results feed
 * pricing decisions, so a failed category lookup fails the whole request (S2S-11).
 */
@Injectable()
export class SegmentMatchService {
  constructor(
    private readonly segments: SegmentsService,
    private readonly items: ItemAssignmentsRepository,
    private readonly categories: CategoryClient,
  ) {}

  async match(ctx: RequestContext, body: MatchSegmentsDto): Promise<MatchedItemResponseDto[]> {
    const tenant = ctx.tenant;
    // The DTO made sure one of them is a non-empty text and that they agree when both are sent.
    const siteCode = nonEmptyText(body.siteCode) ? body.siteCode : body.site!;
    const requested = [...new Set(body.items.map((i) => i.id))];
    const segmentIds = body.segmentIds;
    if (requested.length === 0 || segmentIds.length === 0) return [];
    const counting = await this.segments.activeOfSite(tenant, [...new Set(segmentIds)], siteCode);
    if (counting.length === 0) return [];
    const [direct, categoryIds] = await Promise.all([
      this.items.itemIds(tenant, counting, 'PRODUCT', requested),
      this.items.itemIds(tenant, counting, 'CATEGORY'),
    ]);
    const matched = new Set(direct);
    const assignedCategories = new Set(categoryIds);
    // ID-3: an id that breaks the pattern cannot have category assignments; it is not looked up.
    const toLookUp = assignedCategories.size ? requested.filter((p) => !matched.has(p) && isValidCustomId(p)) : [];
    let next = 0;
    const worker = async () => {
      while (next < toLookUp.length) {
        const p = toLookUp[next++];
        const refs = await this.categories.categoriesOfProduct(ctx, p);
        if (refs?.some((c) => assignedCategories.has(c.id) || c.supercategoriesIds.some((s) => assignedCategories.has(s)))) matched.add(p);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, toLookUp.length) }, worker));
    return requested.filter((p) => matched.has(p)).map((id) => ({ id }));
  }
}
