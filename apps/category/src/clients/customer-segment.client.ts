import { Injectable } from '@nestjs/common';
import { ApiError, chunkIdsForQ, readAllPages, ServiceHttpClient } from '@suite/api-kit';
import { forwardHeaders, PeerClients, RequestContext } from '@suite/auth';
import { SEGMENT_READ_SCOPE } from '../category.scopes';
import { CategorySettings } from '../common/category-settings';

/** The only fields this service reads from a customer-segment item assignment (tolerant reader). */
interface SegmentItemRow {
  item?: { id?: unknown };
}

const SERVICE = 'customer-segment';
const PAGE_SIZE = 1000;

/** §9: the one 503 of segment filtering, whatever went wrong upstream. */
export function segmentFilteringUnavailable(cause?: unknown): ApiError {
  return new ApiError('upstream_unavailable', 'Segment filtering is currently unavailable', {
    details: [{ field: SERVICE, type: 'upstream_unavailable', message: 'the customer segment service did not answer' }],
    headers: cause instanceof ApiError ? cause.headers : undefined,
    cause,
  });
}

/**
 * Typed client for the one call this service makes (category §9, README table): the `CATEGORY`
 * item assignments of some segments, FULL mode, read with this service's own token holding only
 * `customersegment.segment_read` (S2S-3). Fails closed: any failure is a 503, never a partial set.
 */
@Injectable()
export class CustomerSegmentClient {
  /** Undefined when CUSTOMER_SEGMENT_URL is not configured: every lookup then fails closed. */
  private readonly http: ServiceHttpClient | undefined;

  constructor(peers: PeerClients, settings: CategorySettings) {
    this.http = peers.create({ service: SERVICE, baseUrl: settings.customerSegmentUrl, breaker: { openMs: settings.peerBreakerOpenMs } });
  }

  /**
   * Ids of the categories assigned to at least one of `segmentIds` (unknown segments add nothing).
   * The request id and the incoming `traceparent` are forwarded (S2S-5).
   */
  async categoryIdsOfSegments(ctx: RequestContext, segmentIds: readonly string[]): Promise<Set<string>> {
    const { tenant } = ctx;
    const http = this.http;
    if (!http) throw segmentFilteringUnavailable();
    const out = new Set<string>();
    try {
      // Every id quoted, the q split to stay within Q-30 (4096 characters, 200 items).
      for (const q of chunkIdsForQ('type:CATEGORY segmentId:', segmentIds)) {
        const rows = await readAllPages<SegmentItemRow>(
          async (pageNumber, pageSize) =>
            (
              await http.request<SegmentItemRow[]>({
                tenant,
                method: 'GET',
                path: `/customer-segment/${tenant}/segments/items`,
                pathTemplate: '/customer-segment/{tenant}/segments/items',
                query: { q, pageSize, pageNumber },
                scopes: [SEGMENT_READ_SCOPE],
                headers: forwardHeaders(ctx),
              })
            ).body as SegmentItemRow[],
          PAGE_SIZE,
          undefined,
          SERVICE,
        );
        for (const row of rows) {
          const id = row?.item?.id;
          // A row without a string id is a broken answer: fail closed rather than guess.
          if (typeof id !== 'string') throw segmentFilteringUnavailable();
          out.add(id);
        }
      }
    } catch (e) {
      if (e instanceof ApiError && e.errorCode === 'upstream_unavailable' && e.message === 'Segment filtering is currently unavailable')
        throw e;
      throw segmentFilteringUnavailable(e);
    }
    return out;
  }
}
