import { TreeBodyMemo } from './tree-body-memo';

describe('TreeBodyMemo', () => {
  const bytes = (s: string) => Buffer.from(s);

  it('decodes identical bytes of one tenant once, and anything else again', () => {
    const memo = new TreeBodyMemo<number[]>();
    const decode = jest.fn((b: Buffer) => Object.freeze(JSON.parse(b.toString())) as number[]);
    const a = memo.decode('t1', bytes('[1,2]'), decode);
    expect(memo.decode('t1', bytes('[1,2]'), decode)).toBe(a);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(memo.decode('t1', bytes('[1,3]'), decode)).toEqual([1, 3]);
    // Another tenant never gets this tenant's decoding, even for the same bytes.
    expect(memo.decode('t2', bytes('[1,3]'), decode)).toEqual([1, 3]);
    expect(decode).toHaveBeenCalledTimes(3);
  });

  it('remembers a copy, so a reused response buffer cannot change what matches', () => {
    const memo = new TreeBodyMemo<string>();
    const decode = jest.fn((b: Buffer) => b.toString());
    const buf = bytes('[1]');
    memo.decode('t', buf, decode);
    buf.write('[2]');
    expect(memo.decode('t', bytes('[2]'), decode)).toBe('[2]');
    expect(decode).toHaveBeenCalledTimes(2);
  });

  it('forgets the least recently decoded tenant past its bound, and never keeps oversized answers', () => {
    const memo = new TreeBodyMemo<string>(2, 4);
    const decode = jest.fn((b: Buffer) => b.toString());
    memo.decode('a', bytes('[1]'), decode);
    memo.decode('b', bytes('[1]'), decode);
    memo.decode('c', bytes('[1]'), decode);
    memo.decode('a', bytes('[1]'), decode);
    expect(decode).toHaveBeenCalledTimes(4);
    memo.decode('big', bytes('[1,2,3]'), decode);
    memo.decode('big', bytes('[1,2,3]'), decode);
    expect(decode).toHaveBeenCalledTimes(6);
  });

  it('keeps the most recently used keys within its byte budget, and replaces a key whose answer changed', () => {
    const memo = new TreeBodyMemo<string>(8, 8);
    const decode = jest.fn((b: Buffer) => b.toString());
    memo.decode('t|a', bytes('[11]'), decode);
    memo.decode('t|b', bytes('[22]'), decode);
    // A hit makes 't|a' the most recent: the next answer (4 more bytes) pushes out 't|b', not 't|a'.
    memo.decode('t|a', bytes('[11]'), decode);
    memo.decode('t|c', bytes('[33]'), decode);
    expect(decode).toHaveBeenCalledTimes(3);
    memo.decode('t|a', bytes('[11]'), decode);
    expect(decode).toHaveBeenCalledTimes(3);
    memo.decode('t|b', bytes('[22]'), decode);
    expect(decode).toHaveBeenCalledTimes(4);
    // A changed answer under a key replaces the old one (its bytes no longer count).
    memo.decode('t|b', bytes('[2]'), decode);
    memo.decode('t|b', bytes('[2]'), decode);
    expect(decode).toHaveBeenCalledTimes(5);
  });

  it('propagates a decoding failure and remembers nothing for it', () => {
    const memo = new TreeBodyMemo<unknown>();
    const bad = () => {
      throw new Error('garbage');
    };
    expect(() => memo.decode('t', bytes('x'), bad)).toThrow('garbage');
    const good = jest.fn(() => 'ok');
    expect(memo.decode('t', bytes('x'), good)).toBe('ok');
    expect(good).toHaveBeenCalledTimes(1);
  });
});
