/**
 * The committed OpenAPI documents work with the usual tools. A client generated from them compiles:
 * openapi-typescript turns each `openapi/<service>.json` into types, and a small openapi-fetch
 * client using them passes `tsc --noEmit` in strict mode; wrong paths and wrong error shapes are
 * compile errors (`@ts-expect-error`), so the types are real, not `any`. And Redocly's linter
 * (which openapi-typescript is built on) finds no error under its `recommended` rules.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCUMENTED_SERVICES, openApiFile, ROOT } from '../tools/openapi';

const CLIENT = `import createClient from 'openapi-fetch';
import type { components as CategoryApi, paths as CategoryPaths } from './category';
import type { components as CouponApi, paths as CouponPaths } from './coupon';
import type { components as SegmentApi, paths as SegmentPaths } from './customer-segment';

const baseUrl = 'http://127.0.0.1:8080';
const headers = { Authorization: 'Bearer <token>' };
const segments = createClient<SegmentPaths>({ baseUrl, headers });
const coupons = createClient<CouponPaths>({ baseUrl, headers });
const categories = createClient<CategoryPaths>({ baseUrl, headers });

export async function readAll(tenant: string): Promise<number[]> {
  const segmentPath = { tenant, segmentId: 'seg-1' };
  const segment = await segments.GET('/customer-segment/{tenant}/segments/{segmentId}', { params: { path: segmentPath } });
  const coupon = await coupons.GET('/coupon/{tenant}/coupons/{code}', { params: { path: { tenant, code: 'FIVEOFF' } } });
  const category = await categories.GET('/category/{tenant}/categories/{categoryId}', { params: { path: { tenant, categoryId: 'c-1' } } });
  // @ts-expect-error: not an operation of the coupon service
  await coupons.GET('/coupon/{tenant}/no-such-path', { params: { path: { tenant } } });
  // @ts-expect-error: the tenant path parameter is required
  await coupons.GET('/coupon/{tenant}/coupons/{code}', { params: { path: { code: 'X' } } });
  return [segment.response.status, coupon.response.status, category.response.status];
}

// Each service's error body has the shape of its profile (ERR-2).
const notFound = { code: 404, status: 'Not Found', errorCode: 'resource_not_found', message: 'x' } as const;
export const segmentError: SegmentApi['schemas']['Error'] = { ...notFound, details: [] };
export const couponError: CouponApi['schemas']['Error'] = { status: 404, type: 'resource_not_found', message: 'x', details: [] };
export const categoryError: CategoryApi['schemas']['Error'] = { ...notFound, details: ['x'] };
export const fault: CouponApi['schemas']['Fault'] = {
  fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
};
// @ts-expect-error: category details are strings, not objects
export const wrongCategoryError: CategoryApi['schemas']['Error'] = { ...categoryError, details: [{ type: 'x', message: 'y' }] };
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    skipLibCheck: true,
  },
  include: ['*.ts'],
};

// openapi-typescript's API, once per document (input and output path pairs); ES modules only, like Redocly's.
const GENERATE = `
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
const args = process.argv.slice(1);
for (let i = 0; i < args.length; i += 2) {
  const ast = await openapiTS(JSON.parse(readFileSync(args[i], 'utf8')));
  writeFileSync(args[i + 1], astToString(ast));
}
`;

// Redocly's API is ES modules only, which jest's module system cannot load: run it in a child process.
const LINT = `
import { createConfig, lint } from '@redocly/openapi-core';
const config = await createConfig({ extends: ['recommended'] });
const errors = [];
for (const file of process.argv.slice(1)) {
  for (const p of await lint({ ref: file, config })) {
    if (p.severity !== 'error') continue;
    errors.push(file.split('/').pop() + ' ' + (p.location[0]?.pointer ?? '') + ': ' + p.ruleId + ': ' + p.message);
  }
}
process.stdout.write(JSON.stringify(errors));
`;

describe('the committed documents', () => {
  it("pass Redocly's recommended rules without an error", () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', LINT, ...DOCUMENTED_SERVICES.map(openApiFile)], { cwd: ROOT });
    expect(JSON.parse(out.toString()) as string[]).toEqual([]);
  }, 60000);
});

describe('a client generated from the committed documents', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-client-'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated by openapi-typescript and type-checks with openapi-fetch', () => {
    const node = process.execPath;
    const files = DOCUMENTED_SERVICES.flatMap((service) => [openApiFile(service), path.join(dir, `${service}.ts`)]);
    execFileSync(node, ['--input-type=module', '-e', GENERATE, ...files], { cwd: ROOT, stdio: 'pipe' });
    writeFileSync(path.join(dir, 'client.ts'), CLIENT);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    try {
      execFileSync(node, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { stdio: 'pipe' });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`tsc failed on the generated client:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
    }
  }, 60000);
});
