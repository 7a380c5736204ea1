// What every command handler receives, and small argument helpers shared by handlers.

import { CommandError, Codes } from '../errors';
import { toNumber, typeRank, TypeRank } from '../storage/bson-order';
import { Engine } from '../storage/engine';
import { Doc, isPlainObject } from '../storage/paths';
import { PlanStats } from '../storage/query';
import { CursorManager } from './cursors';

export interface CommandContext {
  engine: Engine;
  cursors: CursorManager;
  /** The `$db` of the request. */
  dbName: string;
  connectionId: number;
  /** Set by `explain`: handlers record what their scan did. */
  stats?: PlanStats;
  /** `explain` asks handlers not to write. */
  explainOnly?: boolean;
}

export type Handler = (ctx: CommandContext, body: Doc) => Doc;

/** The collection name given as the command's first field. */
export function collName(body: Doc, cmd: string): string {
  const v = body[cmd];
  if (typeof v !== 'string' || v.length === 0) {
    throw new CommandError(Codes.InvalidNamespace, `collection name has invalid type ${v === null ? 'null' : typeof v}`);
  }
  return v;
}

/** An optional numeric argument (int, long or double), validated. */
export function optNumber(body: Doc, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeRank(v) !== TypeRank.Number) {
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
    );
  }
  return toNumber(v);
}

export function optDoc(body: Doc, field: string): Doc | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${field}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  return v;
}

export function optBool(body: Doc, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeRank(v) === TypeRank.Number) return toNumber(v) !== 0;
  throw new CommandError(Codes.TypeMismatch, `BSON field '${field}' is the wrong type '${typeof v}', expected type 'bool'`);
}

/** The absolute deadline of a `maxTimeMS` argument (0 or absent = none). */
export function deadlineOf(body: Doc): number | undefined {
  const ms = optNumber(body, 'maxTimeMS');
  if (ms === undefined || ms === 0) return undefined;
  if (ms < 0) throw new CommandError(Codes.BadValue, 'maxTimeMS must be non-negative');
  return Date.now() + ms;
}
