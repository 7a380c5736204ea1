import { ConfigError, readBaseConfig } from './base-config';

const URI = { MONGODB_URI: 'mongodb://127.0.0.1:27017' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    readBaseConfig({ ...URI, ...env }, { port: 1 });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('graceful shutdown configuration (SHUTDOWN_DRAIN_MS, SHUTDOWN_DELAY_MS)', () => {
  it('drains for up to 10 s without a delay by default; 0 is allowed for both', () => {
    expect(readBaseConfig(URI, { port: 1 }).shutdown).toEqual({ drainMs: 10000, delayMs: 0 });
    expect(readBaseConfig({ ...URI, SHUTDOWN_DRAIN_MS: '0', SHUTDOWN_DELAY_MS: '0' }, { port: 1 }).shutdown).toEqual({
      drainMs: 0,
      delayMs: 0,
    });
    expect(readBaseConfig({ ...URI, SHUTDOWN_DRAIN_MS: '20000', SHUTDOWN_DELAY_MS: '5000' }, { port: 1 }).shutdown).toEqual({
      drainMs: 20000,
      delayMs: 5000,
    });
  });

  it('refuses values that are not whole milliseconds in range, and a delay longer than the drain window', () => {
    expect(problemsOf({ SHUTDOWN_DRAIN_MS: '-1' })).toEqual(["SHUTDOWN_DRAIN_MS must be an integer from 0 to 600000 (got '-1')"]);
    expect(problemsOf({ SHUTDOWN_DRAIN_MS: '10s' })).toEqual(["SHUTDOWN_DRAIN_MS must be an integer from 0 to 600000 (got '10s')"]);
    expect(problemsOf({ SHUTDOWN_DELAY_MS: '1.5' })).toEqual(["SHUTDOWN_DELAY_MS must be an integer from 0 to 600000 (got '1.5')"]);
    expect(problemsOf({ SHUTDOWN_DRAIN_MS: '1000', SHUTDOWN_DELAY_MS: '2000' })).toEqual([
      'SHUTDOWN_DELAY_MS must be at most SHUTDOWN_DRAIN_MS (got 2000 and 1000)',
    ]);
  });
});
