import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireWithCodeCache } from './code-cache';

// The cache the hosting process of `npm start` compiles its bundle from (tools/app-host-main.ts).
describe('requireWithCodeCache', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'code-cache-'));
    file = path.join(dir, 'module.js');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const source = (answer: string) =>
    `const { basename } = require('node:path');\n` +
    `function answer() { return '${answer}'; }\n` +
    `module.exports = { answer, name: basename(__filename), dir: __dirname, async later() { return (await import('node:path')).sep; } };\n`;

  it('runs the file as a CommonJS module: exports, require, __filename, __dirname, dynamic import', async () => {
    writeFileSync(file, source('one'));
    const loaded = requireWithCodeCache<{ answer(): string; name: string; dir: string; later(): Promise<string> }>(file);
    expect(loaded.fromCache).toBe(false);
    expect(loaded.exports.answer()).toBe('one');
    expect(loaded.exports.name).toBe('module.js');
    expect(loaded.exports.dir).toBe(dir);
    await expect(loaded.exports.later()).resolves.toBe(path.sep);
  });

  it('compiles from the cache once it is stored, and stores nothing over a cache it used', () => {
    writeFileSync(file, source('one'));
    const first = requireWithCodeCache<{ answer(): string }>(file);
    first.exports.answer();
    first.storeCache();
    expect(existsSync(`${file}.v8-cache`)).toBe(true);

    const second = requireWithCodeCache<{ answer(): string }>(file);
    expect(second.fromCache).toBe(true);
    expect(second.exports.answer()).toBe('one');
  });

  it('never uses the cache of other source, even of the same length (V8 checks only the length)', () => {
    writeFileSync(file, source('one'));
    requireWithCodeCache(file).storeCache();
    writeFileSync(file, source('two'));
    const changed = requireWithCodeCache<{ answer(): string }>(file);
    expect(changed.fromCache).toBe(false);
    expect(changed.exports.answer()).toBe('two');
  });

  it('goes without a cache it cannot read or write', () => {
    writeFileSync(file, source('one'));
    writeFileSync(`${file}.v8-cache`, 'not a cache');
    const loaded = requireWithCodeCache<{ answer(): string }>(file);
    expect(loaded.fromCache).toBe(false);
    expect(loaded.exports.answer()).toBe('one');
    const unwritable = requireWithCodeCache(file, path.join(dir, 'missing-dir', 'cache'));
    expect(() => unwritable.storeCache()).not.toThrow();
  });
});
