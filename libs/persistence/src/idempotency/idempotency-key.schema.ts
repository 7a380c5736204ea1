import { Schema } from 'mongoose';
import { defineEntity } from '../tenant-model-registry';
import type { StoredOutcome } from './stored-outcome';

/**
 * `<tenant>_idempotency_keys`: one document per (principal, key) of a tenant. `running` while the
 * first request executes, under a lease its holder renews; `done` with the outcome to replay.
 */
export interface IdempotencyKeyDocument {
  /** sha256 of the principal and the key (see `idempotencyRecordId`). */
  _id: string;
  /** sha256 of method, path, query and body (see `requestFingerprint`). */
  fingerprint: string;
  state: 'running' | 'done';
  /** A random id per claim: only the claim that wrote the document may complete, renew or release it. */
  owner: string;
  /** While `running`: until when the holder is presumed alive; afterwards the key may be taken over. */
  lockedUntil?: Date;
  outcome?: StoredOutcome;
  createdAt: Date;
  completedAt?: Date;
  /** `createdAt` plus the retention (24 h): afterwards the record is ignored and overwritten. */
  expiresAt: Date;
}

const idempotencyKeySchema = new Schema<IdempotencyKeyDocument>(
  {
    _id: String,
    fingerprint: String,
    state: String,
    owner: String,
    lockedUntil: Date,
    outcome: Schema.Types.Mixed,
    createdAt: Date,
    completedAt: Date,
    expiresAt: Date,
  },
  { versionKey: false },
);
// A TTL index lets MongoDB (and the embedded server, every 60 s) remove expired records. Nothing
// depends on it: a record past `expiresAt` is treated as absent whether or not it is still there.
idempotencyKeySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expire_after_retention' });

export const IDEMPOTENCY_KEY_ENTITY = defineEntity<IdempotencyKeyDocument>('idempotency_keys', idempotencyKeySchema);
