import { databaseHeapArgs } from './launcher';

describe('the embedded database’s heap (launcher)', () => {
  const GiB = 1024 ** 3;

  it('may use half the machine’s memory, at least 2 GiB and at most 16 GiB', () => {
    expect(databaseHeapArgs(24 * GiB, '')).toEqual(['--max-old-space-size=12288']);
    expect(databaseHeapArgs(2 * GiB, '')).toEqual(['--max-old-space-size=2048']);
    expect(databaseHeapArgs(64 * GiB, '')).toEqual(['--max-old-space-size=16384']);
  });

  it('leaves the limit to NODE_OPTIONS when it sets one', () => {
    expect(databaseHeapArgs(24 * GiB, '--enable-source-maps --max-old-space-size=1024')).toEqual([]);
  });
});
