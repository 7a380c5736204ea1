import type { IndexDeclaration } from '@suite/persistence';

/** The shared collection of rule re-evaluation jobs; no underscore, so never a tenant's (TEN-3). Every query names the tenant. */
export const RULE_JOB_COLLECTION = 'rule_jobs';

/** Its indexes: the sweeps' look for jobs nobody runs (`npm run migrate`, and at boot). */
export const RULE_JOB_INDEXES: readonly IndexDeclaration[] = [{ key: { state: 1, expiresAt: 1 }, name: 'orphans' }];

/** Who changed the rule: the events of the job's membership changes name that request (EVT-1). */
export interface JobOrigin {
  requestId: string;
  principalType: string;
  subject: string;
}

/** One segment's re-evaluation after its rule changed (README "Rule-based segments", re-evaluation). */
export interface RuleJobDocument {
  _id: string;
  tenant: string;
  segmentId: string;
  /** The rule being applied; null: the rule was removed, every AUTOMATIC membership of the segment ends. */
  rule: string | null;
  /** The segment's version the rule was written at; a later change replaces the job. */
  segmentVersion: number;
  state: 'RUNNING' | 'DONE';
  /**
   * `enter` (absent in jobs stored before phases existed): profiles in `_id` order, those the rule
   * holds for becoming members; `leave`: the segment's AUTOMATIC members in key order, those it no
   * longer holds for leaving (skipped when the enter phase read every profile).
   */
  phase?: 'enter' | 'leave';
  /** The `_id` of the last profile done in the enter phase: the job resumes after it. */
  position: string | null;
  /** The last member done in the leave phase. */
  memberPosition?: { customerId: string; legalEntityId: string | null } | null;
  /** Profiles decided so far: those up to `position` in `_id` order, all of them once the enter phase ended. */
  processed: number;
  added: number;
  removed: number;
  /** Customer profiles of the tenant when the job started. */
  total: number;
  startedAt: Date;
  finishedAt?: Date;
  holder?: string | null;
  expiresAt?: Date;
  origin: JobOrigin;
}
