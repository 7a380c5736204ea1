import { Inject, Injectable } from '@nestjs/common';
import { ApiError, BulkItemResult, LOGGER, Outcome, assertBulkArray, isValidCustomId, validateAll } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import type { Logger } from 'pino';
import { runSegmentBulk, stringProp } from '../common/bulk';
import { SegmentCascade } from './segment-cascade.service';
import { CreateSegmentDto } from './dto/create-segment.dto';
import { BulkReplaceSegmentDto } from './dto/replace-segment.dto';
import { SegmentBody, SegmentInput, readSegmentDocument } from './segment-state';
import { SegmentsService } from './segments.service';

/**
 * Segment bulk operations (§3.8–§3.10): the whole request is a 400 only for a non-array, empty or
 * oversized body (BULK-1); after that the answer is always 207 with one result per element, each
 * judged exactly like a single body (the same DTO through `validateDto`, the same localized rules).
 */
@Injectable()
export class SegmentsBulkService {
  constructor(
    private readonly segments: SegmentsService,
    private readonly cascade: SegmentCascade,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** §3.8: duplicates inside one request: the first is created, the later ones get 409. */
  create(ctx: RequestContext, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    return this.writeEach(ctx, body, CreateSegmentDto, async (input) => {
      const segment = await this.segments.createOne(ctx, input);
      return { code: 201, id: segment.id };
    });
  }

  /** §3.9: every element carries `id`; a later duplicate updates what the earlier one wrote. */
  upsert(ctx: RequestContext, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    return this.writeEach(ctx, body, BulkReplaceSegmentDto, async (input) => {
      const outcome = await this.segments.upsertOne(ctx, input.id!, input);
      return { code: outcome.created ? 201 : 204, id: input.id };
    });
  }

  /**
   * The array (BULK-1) and `Content-Language` are judged together (ERR-6); then each element is
   * read with `dto` and the localized rules, like a single body, and handed to `write`.
   */
  private async writeEach(
    ctx: RequestContext,
    body: unknown,
    dto: new () => SegmentBody,
    write: (input: SegmentInput) => Promise<{ code: number; id?: string }>,
  ): Promise<Outcome<BulkItemResult[]>> {
    const [items, contentLanguage] = validateAll(
      () => assertBulkArray(body),
      () => this.segments.contentLanguage(ctx),
    );
    const languages = this.segments.languages(ctx);
    const results = await runSegmentBulk(items, (item) => write(readSegmentDocument(dto, item, { languages, contentLanguage })), {
      idOf: (item) => stringProp(item, 'id'),
      logger: this.logger,
    });
    return Outcome.multiStatus(results);
  }

  /** §3.10: ids that cannot exist are deleted already (204); non-strings are 400. */
  async delete(ctx: RequestContext, body: unknown, force: boolean): Promise<Outcome<BulkItemResult[]>> {
    const items = assertBulkArray(body);
    const results = await runSegmentBulk(
      items,
      async (item) => {
        if (typeof item !== 'string')
          throw ApiError.validation([{ type: 'invalid_type', message: 'each element must be a segment id string' }]);
        if (isValidCustomId(item)) await this.cascade.deleteSegment(ctx, item, force);
        return { code: 204, id: item };
      },
      { idOf: (item) => (typeof item === 'string' ? item : undefined), logger: this.logger },
    );
    return Outcome.multiStatus(results);
  }
}
