/**
 * `npm start`: the whole suite on one base URL. The embedded MongoDB server keeps its data in
 * DATA_DIR (default ./.data) unless MONGODB_URI points at a real MongoDB.
 */
import { SERVICES, launchSuite } from './launcher';

async function main() {
  const env = process.env;
  if (!env.AUTH_HS256_SECRET && env.NODE_ENV !== 'production') {
    process.stderr.write(
      'warning: AUTH_HS256_SECRET is not set; using the development secret "dev-secret-change-me". Never use it in production.\n',
    );
  }
  const started = Date.now();
  const suite = await launchSuite({
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '127.0.0.1',
    mongodbUri: env.MONGODB_URI,
    dataDir: env.MONGODB_URI ? undefined : (env.DATA_DIR ?? './.data'),
  });
  const lines = [
    '',
    `Commerce suite ready in ${Date.now() - started} ms on ${suite.baseUrl}`,
    ...SERVICES.map((s) => `  ${suite.baseUrl}/${s}/{tenant}/...  (internal ${suite.services[s].url})`),
    `  database: ${suite.mongodbUri}${env.MONGODB_URI ? '' : ` (embedded, data in ${env.DATA_DIR ?? './.data'})`}`,
    '',
    'Get a development token and call the API:',
    `  TOKEN=$(npm run -s token -- --tenant acme --scopes "customersegment.segment_manage customersegment.segment_read")`,
    `  curl -H "Authorization: Bearer $TOKEN" ${suite.baseUrl}/customer-segment/acme/segments`,
    '',
    'API reference (OpenAPI 3.1, no token needed):',
    ...SERVICES.map((s) => `  ${suite.baseUrl}/${s}/docs  (document: ${suite.baseUrl}/${s}/openapi.json)`),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping the suite...\n`);
    await suite.stop();
    process.stdout.write('stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`failed to start the suite: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
