/**
 * The hosting process `npm start` runs (tools/launcher.ts): the bundle of tools/app-host.ts that
 * tools/build.js makes, compiled from V8's code cache once an earlier start has written it
 * (./code-cache), which it does when its apps listen.
 */
import path from 'node:path';
import type { runAppHost } from './app-host';
import { requireWithCodeCache } from './code-cache';

const host = requireWithCodeCache<{ runAppHost: typeof runAppHost }>(path.join(__dirname, 'app-host.bundle.js'));
void host.exports.runAppHost().then(() => host.storeCache());
