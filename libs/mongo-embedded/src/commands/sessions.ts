// Logical sessions as far as a standalone server without users has them: the ids (`lsid`) of the
// sessions commands arrive with, and when each was last used. Nothing else depends on them (no
// transactions, no retryable writes); they exist so `$listLocalSessions` answers as MongoDB does.

import { createHash } from 'node:crypto';
import { Binary, UUID } from 'bson';
import { CommandError, Codes } from '../errors';
import { Engine } from '../storage/engine';
import { Doc, isPlainObject } from '../storage/paths';

/** MongoDB's `logicalSessionTimeoutMinutes`: a session unused this long is gone. */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
/** Bounds the registry's memory; the least recently used sessions are forgotten first. */
const MAX_SESSIONS = 100_000;

/** SHA-256 of a user's `user@db`; without authentication MongoDB uses the digest of no bytes. */
function userDigest(user: string, db: string): Buffer {
  return createHash('sha256')
    .update(user === '' && db === '' ? '' : `${user}@${db}`)
    .digest();
}

const NO_AUTH_UID = userDigest('', '');

interface Session {
  id: Binary;
  uid: Buffer;
  /** ms since the epoch (a number: this runs for every command that carries an `lsid`). */
  lastUse: number;
}

function sessionKey(id: unknown): string | null {
  if (!(id instanceof Binary)) return null;
  const b = id.buffer;
  // The bytes as latin1 characters; a session id (UUID) is 16 of them, read without a Buffer.
  if (b.length === 16) {
    return String.fromCharCode(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  }
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  /** Records the use of the session an `lsid` names (`{id: UUID}`); anything else is ignored. */
  touch(lsid: unknown): void {
    if (!isPlainObject(lsid)) return;
    const key = sessionKey(lsid.id);
    if (!key) return;
    const known = this.sessions.get(key);
    if (known) {
      known.lastUse = Date.now();
      return;
    }
    // A copy: the decoded id may be a view into the whole request buffer.
    const id = lsid.id as Binary;
    this.sessions.set(key, { id: new Binary(Uint8Array.from(id.buffer), id.sub_type), uid: NO_AUTH_UID, lastUse: Date.now() });
    if (this.sessions.size > MAX_SESSIONS) this.evict();
  }

  /** Drops timed-out sessions, then the least recently used ones, down to the limit. */
  private evict(): void {
    const byUse = [...this.sessions].sort((a, b) => a[1].lastUse - b[1].lastUse);
    const cutoff = Date.now() - SESSION_TIMEOUT_MS;
    let excess = this.sessions.size - MAX_SESSIONS * 0.9;
    for (const [key, s] of byUse) {
      if (s.lastUse >= cutoff && excess <= 0) break;
      this.sessions.delete(key);
      excess--;
    }
  }

  /** Forgets the sessions named by an `endSessions`/`killSessions` list (`[{id}]`). */
  end(ids: unknown): void {
    if (!Array.isArray(ids)) return;
    for (const lsid of ids) {
      const key = isPlainObject(lsid) ? sessionKey(lsid.id) : null;
      if (key) this.sessions.delete(key);
    }
  }

  clear(): void {
    this.sessions.clear();
  }

  /** The live sessions whose user digest is one of `uids` (all of them when `uids` is null). */
  list(uids: Buffer[] | null): Doc[] {
    const now = Date.now();
    const out: Doc[] = [];
    for (const [key, s] of this.sessions) {
      if (now - s.lastUse > SESSION_TIMEOUT_MS) {
        this.sessions.delete(key);
        continue;
      }
      if (uids && !uids.some((u) => u.equals(s.uid))) continue;
      // MongoDB's session record; `user` is only present when authentication is on.
      out.push({ _id: { id: s.id, uid: new Binary(s.uid, 0) }, lastUse: new Date(s.lastUse) });
    }
    return out;
  }
}

const registries = new WeakMap<Engine, SessionRegistry>();

/** The session registry of a server (one per engine). */
export function sessionsOf(engine: Engine): SessionRegistry {
  let r = registries.get(engine);
  if (!r) {
    r = new SessionRegistry();
    registries.set(engine, r);
  }
  return r;
}

/** A new session id, as `startSession` hands out, registered as used now. */
export function startSession(engine: Engine): Doc {
  const id = { id: new UUID() };
  sessionsOf(engine).touch(id);
  return id;
}

function bsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return isPlainObject(v) ? 'object' : ((v as { _bsontype?: string })?._bsontype?.toLowerCase() ?? typeof v);
}

/**
 * The documents of a `{$listLocalSessions: spec}` stage. `{}` lists the caller's own sessions
 * (without authentication: every session), `{allUsers: true}` every session, `{users: [...]}`
 * those of the named users; with no users on this server, only the unauthenticated `{user: '',
 * db: ''}` owns sessions. Errors as MongoDB parses the spec.
 */
export function listLocalSessions(engine: Engine, spec: unknown): Doc[] {
  const stage = '$listLocalSessions';
  if (!isPlainObject(spec)) {
    throw new CommandError(Codes.TypeMismatch, `${stage} options must be specified in an object, but found: ${bsonType(spec)}`);
  }
  for (const k of Object.keys(spec)) {
    if (k !== 'allUsers' && k !== 'users') throw new CommandError(40415, `BSON field '${stage}.${k}' is an unknown field.`);
  }
  if (spec.allUsers !== undefined && typeof spec.allUsers !== 'boolean') {
    throw new CommandError(
      Codes.TypeMismatch,
      `BSON field '${stage}.allUsers' is the wrong type '${bsonType(spec.allUsers)}', expected type 'bool'`,
    );
  }
  let users: Array<{ user: string; db: string }> = [];
  if (spec.users !== undefined) {
    if (!Array.isArray(spec.users)) {
      throw new CommandError(
        Codes.TypeMismatch,
        `BSON field '${stage}.users' is the wrong type '${bsonType(spec.users)}', expected type 'array'`,
      );
    }
    users = spec.users.map((u, i) => {
      if (!isPlainObject(u))
        throw new CommandError(
          Codes.TypeMismatch,
          `BSON field '${stage}.users.${i}' is the wrong type '${bsonType(u)}', expected type 'object'`,
        );
      for (const f of ['user', 'db'] as const) {
        if (u[f] === undefined) throw new CommandError(40414, `BSON field '${stage}.users.${f}' is missing but a required field`);
        if (typeof u[f] !== 'string') {
          throw new CommandError(
            Codes.TypeMismatch,
            `BSON field '${stage}.users.${f}' is the wrong type '${bsonType(u[f])}', expected type 'string'`,
          );
        }
      }
      return { user: u.user as string, db: u.db as string };
    });
  }
  if (spec.allUsers === true && users.length > 0) {
    throw new CommandError(Codes.UnsupportedFormat, `${stage} may not specify {allUsers:true} and {users:[...]} at the same time`);
  }
  if (spec.allUsers === true) return sessionsOf(engine).list(null);
  if (users.length === 0) users = [{ user: '', db: '' }];
  return sessionsOf(engine).list(users.map((u) => userDigest(u.user, u.db)));
}
