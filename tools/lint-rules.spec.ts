import path from 'node:path';
import { ESLint } from 'eslint';

// Proves the dependency rules of STYLE.md are enforced by lint, not only written down: each
// snippet is linted as if it lived at the given path.
const root = path.resolve(__dirname, '..');
// The config is loaded with require: ESLint's own loader uses dynamic import(), which jest lacks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: require('../eslint.config.js') });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => m.message);
}

describe('lint keeps the dependency directions', () => {
  it('forbids an app importing another app', async () => {
    expect(
      await problems(
        'apps/coupon/src/x/a.service.ts',
        "import { AppModule } from '../../../category/src/app.module';\nexport const a = AppModule;\n",
      ),
    ).toEqual([expect.stringContaining('No app imports another app')]);
  });
  it('forbids deep and relative lib imports', async () => {
    expect(
      await problems(
        'apps/coupon/src/x/a.service.ts',
        "import { ApiError } from '@suite/api-kit/src/errors';\nexport const a = ApiError;\n",
      ),
    ).toEqual([expect.stringContaining('alias')]);
    expect(await problems('libs/auth/src/a.ts', "import { ApiError } from '../../api-kit/src';\nexport const a = ApiError;\n")).toEqual([
      expect.stringContaining('alias'),
    ]);
    expect(await problems('libs/auth/src/a.ts', "import { ApiError } from '@suite/api-kit';\nexport const a = ApiError;\n")).toEqual([]);
    expect(
      await problems(
        'apps/coupon/src/x/a.service.ts',
        "import { ApiError } from '../../../../libs/api-kit/src';\nexport const a = ApiError;\n",
      ),
    ).toEqual([expect.stringContaining('alias')]);
  });
  it('keeps mongoose in repositories, schemas and libs/persistence', async () => {
    const code = "import mongoose from 'mongoose';\nexport const m = mongoose;\n";
    expect(await problems('apps/coupon/src/coupons/coupons.service.ts', code)).toEqual([expect.stringContaining('mongoose belongs in')]);
    expect(await problems('apps/coupon/src/coupons/coupons.controller.ts', code)).toEqual([expect.stringContaining('mongoose belongs in')]);
    expect(await problems('apps/coupon/src/coupons/coupon.repository.ts', code)).toEqual([]);
    expect(await problems('apps/coupon/src/coupons/coupon.schema.ts', code)).toEqual([]);
    expect(await problems('libs/persistence/src/x.ts', code)).toEqual([]);
  });
  it('forbids global models for tenant data (TEN-5)', async () => {
    const code = "import mongoose from 'mongoose';\nexport const m = mongoose.model('x', new mongoose.Schema({}));\n";
    expect(await problems('apps/coupon/src/coupons/coupon.repository.ts', code)).toEqual([expect.stringContaining('TenantModelRegistry')]);
  });
  it('keeps Nest HTTP exceptions out of services and repositories', async () => {
    const code = "import { NotFoundException } from '@nestjs/common';\nexport const e = NotFoundException;\n";
    expect(await problems('apps/category/src/categories/categories.service.ts', code)).toEqual([expect.stringContaining('ApiError')]);
    expect(await problems('apps/category/src/categories/category.repository.ts', code)).toEqual([expect.stringContaining('ApiError')]);
  });
  it('keeps @suite/testing out of production code', async () => {
    expect(
      await problems(
        'apps/category/src/categories/categories.service.ts',
        "import { mintToken } from '@suite/testing';\nexport const t = mintToken;\n",
      ),
    ).toEqual([expect.stringContaining('tests only')]);
  });
});
