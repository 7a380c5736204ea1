// Errors as MongoDB reports them: `{ ok: 0, errmsg, code, codeName }`. Handlers throw
// `CommandError`; the dispatcher turns it into the reply (or a `writeErrors` entry for batches).

/** MongoDB error codes used by this server, with their official code names. */
export const Codes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  CursorNotFound: 43,
  CannotIndexParallelArrays: 171,
  OperationNotSupportedInTransaction: 263,
  InvalidPipelineOperator: 168,
  Location40324: 40324,
  DuplicateKey: 11000,
  Unauthorized: 13,
  NoSuchTransaction: 251,
  Location16550: 16550,
  DocumentValidationFailure: 121,
  QueryFeatureNotAllowed: 224,
  Location40415: 40415,
  UnsupportedFormat: 51,
  OptionNotSupportedOnView: 157,
  ViewDepthLimitExceeded: 165,
  CommandNotSupportedOnView: 166,
  GraphContainsCycle: 167,
  MergeStageNoMatchingDocument: 13113,
  IncompatibleCollationVersion: 161,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(Codes).map(([k, v]) => [v, k]));

export function codeName(code: number): string {
  return NAMES[code] ?? 'Location' + code;
}

/** An error a command reports to the client; never crashes the server. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Extra fields of the error document (e.g. `keyPattern`/`keyValue` for duplicate keys). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CommandError';
  }

  get codeName(): string {
    return codeName(this.code);
  }

  /** The top-level error reply. */
  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The entry of a `writeErrors` array. */
  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, ...this.extra, errmsg: this.message };
  }
}
