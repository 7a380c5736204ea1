#!/usr/bin/env node
// Compiles every TypeScript source (apps, libs, tools) to dist/ with SWC, rewriting the
// @suite/* aliases to relative paths, then bundles the process `npm start` hosts the apps in
// (dist/tools/app-host.bundle.js, below). Type checking is separate (`npm run typecheck`), so a build
// takes a few seconds. `--if-needed` skips the build when dist/ is newer than every source file,
// the build's settings and the installed packages.
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

// Besides the sources: the build's own settings, and the installed packages (npm rewrites
// node_modules/.package-lock.json on every install), which the bundle below contains.
const inputs = ['.swcrc', 'tools/build.js', 'node_modules/.package-lock.json'].map((f) => path.join(root, f));
if (process.argv.includes('--if-needed') && fs.existsSync(stamp)) {
  const built = fs.statSync(stamp).mtimeMs;
  const newest = Math.max(
    ...sources.map((s) => newestSource(path.join(root, s))),
    ...inputs.filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mtimeMs),
  );
  if (newest < built) process.exit(0);
}

const swc = path.join(root, 'node_modules', '.bin', 'swc');
const result = spawnSync(
  swc,
  [...sources, '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts,**/*.e2e-spec.ts,**/*.js', '--quiet'],
  { cwd: root, stdio: 'inherit' },
);
if (result.error) {
  // Without node_modules (a fresh clone before `npm ci`) there is no swc to spawn: say so.
  process.stderr.write(`build: could not run ${path.relative(root, swc)} (${result.error.message}); run \`npm ci\` first\n`);
  process.exit(1);
}
if (result.status !== 0) process.exit(result.status ?? 1);
bundleAppHost().then(
  () => fs.writeFileSync(stamp, new Date().toISOString()),
  (e) => {
    process.stderr.write(`build: bundling the app host failed: ${e.message}\n`);
    process.exit(1);
  },
);

/**
 * `import * as mongoose from 'mongoose'` (@nestjs/mongoose) bundled gives an object whose prototype
 * is Mongoose's, so `mongoose.createConnection()` takes it for a Mongoose instance and fails to
 * write to it; under Node it is a plain namespace and mongoose uses its default instance. The
 * bundle's 'mongoose' is such a plain object, forwarding every name to the real module (external).
 */
function mongooseNamespace() {
  return {
    name: 'mongoose-namespace',
    setup(build) {
      build.onResolve({ filter: /^mongoose$/ }, (args) =>
        args.namespace === 'mongoose-namespace'
          ? { path: 'mongoose', external: true }
          : { path: 'mongoose', namespace: 'mongoose-namespace' },
      );
      build.onLoad({ filter: /.*/, namespace: 'mongoose-namespace' }, () => ({
        resolveDir: root,
        loader: 'js',
        contents: `
        const mongoose = require('mongoose');
        const names = new Set();
        for (let o = mongoose; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
          for (const name of Object.getOwnPropertyNames(o)) if (name !== 'constructor') names.add(name);
        const namespace = { __proto__: null, default: mongoose };
        for (const name of names) if (name !== 'default') Object.defineProperty(namespace, name, { enumerable: true, get: () => mongoose[name] });
        module.exports = namespace;`,
      }));
    },
  };
}

/**
 * @nestjs/mapped-types requires class-validator and class-transformer through a `require` of its
 * own (`createRequire(import.meta.url)`), which the bundle cannot see: at run time it would load a
 * second copy from node_modules, and class-transformer's metadata lives in its module, so the
 * DTOs built with PartialType and the like would lose theirs. Without those two lines its
 * `require`s are the bundle's, and there is one copy. A version that no longer has them fails the build.
 */
function mappedTypesRequire() {
  const lines = ["import { createRequire } from 'node:module';", 'const require = createRequire(import.meta.url);'];
  return {
    name: 'mapped-types-require',
    setup(build) {
      build.onLoad({ filter: /[\\/]@nestjs[\\/]mapped-types[\\/]dist[\\/]type-helpers\.utils\.js$/ }, (args) => {
        let contents = fs.readFileSync(args.path, 'utf8');
        for (const line of lines) {
          if (!contents.includes(line)) throw new Error(`${args.path} no longer has "${line}": check how it loads class-validator`);
          contents = contents.replace(line, '');
        }
        return { contents, loader: 'js' };
      });
    },
  };
}

/**
 * The process hosting the four apps under `npm start` (tools/app-host.ts) as one file, with esbuild:
 * requiring ~1,600 modules one by one (resolution, and Node 20 loading Nest 12's ES modules through
 * `require`) took it 1.3-1.6 s, the bundle 0.85 s (docs/operations.md, "One process for the apps of an
 * instance"). Each app's own process (`main.js`, production's containers) runs the unbundled output.
 */
async function bundleAppHost() {
  const esbuild = require('esbuild');
  await esbuild.build({
    absWorkingDir: root,
    // Its exports are app-host's (runAppHost); tools/app-host-main.ts requires it and runs them.
    entryPoints: [path.join(dist, 'tools', 'app-host.js')],
    outfile: path.join(dist, 'tools', 'app-host.bundle.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'error',
    // Nest's ES modules ask `import.meta.url` only to create a `require` for optional packages.
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleUrl' },
    plugins: [mongooseNamespace(), mappedTypesRequire()],
    external: [
      // Required as installed (mongoose through mongooseNamespace); the driver and BSON stay with
      // mongoose so that there is one ObjectId class.
      'mongodb',
      'bson',
      // @nestjs/mapped-types' fallback when 'class-transformer/cjs/storage' is missing; it is not.
      'class-transformer/storage',
      // Loaded only with tracing configured, which runs each app in its own unbundled process.
      '@opentelemetry/sdk-node',
      '@opentelemetry/exporter-trace-otlp-proto',
      '@opentelemetry/instrumentation-*',
      // Its files are served from its own directory.
      'swagger-ui-dist',
      // Optional packages of Nest and Fastify that the suite does not install.
      '@nestjs/microservices',
      '@nestjs/microservices/*',
      '@nestjs/websockets',
      '@nestjs/websockets/*',
      '@nestjs/platform-express',
      '@fastify/static',
      '@fastify/view',
      '@fastify/multipart',
    ],
  });
}
