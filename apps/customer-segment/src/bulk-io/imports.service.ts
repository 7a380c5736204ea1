import { Inject, Injectable } from '@nestjs/common';
import { ApiError, LOGGER, Outcome, isValidCustomId, newHexId, parseJsonDocument, reasonPhrase } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import type { Logger } from 'pino';
import { ChangeEvent, ChangeEvents } from '@suite/persistence';
import { inTenant } from '../common/segment-events';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { MANAGE, PROFILE_MANAGE } from '../customer-segment.scopes';
import { ProfilesRepository } from '../profiles/profiles.repository';
import { ProfilesService, parseBulkElement } from '../profiles/profiles.service';
import { customerUpsertedChange } from '../segment-customers/customer-assignment.mapper';
import { customerCountKey, CustomerAssignmentsRepository } from '../segment-customers/customer-assignments.repository';
import { parseCustomerElement } from '../segment-customers/segment-customers.service';
import { SegmentsRepository } from '../segments/segments.repository';
import { segmentNotFound } from '../visibility/segment-visibility.service';
import type { CreateImportDto, ImportResponseDto } from './dto/import.dto';
import type { ImportDocument } from './import.schema';
import { ImportsRepository } from './imports.repository';

/**
 * Lines one part may carry. A part is answered when its last line is applied; at a few milliseconds
 * a profile line, 10,000 lines stay well inside the gateway's five minutes (a longer part would be
 * cut off there while its lines went on being applied).
 */
export const MAX_LINES_PER_PART = 10_000;
/** Lines applied between two records of the import's progress. */
const CHUNK = 100;

/** One line's result in the answer of `POST /imports/{importId}/lines`. */
interface LineResult {
  line: number;
  code: number;
  status: string;
  message?: string;
}

