/**
 * Requires one CommonJS file with V8's code cache kept beside it: what Node 22's
 * `module.enableCompileCache()` does, which Node 20 (this suite's floor) lacks. The cache is written
 * once the caller says the code that matters has run (`storeCache`), so it holds the functions
 * compiled while starting, not only the top level; the v8-compile-cache package writes it before
 * the code runs, and gave the app host nothing measurable. Used for the bundle `npm start` hosts
 * the apps in (tools/app-host-main.ts).
 *
 * V8 checks a cache only against the source's length and its own version and flags, so the cache
 * starts with the SHA-1 of the source it was made from and is used only for that source.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const HASH_BYTES = 20;

export interface CachedRequire<T> {
  readonly exports: T;
  /** Whether V8 compiled the file from the cache. */
  readonly fromCache: boolean;
  /** Writes the cache of what has been compiled so far, unless it was read from one; never throws. */
  storeCache(): void;
}

export function requireWithCodeCache<T>(file: string, cacheFile = `${file}.v8-cache`): CachedRequire<T> {
  const source = readFileSync(file, 'utf8');
  const hash = createHash('sha1').update(source).digest();
  const cached = readCache(cacheFile, hash);
  const script = new vm.Script(wrap(source), {
    filename: file,
    cachedData: cached,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const fromCache = cached !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as T, filename: file, id: file, loaded: false };
  const run = script.runInThisContext() as (exports: T, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return {
    get exports() {
      return module.exports;
    },
    fromCache,
    storeCache() {
      if (fromCache) return;
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(temporary, Buffer.concat([hash, script.createCachedData()]));
        renameSync(temporary, cacheFile);
      } catch {
        // A cache only saves time: a read-only directory goes without one.
        rmSync(temporary, { force: true });
      }
    },
  };
}

function readCache(cacheFile: string, hash: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return data.length > HASH_BYTES && data.subarray(0, HASH_BYTES).equals(hash) ? data.subarray(HASH_BYTES) : undefined;
}
