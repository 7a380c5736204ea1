import { Injectable } from '@nestjs/common';
import { ApiError, ErrorDetail, isValidCustomId } from '@suite/api-kit';
import { CategoryClient } from '../clients/category.client';
import { HttpResult, ok } from '../common/http-result';
import { RequestCtx } from '../common/request-context';
import { isPlainObject, validateDto } from '../common/validate-dto';
import { ItemAssignmentsRepository } from '../segment-items/item-assignments.repository';
import { MatchBodyDto } from './dto/match-body.dto';
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

  async match(ctx: RequestCtx, body: unknown): Promise<HttpResult> {
    const { siteCode, productIds, segmentIds } = parseMatchBody(body);
    const tenant = ctx.auth.tenant;
    const requested = [...new Set(productIds)];
    if (requested.length === 0 || segmentIds.length === 0) return ok([]);
    const counting = await this.segments.activeOfSite(tenant, [...new Set(segmentIds)], siteCode);
    if (counting.length === 0) return ok([]);
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
    return ok(requested.filter((p) => matched.has(p)).map((id) => ({ id })));
  }
}

function parseMatchBody(body: unknown): { siteCode: string; productIds: string[]; segmentIds: string[] } {
  if (body === undefined) throw ApiError.validation([{ type: 'missing_payload', message: 'a request body is required' }]);
  if (!isPlainObject(body)) throw ApiError.validation([{ type: 'invalid_type', message: 'the body must be a JSON object' }]);
  const { value, details } = validateDto(MatchBodyDto, body);
  const problems: ErrorDetail[] = [...details];
  const site = value.site;
  const siteCode = value.siteCode;
  if (typeof site === 'string' && typeof siteCode === 'string' && site !== siteCode) {
    problems.push({ field: 'site', type: 'invalid_value', message: 'site and siteCode must be equal when both are sent' });
  }
  const chosen = typeof siteCode === 'string' && siteCode !== '' ? siteCode : typeof site === 'string' && site !== '' ? site : undefined;
  if (chosen === undefined && !problems.some((d) => d.field === 'site' || d.field === 'siteCode')) {
    problems.push({ field: 'siteCode', type: 'missing_value', message: 'siteCode (or site) is required and must not be empty' });
  }
  if (problems.length) throw ApiError.validation(problems);
  return { siteCode: chosen!, productIds: value.items.map((i) => i.id), segmentIds: value.segmentIds };
}
