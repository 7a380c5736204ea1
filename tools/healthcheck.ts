/**
 * The container health check of every app and the gateway (Dockerfile HEALTHCHECK, compose
 * healthchecks): asks the process in the same container for `/health/ready` (or `/health/live`
 * with `--live`) on 127.0.0.1 and the port it listens on (PORT, else 8080 as the gateway's
 * default), and exits 0 on a 200 answer, 1 otherwise. The image has no curl or wget; Node's own
 * fetch does the request, so nothing is installed for it. Hand-written because it is ten lines.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const path = argv.includes('--live') ? '/health/live' : '/health/ready';
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write(`healthcheck: PORT must be a port number (got '${env.PORT}')\n`);
    return 1;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
    await res.arrayBuffer();
    if (res.status === 200) return 0;
    process.stderr.write(`healthcheck: ${path} answered ${res.status}\n`);
  } catch (e) {
    process.stderr.write(`healthcheck: ${path} did not answer: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  return 1;
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
