/** What an assignment upsert writes: mixins replaced in full (META-10), an optional version precondition. */
export interface AssignmentWrite {
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  expectedVersion?: number;
}

/** The outcome of one upsert: created (201) or updated (204), with the stored state after it. */
export interface UpsertOutcome<T> {
  created: boolean;
  value: T;
}
