import { Inject, Injectable } from '@nestjs/common';
import { ApiError, LOGGER, assertBulkArray, isValidCustomId } from '@suite/api-kit';
import type { Logger } from 'pino';
import { runSegmentBulk, stringProp } from '../common/bulk';
import { parseBooleanParam } from '../common/list-request';
import { HttpResult } from '../common/http-result';
import { RequestCtx } from '../common/request-context';
import { validateAll } from '../common/validate-dto';
import { SegmentCascade } from './segment-cascade.service';
import { parseSegmentInput } from './segment-input';
import { SegmentsService } from './segments.service';

const multiStatus = (body: unknown): HttpResult => ({ status: 207, body });

/**
 * Segment bulk operations (§3.8–§3.10): the whole request is a 400 only for a non-array, empty or
 * oversized body (BULK-1); after that the answer is always 207 with one result per element.
 */
@Injectable()
export class SegmentsBulkService {
  constructor(
    private readonly segments: SegmentsService,
    private readonly cascade: SegmentCascade,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private readonly onUnexpected = (e: unknown) => this.logger.error({ err: e }, 'bulk element failed unexpectedly');

  /** §3.8: duplicates inside one request: the first is created, the later ones get 409. */
  async create(ctx: RequestCtx, body: unknown): Promise<HttpResult> {
    const [items, contentLanguage] = validateAll(() => assertBulkArray(body), () => this.segments.contentLanguage(ctx));
    const languages = this.segments.languages(ctx);
    const results = await runSegmentBulk(
      items,
      async (item) => {
        const input = parseSegmentInput(item, { languages, contentLanguage, mode: 'create' });
        const segment = await this.segments.createOne(ctx, input);
        return { code: 201, id: segment.id };
      },
      { idOf: (item) => stringProp(item, 'id'), onUnexpected: this.onUnexpected },
    );
    return multiStatus(results);
  }

  /** §3.9: every element carries `id`; a later duplicate updates what the earlier one wrote. */
  async upsert(ctx: RequestCtx, body: unknown): Promise<HttpResult> {
    const [items, contentLanguage] = validateAll(() => assertBulkArray(body), () => this.segments.contentLanguage(ctx));
    const languages = this.segments.languages(ctx);
    const results = await runSegmentBulk(
      items,
      async (item) => {
        const input = parseSegmentInput(item, { languages, contentLanguage, mode: 'upsert', requireId: true });
        const outcome = await this.segments.upsertOne(ctx, input.id!, input);
        return { code: outcome.created ? 201 : 204, id: input.id };
      },
      { idOf: (item) => stringProp(item, 'id'), onUnexpected: this.onUnexpected },
    );
    return multiStatus(results);
  }

  /** §3.10: ids that cannot exist are deleted already (204); non-strings are 400. */
  async delete(ctx: RequestCtx, body: unknown, forceDeleteParam: string | undefined): Promise<HttpResult> {
    const [force, items] = validateAll(() => parseBooleanParam(forceDeleteParam, 'forceDelete', false), () => assertBulkArray(body));
    const results = await runSegmentBulk(
      items,
      async (item) => {
        if (typeof item !== 'string') throw ApiError.validation([{ type: 'invalid_type', message: 'each element must be a segment id string' }]);
        if (isValidCustomId(item)) await this.cascade.deleteSegment(ctx, item, force);
        return { code: 204, id: item };
      },
      { idOf: (item) => (typeof item === 'string' ? item : undefined), onUnexpected: this.onUnexpected },
    );
    return multiStatus(results);
  }
}
