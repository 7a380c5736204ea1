import { Injectable, StreamableFile } from '@nestjs/common';
import { isValidCustomId } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import { Readable } from 'node:stream';
import { CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { SegmentsRepository } from '../segments/segments.repository';
import { segmentNotFound } from '../visibility/segment-visibility.service';
import type { MemberExportQueryDto } from './dto/export.dto';

/** Members per cursor batch and per chunk written. */
const EXPORT_BATCH = 2000;

const CSV_HEADER = 'customerId,legalEntityId,assignmentType,createdAt\n';

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled (ids never need it; kept correct anyway). */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * A segment's members streamed out (README "Bulk in and out"): NDJSON or CSV in identity order,
 * from a database cursor, so memory stays flat whatever the segment's size. A broken download
 * is resumed with `after` = the last row's key; rows are never repeated or skipped across resumes
 * as long as the membership does not change in between.
 */
@Injectable()
export class MemberExport {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly assignments: CustomerAssignmentsRepository,
  ) {}

  async export(ctx: RequestContext, segmentId: string, query: MemberExportQueryDto): Promise<StreamableFile> {
    if (!isValidCustomId(segmentId) || !(await this.segments.exists(ctx.tenant, segmentId))) {
      throw segmentNotFound(segmentId);
    }
    const format = query.format ?? 'ndjson';
    const [customerId, legalEntityId] = query.after?.split('/') ?? [];
    const after = customerId === undefined ? null : { customerId, legalEntityId: legalEntityId ?? null };
    const batches = this.assignments.membersOf(ctx.tenant, segmentId, after, EXPORT_BATCH);
    // Members created together (a rule job's batch, a bulk write) share a time: formatted once.
    let lastTime = NaN;
    let lastIso = '';
    const iso = (at: Date): string => {
      const ms = new Date(at).getTime();
      if (ms !== lastTime) [lastTime, lastIso] = [ms, new Date(ms).toISOString()];
      return lastIso;
    };
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv' && after === null) yield CSV_HEADER;
      for await (const batch of batches) {
        let chunk = '';
        for (const m of batch) {
          if (format === 'csv') {
            const legalEntity = m.legalEntityId === null ? '' : csvField(m.legalEntityId);
            chunk += `${csvField(m.customerId)},${legalEntity},${m.assignmentType},${iso(m.createdAt)}\n`;
          } else {
            // The object JSON.stringify would write, key by key (no object per row).
            const legalEntity = m.legalEntityId === null ? '' : `,"legalEntityId":${JSON.stringify(m.legalEntityId)}`;
            const [customer, type] = [JSON.stringify(m.customerId), JSON.stringify(m.assignmentType)];
            chunk += `{"customerId":${customer}${legalEntity},"assignmentType":${type},"createdAt":"${iso(m.createdAt)}"}\n`;
          }
        }
        yield chunk;
      }
    }
    return new StreamableFile(Readable.from(lines()), {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="segment-${segmentId}-members.${format}"`,
    });
  }
}
