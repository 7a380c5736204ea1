import { Inject, Injectable } from '@nestjs/common';
import { buildEvent, CategoryEventType, emitAllSafely, EVENT_SOURCES, EVENT_SUBJECTS, EVENT_TYPES, EventSink, LOGGER } from '@suite/api-kit';
import type { AuthContext } from '@suite/auth';
import { EVENT_SINK } from '@suite/persistence';
import type { Logger } from 'pino';

/** One change to announce: its type, subject, version and payload. */
export interface CategoryChange {
  type: CategoryEventType;
  subject: string;
  version: number;
  time: Date;
  data: Record<string, unknown>;
}

/**
 * Emits the category events (EVT-2) through the outbox after the write succeeded (EVT-4): a
 * failing outbox insert never fails the request; it is logged and counted by `emitAllSafely`.
 */
@Injectable()
export class CategoryEvents {
  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async emit(auth: AuthContext, requestId: string, changes: readonly CategoryChange[]): Promise<void> {
    if (changes.length === 0) return;
    const events = changes.map((c) =>
      buildEvent({
        source: EVENT_SOURCES.category,
        type: c.type,
        subject: c.subject,
        tenant: auth.tenant,
        entityVersion: c.version,
        actor: { type: auth.principalType, id: auth.subject },
        requestId,
        time: c.time,
        data: c.data,
      }),
    );
    await emitAllSafely(this.sink, events, this.logger);
  }
}

export const CATEGORY_EVENT = EVENT_TYPES.category;
export const assignmentSubject = EVENT_SUBJECTS.categoryAssignment;
