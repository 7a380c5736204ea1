import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Nest's own tooling: `npx nest build <app>` compiles the app and the libs it imports (nest-cli.json
// lists them per project; SWC rewrites the @suite/* aliases from .swcrc), so its output runs on its
// own, as `npx nest start <app>` does with it. Built into a temporary directory (through a tsconfig
// whose outDir points there) so the dist/ of `npm start` is left alone.
const ROOT = path.resolve(__dirname, '..');

describe('npx nest build', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nest-build-'));
    // The output resolves its packages as it would in the repository.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds coupon with its libs into a loadable output', () => {
    const tsconfig = path.join(dir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions: { outDir: path.join(dir, 'dist') } }),
    );
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'coupon', '--path', tsconfig], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const out = path.join(dir, 'dist');
    expect(existsSync(path.join(out, 'apps/coupon/src/main.js'))).toBe(true);
    expect(existsSync(path.join(out, 'libs/api-kit/src/index.js'))).toBe(true);
    expect(existsSync(path.join(out, 'apps/coupon/test'))).toBe(false);
    // Loading the root module resolves every import of the app, the @suite/* libs included.
    const loaded = execFileSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(out, 'apps/coupon/src/app.module.js'))}); process.stdout.write('ok')`],
      {
        cwd: ROOT,
      },
    );
    expect(loaded.toString()).toBe('ok');
  }, 60000);
});
