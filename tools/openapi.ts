/**
 * `npm run openapi`: writes each service's OpenAPI document to `openapi/<service>.json`, generated
 * from the code exactly as the service serves it at `GET /<service>/openapi.json`. The apps are
 * built as Nest previews (module graph and routes, no instances): no database, no network.
 * `npm run openapi -- --check` writes nothing and exits 1 when a committed file is out of date.
 * Files are written as Prettier formats JSON; they are compared by content and key order only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { applicationOptions, buildOpenApiDocument, createAdapter, serializeOpenApiDocument } from '@suite/api-kit';
import { RouteAccessInspector } from '@suite/auth';
import pino, { Logger } from 'pino';

export const DOCUMENTED_SERVICES = ['customer-segment', 'coupon', 'category', 'webhook'] as const;
export type DocumentedService = (typeof DOCUMENTED_SERVICES)[number];

/**
 * Configuration only has to pass the apps' boot validation: a preview never connects anywhere.
 * The secret silences the development-secret warning; it signs nothing.
 */
const PREVIEW_ENV: NodeJS.ProcessEnv = {
  MONGODB_URI: 'mongodb://127.0.0.1:9',
  AUTH_HS256_SECRET: 'openapi-preview-only',
  NODE_ENV: 'development',
};

/** Each app's root module, loaded only when its document is built. */
const MODULES: Record<DocumentedService, () => Promise<(logger: Logger) => DynamicModule>> = {
  'customer-segment': async () => {
    const [{ AppModule }, { loadCustomerSegmentConfig }] = await Promise.all([
      import('../apps/customer-segment/src/app.module'),
      import('../apps/customer-segment/src/config/customer-segment.config'),
    ]);
    return (logger) => AppModule.forRoot(loadCustomerSegmentConfig(PREVIEW_ENV), logger);
  },
  coupon: async () => {
    const [{ AppModule }, { loadCouponConfig }] = await Promise.all([
      import('../apps/coupon/src/app.module'),
      import('../apps/coupon/src/config/coupon.config'),
    ]);
    return (logger) => AppModule.forRoot(loadCouponConfig(PREVIEW_ENV), logger);
  },
  category: async () => {
    const [{ AppModule }, { loadCategoryConfig }] = await Promise.all([
      import('../apps/category/src/app.module'),
      import('../apps/category/src/config/category.config'),
    ]);
    return (logger) => AppModule.forRoot(loadCategoryConfig(PREVIEW_ENV), logger);
  },
  webhook: async () => {
    const [{ AppModule }, { loadWebhookConfig }] = await Promise.all([
      import('../apps/webhook/src/app.module'),
      import('../apps/webhook/src/config/webhook.config'),
    ]);
    return (logger) => AppModule.forRoot(loadWebhookConfig(PREVIEW_ENV), logger);
  },
};

// The repository root, whether this file runs compiled (dist/tools) or from source (tools).
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') dir = path.dirname(dir);
  return dir;
})();

/** Where the committed document of a service lives. */
export function openApiFile(service: DocumentedService): string {
  return path.join(ROOT, 'openapi', `${service}.json`);
}

/**
 * Builds a service's application as a Nest preview (`{ preview: true }`): modules, controllers and
 * routes are registered, nothing is instantiated, so nothing connects. The caller closes it.
 */
export async function previewApp(service: DocumentedService): Promise<NestFastifyApplication> {
  const logger = pino({ level: 'silent' });
  const rootModule = (await MODULES[service]())(logger);
  return NestFactory.create<NestFastifyApplication>(rootModule, createAdapter(), { ...applicationOptions(logger), preview: true });
}

/**
 * The service's document as the service serves it. Applies the boot-time access check first (a
 * preview never bootstraps), so a route without a valid access declaration fails here too, and
 * refuses a document whose security disagrees with the guards.
 */
export async function generateOpenApiDocument(service: DocumentedService): Promise<string> {
  const app = await previewApp(service);
  try {
    const inspector = RouteAccessInspector.of(app);
    const problems = inspector.findProblems();
    if (problems.length) throw new Error(`${service}: routes with wrong access declarations:\n  ${problems.join('\n  ')}`);
    const document = buildOpenApiDocument(app);
    const mismatches = inspector.documentMismatches(document);
    if (mismatches.length) throw new Error(`${service}: the document disagrees with the guards:\n  ${mismatches.join('\n  ')}`);
    return serializeOpenApiDocument(document);
  } finally {
    await app.close();
  }
}

/** The file as the repository's Prettier settings format it, so a formatter pass leaves it alone. */
async function formatted(file: string, json: string): Promise<string> {
  const prettier = await import('prettier');
  return prettier.format(json, { ...(await prettier.resolveConfig(file)), filepath: file });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const service of DOCUMENTED_SERVICES) {
    const file = openApiFile(service);
    const json = await generateOpenApiDocument(service);
    // Compared as canonical JSON (content and key order), whatever a formatter did to the file.
    const current = existsSync(file) ? serializeOpenApiDocument(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
    const relative = path.relative(ROOT, file);
    if (current === json) {
      process.stdout.write(`${relative} is up to date\n`);
    } else if (check) {
      stale.push(relative);
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await formatted(file, json));
      process.stdout.write(`wrote ${relative}\n`);
    }
  }
  if (stale.length) {
    process.stderr.write(`out of date: ${stale.join(', ')}; run npm run openapi\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`openapi: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
