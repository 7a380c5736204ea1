#!/usr/bin/env node
// Compiles every TypeScript source (apps, libs, tools) to dist/ with SWC, rewriting the
// @suite/* aliases to relative paths. Type checking is separate (`npm run typecheck`), so a build
// takes about a second. `--if-needed` skips the build when dist/ is newer than every source file.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const sources = ['apps', 'libs', 'tools'];
const stamp = path.join(dist, '.build-stamp');

function newestSource(dir) {
  let newest = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

if (process.argv.includes('--if-needed') && fs.existsSync(stamp)) {
  const built = fs.statSync(stamp).mtimeMs;
  const newest = Math.max(...sources.map((s) => newestSource(path.join(root, s))), fs.statSync(path.join(root, '.swcrc')).mtimeMs);
  if (newest < built) process.exit(0);
}

const swc = path.join(root, 'node_modules', '.bin', 'swc');
const result = spawnSync(
  swc,
  [...sources, '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/*.e2e-spec.ts,**/*.js', '--quiet'],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
fs.writeFileSync(stamp, new Date().toISOString());
