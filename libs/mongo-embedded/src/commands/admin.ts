// Handshake and server-level commands. The server describes itself as a standalone MongoDB 7.0
// (wire versions 0..21) without compression, so drivers use plain OP_MSG and no retryable writes.

import os from 'node:os';
import { Long } from 'bson';
import { CommandError, Codes } from '../errors';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire/protocol';
import { CommandContext, Handler } from './context';
import { Doc } from '../storage/paths';
import { sessionsOf, startSession } from './sessions';

export const SERVER_VERSION = '7.0.0';
const STARTED = Date.now();

function hello(ctx: CommandContext, legacyName: boolean): Doc {
  const base: Doc = {
    helloOk: true,
    isWritablePrimary: true,
    topologyVersion: undefined,
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
  };
  if (legacyName) {
    delete base.isWritablePrimary;
    return { ismaster: true, ...base };
  }
  return base;
}

export const adminCommands: Record<string, Handler> = {
  hello: (ctx) => hello(ctx, false),
  isMaster: (ctx) => hello(ctx, true),
  ismaster: (ctx) => hello(ctx, true),
  ping: () => ({}),
  buildInfo: () => ({
    version: SERVER_VERSION,
    gitVersion: 'embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_SIZE,
    storageEngines: ['embedded'],
    modules: [],
    javascriptEngine: 'none',
    allocator: 'system',
    openssl: { running: 'none' },
  }),
  buildinfo: (ctx, body) => adminCommands.buildInfo(ctx, body),
  getParameter: (_ctx, body) => {
    const out: Doc = {};
    if (body.featureCompatibilityVersion !== undefined || body.getParameter === '*') out.featureCompatibilityVersion = { version: '7.0' };
    if (body.authenticationMechanisms !== undefined || body.getParameter === '*') out.authenticationMechanisms = [];
    return out;
  },
  getLog: (_ctx, body) => (body.getLog === '*' ? { names: ['global', 'startupWarnings'] } : { totalLinesWritten: 0, log: [] }),
  hostInfo: () => ({
    system: {
      currentTime: new Date(),
      hostname: os.hostname(),
      cpuAddrSize: 64,
      memSizeMB: Math.round(os.totalmem() / 1048576),
      numCores: os.cpus().length,
      cpuArch: os.arch(),
    },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
  }),
  serverStatus: (ctx) => ({
    host: os.hostname(),
    version: SERVER_VERSION,
    process: 'embedded-mongo',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor((Date.now() - STARTED) / 1000),
    uptimeMillis: Long.fromNumber(Date.now() - STARTED),
    localTime: new Date(),
    connections: { current: ctx.connectionId >= 0 ? 1 : 0 },
    mem: { bits: 64, resident: Math.round(process.memoryUsage().rss / 1048576), virtual: 0 },
    storageEngine: { name: 'embedded', persistent: false },
    extra_info: {
      note: 'fields vary by platform',
      user_time_us: Long.fromNumber(process.cpuUsage().user),
      system_time_us: Long.fromNumber(process.cpuUsage().system),
    },
    embeddedFastPaths: { enabled: ctx.engine.fastPaths, ...ctx.engine.fastPathHits },
    metrics: {
      commands: Object.fromEntries(
        [...ctx.engine.commandCounts].map(([name, c]) => [name, { failed: Long.fromNumber(c.failed), total: Long.fromNumber(c.total) }]),
      ),
    },
  }),
  whatsmyuri: () => ({ you: '127.0.0.1:0' }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {} }),
  getFreeMonitoringStatus: () => ({ state: 'disabled' }),
  // Sessions only matter to `$listLocalSessions` here (no transactions, no retryable writes): the
  // registry remembers the ids commands arrive with until they are ended, killed or time out.
  endSessions: (ctx, body) => {
    sessionsOf(ctx.engine).end(body.endSessions);
    return {};
  },
  killAllSessions: (ctx, body) => {
    // A list of users kills only theirs; without authentication no session belongs to a user.
    const users = body.killAllSessions;
    if (!Array.isArray(users) || users.length === 0) sessionsOf(ctx.engine).clear();
    return {};
  },
  killSessions: (ctx, body) => {
    sessionsOf(ctx.engine).end(body.killSessions);
    return {};
  },
  startSession: (ctx) => ({ id: startSession(ctx.engine), timeoutMinutes: 30 }),
  refreshSessions: (ctx, body) => {
    const sessions = sessionsOf(ctx.engine);
    if (Array.isArray(body.refreshSessions)) for (const lsid of body.refreshSessions) sessions.touch(lsid);
    return {};
  },
  commitTransaction: () => {
    throw transactionsRefused();
  },
  abortTransaction: () => {
    throw transactionsRefused();
  },
  saslStart: () => {
    throw new CommandError(
      Codes.CommandNotSupported,
      'Authentication is not supported by the embedded server; connect without credentials.',
    );
  },
  listDatabases: (ctx, body) => {
    const databases: Doc[] = [];
    for (const db of ctx.engine.databases.values()) {
      let size = 0;
      for (const c of db.collections.values()) size += c.size * 100;
      databases.push({ name: db.name, sizeOnDisk: size, empty: db.collections.size === 0 });
    }
    if (body.nameOnly) return { databases: databases.map((d) => ({ name: d.name })) };
    return { databases, totalSize: databases.reduce((n, d) => n + (d.sizeOnDisk as number), 0), totalSizeMb: 0 };
  },
  dropDatabase: (ctx) => {
    const db = ctx.engine.peek(ctx.dbName);
    if (db) for (const c of db.collections.values()) ctx.cursors.killNamespace(c.ns);
    ctx.engine.dropDatabase(ctx.dbName);
    return { dropped: ctx.dbName };
  },
};

export function transactionsRefused(): CommandError {
  return new CommandError(
    Codes.IllegalOperation,
    'Transaction numbers are only allowed on a replica set member or mongos ' +
      '(the embedded server is a standalone and does not support transactions)',
  );
}
