#!/usr/bin/env node
// `npm run db -- --port 27017 --data ./data`: runs the embedded server until SIGINT/SIGTERM.
// Prints exactly one line on stdout when ready, so launchers can wait for it.

import { EmbeddedMongo } from './server';

interface CliArgs {
  port: number;
  host: string;
  dataDir?: string;
  quiet: boolean;
  compactAfterBytes?: number;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { port: 27017, host: '127.0.0.1', quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    if (a === '--port' || a === '-p') args.port = Number(value());
    else if (a.startsWith('--port=')) args.port = Number(a.slice(7));
    else if (a === '--host') args.host = value();
    else if (a.startsWith('--host=')) args.host = a.slice(7);
    else if (a === '--data' || a === '--dbpath') args.dataDir = value();
    else if (a.startsWith('--data=')) args.dataDir = a.slice(7);
    else if (a === '--quiet') args.quiet = true;
    else if (a === '--compact-after') args.compactAfterBytes = Number(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: embedded-mongo [--port N] [--host H] [--data DIR] [--quiet] [--compact-after BYTES]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error(`invalid port ${args.port}`);
  return args;
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`embedded-mongo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const server = await EmbeddedMongo.start({
    port: args.port,
    host: args.host,
    dataDir: args.dataDir,
    quiet: args.quiet,
    compactAfterBytes: args.compactAfterBytes,
  });
  process.stdout.write(`embedded-mongo listening on ${server.uri}\n`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e) => {
  process.stderr.write(`embedded-mongo: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