/**
 * Imports (README "Bulk in and out"): NDJSON lines of profiles, or of members of one segment, sent
 * in parts of at most 10 MiB (HTTP-3) to a job that remembers how far it got. Each line is judged
 * and applied like a single request; every written document remembers the import line written
 * into it, so a part sent again after a broken connection never applies a line twice.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly segments: SegmentsRepository,
    private readonly profiles: ProfilesRepository,
    private readonly profileWrites: ProfilesService,
    private readonly assignments: CustomerAssignmentsRepository,
    private readonly events: ChangeEvents,
    @Inject(SEGMENT_SETTINGS) private readonly settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(ctx: RequestContext, body: CreateImportDto): Promise<Outcome<ImportResponseDto>> {
    ctx.auth.requireScope(scopeOf(body.kind));
    if (body.kind === 'profiles' && body.segmentId !== undefined) {
      throw ApiError.validation([{ field: 'segmentId', type: 'invalid_value', message: 'a profiles import names no segment' }]);
    }
    if (body.kind === 'members' && !(await this.segments.exists(ctx.tenant, body.segmentId!))) throw segmentNotFound(body.segmentId!);
    const now = new Date();
    const doc: ImportDocument = { _id: newHexId(), kind: body.kind, nextLine: 1, applied: 0, failed: 0, createdAt: now, modifiedAt: now };
    if (body.kind === 'members') doc.segmentId = body.segmentId;
    await this.imports.insert(ctx.tenant, doc);
    return Outcome.created(`/customer-segment/${ctx.tenant}/imports/${doc._id}`, view(doc));
  }

  async get(ctx: RequestContext, id: string): Promise<ImportResponseDto> {
    return view(await this.find(ctx, id));
  }

  /** The scope a kind of import needs besides the route's any-of (AUTH-8): profiles are not segment data. */
  private async findWritable(ctx: RequestContext, id: string): Promise<ImportDocument> {
    const job = await this.find(ctx, id);
    ctx.auth.requireScope(scopeOf(job.kind));
    return job;
  }

  /**
   * One part of the import's lines, numbered from `from` (default: the import's `nextLine`). Lines
   * before `nextLine` were applied already and are answered `208 Already Reported`; a part that
   * starts after `nextLine` would leave a gap and is refused as a whole. The answer is NDJSON, one
   * result per line in order.
   */
  async lines(ctx: RequestContext, id: string, from: number | undefined, lines: string[]): Promise<Outcome<string>> {
    let job = await this.findWritable(ctx, id);
    // Members of a segment deleted since the import began would be orphans.
    if (job.kind === 'members' && !(await this.segments.exists(ctx.tenant, job.segmentId!))) throw segmentNotFound(job.segmentId!);
    const start = from ?? job.nextLine;
    if (start > job.nextLine) {
      throw ApiError.validation([
        {
          field: 'from',
          type: 'invalid_value',
          message: `lines ${job.nextLine} to ${start - 1} were never sent; send from ${job.nextLine}`,
        },
      ]);
    }
    const results: LineResult[] = [];
    let i = 0;
    for (; i < lines.length && start + i < job.nextLine; i++) results.push({ line: start + i, code: 208, status: 'Already Reported' });
    while (i < lines.length) {
      const chunkStart = start + i;
      const chunk = lines.slice(i, i + CHUNK);
      const chunkResults = await this.applyChunk(ctx, job, chunkStart, chunk);
      // A line that failed on this side (5xx: the database out of reach…) is not the line's fault:
      // the import stops before it, so the same part sent again applies it then.
      const broken = chunkResults.findIndex((r) => r.code >= 500);
      const done = broken === -1 ? chunkResults : chunkResults.slice(0, broken);
      const applied = done.filter((r) => r.code < 300).length;
      const moved =
        done.length === 0 ||
        (await this.imports.advance(ctx.tenant, id, chunkStart, { lines: done.length, applied, failed: done.length - applied }));
      if (!moved) {
        // Another upload of this import advanced it meanwhile: what this chunk wrote was exactly once anyway.
        for (let k = i; k < lines.length; k++) {
          results.push({
            line: start + k,
            code: 409,
            status: reasonPhrase(409),
            message: 'another upload of this import moved it on; ask for nextLine and resume',
          });
        }
        break;
      }
      if (broken !== -1) {
        results.push(...done, chunkResults[broken]);
        break;
      }
      results.push(...chunkResults);
      job = { ...job, nextLine: chunkStart + chunk.length };
      i += chunk.length;
    }
    const text = results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : '');
    return Outcome.ok(text, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  }

  private async applyChunk(ctx: RequestContext, job: ImportDocument, first: number, chunk: string[]): Promise<LineResult[]> {
    return job.kind === 'profiles' ? this.applyProfiles(ctx, job, first, chunk) : this.applyMembers(ctx, job, first, chunk);
  }

  private async applyProfiles(ctx: RequestContext, job: ImportDocument, first: number, chunk: string[]): Promise<LineResult[]> {
    const out: LineResult[] = [];
    for (let k = 0; k < chunk.length; k++) {
      const line = first + k;
      try {
        const { key, write } = parseBulkElement(parseLine(chunk[k]));
        const r = await this.profiles.upsertImported(ctx.tenant, key, write, new Date(), { job: job._id, line });
        if (r.applied) await this.profileWrites.evaluate(ctx, key);
        out.push(r.applied ? ok(line, r.created ? 201 : 204) : ok(line, 208));
      } catch (e) {
        out.push(this.failed(ctx, line, e));
        if (out[out.length - 1].code >= 500) break;
      }
    }
    return out;
  }

  private async applyMembers(ctx: RequestContext, job: ImportDocument, first: number, chunk: string[]): Promise<LineResult[]> {
    const segmentId = job.segmentId!;
    // A line is a `PUT /customers/bulk` element, judged by the same rules (ids, reserved ids, mixins).
    const parsed = chunk.map((text) => {
      try {
        return { ok: true as const, ...parseCustomerElement(parseLine(text), segmentId) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    const customerIds = parsed.flatMap((p) => (p.ok ? [p.key.customerId] : []));
    const [types, counts] = await Promise.all([
      this.assignments.typesInSegment(ctx.tenant, segmentId, customerIds),
      this.assignments.countsByCustomer(ctx.tenant, customerIds),
    ]);
    const out: LineResult[] = [];
    const changes: ChangeEvent[] = [];
    for (let k = 0; k < parsed.length; k++) {
      const line = first + k;
      const p = parsed[k];
      if (!p.ok) {
        out.push(this.failed(ctx, line, p.error));
        continue;
      }
      const countKey = customerCountKey(p.key.customerId, p.key.legalEntityId);
      // The per-customer limit (segment §1.12), as for a single write.
      if (!types.has(countKey) && (counts.get(countKey) ?? 0) >= this.settings.maxSegmentsPerCustomer) {
        out.push({
          line,
          code: 400,
          status: reasonPhrase(400),
          message: `the customer already belongs to the maximum of ${this.settings.maxSegmentsPerCustomer} segments`,
        });
        continue;
      }
      try {
        const r = await this.assignments.upsertImported(ctx.tenant, p.key, p.write, new Date(), { job: job._id, line });
        if (r.applied && r.value) {
          changes.push(customerUpsertedChange(r.value, r.created));
          if (r.created) {
            types.set(countKey, 'MANUAL');
            counts.set(countKey, (counts.get(countKey) ?? 0) + 1);
          }
        }
        out.push(r.applied ? ok(line, r.created ? 201 : 204) : ok(line, 208));
      } catch (e) {
        out.push(this.failed(ctx, line, e));
        if (out[out.length - 1].code >= 500) break;
      }
    }
    if (changes.length) await this.events.emitBatch(ctx, inTenant(ctx.tenant, ...changes));
    return out;
  }

  /** A line's failure as its result; one that is not the line's fault (5xx) is logged with its cause. */
  private failed(ctx: RequestContext, line: number, e: unknown): LineResult {
    const error = e instanceof ApiError ? e : ApiError.internal(e);
    if (error.httpStatus >= 500)
      this.logger.error({ err: e, tenant: ctx.tenant, line }, 'an import line failed on the service side; the import stops before it');
    return failed(line, error);
  }

  private async find(ctx: RequestContext, id: string): Promise<ImportDocument> {
    const job = isValidCustomId(id) ? await this.imports.find(ctx.tenant, id) : null;
    if (!job) throw ApiError.notFound(id, 'Import not found.');
    return job;
  }
}

function scopeOf(kind: ImportDocument['kind']): string {
  return kind === 'profiles' ? PROFILE_MANAGE : MANAGE;
}

/** A line, judged like a request body (ERR-8 keys, depth, non-finite numbers): its own 400, never the request's. */
function parseLine(text: string): unknown {
  try {
    return parseJsonDocument(text);
  } catch (e) {
    if (e instanceof ApiError && e.errorCode === 'malformed_json') {
      throw ApiError.validation([{ type: 'invalid_type', message: 'the line is not JSON' }]);
    }
    throw e;
  }
}

function ok(line: number, code: number): LineResult {
  return { line, code, status: code === 208 ? 'Already Reported' : reasonPhrase(code) };
}

function failed(line: number, error: ApiError): LineResult {
  const message =
    error.errorCode === 'validation_failed' && error.details.length ? error.details.map((d) => d.message).join('; ') : error.message;
  return { line, code: error.httpStatus, status: reasonPhrase(error.httpStatus), message };
}

function view(doc: ImportDocument): ImportResponseDto {
  return {
    id: doc._id,
    kind: doc.kind,
    ...(doc.segmentId === undefined ? {} : { segmentId: doc.segmentId }),
    nextLine: doc.nextLine,
    applied: doc.applied,
    failed: doc.failed,
    createdAt: new Date(doc.createdAt).toISOString(),
    modifiedAt: new Date(doc.modifiedAt).toISOString(),
  };
}
