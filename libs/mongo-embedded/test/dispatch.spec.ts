// The command dispatcher in isolation (embedded only): whatever a handler throws becomes an
// error reply, never an exception escaping into the connection or the process.

import { runCommand, SUPPORTED_COMMANDS } from '../src/commands/dispatch';
import { CursorManager } from '../src/commands/cursors';
import { Engine } from '../src/storage/engine';

const describeEmbedded = process.env.MONGODB_URI ? describe.skip : describe;

describeEmbedded('runCommand', () => {
  const cursors = new CursorManager();
  afterAll(() => cursors.close());

  it('turns an unexpected exception inside a command into 1 InternalError', () => {
    const engine = new Engine();
    // A catalog that fails underneath the command stands in for any bug in a handler.
    engine.peek = () => {
      throw new TypeError('boom');
    };
    const reply = runCommand({ engine, cursors, connectionId: 1 }, { find: 'c', $db: 'd' });
    expect(reply).toMatchObject({ ok: 0, code: 1, codeName: 'InternalError' });
    expect(String(reply.errmsg)).toContain('boom');
  });

  it('reports unknown commands, empty bodies and transactions with their MongoDB codes', () => {
    const ctx = { engine: new Engine(), cursors, connectionId: 1 };
    expect(runCommand(ctx, { frob: 1, $db: 'd' })).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
    expect(runCommand(ctx, {})).toMatchObject({ ok: 0, code: 9 });
    expect(runCommand(ctx, { find: 'c', $db: 'd', startTransaction: true, autocommit: false })).toMatchObject({ ok: 0, code: 20 });
    expect(runCommand(ctx, { commitTransaction: 1, $db: 'admin' })).toMatchObject({ ok: 0, code: 20 });
    // Names inherited from Object.prototype are not commands.
    expect(runCommand(ctx, { constructor: 1, $db: 'd' })).toMatchObject({ ok: 0, code: 59 });
  });

  it('counts the commands it ran and those that failed in serverStatus.metrics.commands, as MongoDB does', () => {
    const ctx = { engine: new Engine(), cursors, connectionId: 1 };
    runCommand(ctx, { insert: 'c', documents: [{ _id: 1 }], $db: 'd' });
    runCommand(ctx, { find: 'c', filter: {}, $db: 'd' });
    runCommand(ctx, { find: 'c', filter: { $bogus: 1 }, $db: 'd' });
    runCommand(ctx, { frob: 1, $db: 'd' }); // not a command: not counted under its name
    const metrics = runCommand(ctx, { serverStatus: 1, $db: 'admin' }).metrics as {
      commands: Record<string, { total: unknown; failed: unknown }>;
    };
    const n = (v: unknown) => Number(v);
    expect(n(metrics.commands.find.total)).toBe(2);
    expect(n(metrics.commands.find.failed)).toBe(1);
    expect(n(metrics.commands.insert.total)).toBe(1);
    expect(n(metrics.commands.insert.failed)).toBe(0);
    expect(metrics.commands.frob).toBeUndefined();
  });

  it('supports every command the spec lists', () => {
    const required = [
      'hello',
      'isMaster',
      'ping',
      'buildInfo',
      'listDatabases',
      'dropDatabase',
      'create',
      'drop',
      'listCollections',
      'createIndexes',
      'listIndexes',
      'dropIndexes',
      'insert',
      'find',
      'getMore',
      'killCursors',
      'update',
      'delete',
      'findAndModify',
      'count',
      'distinct',
      'aggregate',
      'endSessions',
    ];
    expect(required.filter((c) => !SUPPORTED_COMMANDS.includes(c))).toEqual([]);
  });
});
