// Lint keeps the dependency directions of STYLE.md: apps -> libs, libs only through their
// @suite/* alias, no app importing another, mongoose only in repositories, schemas and
// libs/persistence, Nest HTTP exceptions only in controllers and the one exception filter, and no
// global mongoose models for tenant data (TEN-5).
const tseslint = require('typescript-eslint');

const APPS = ['customer-segment', 'coupon', 'category', 'webhook'];
const LIBS = ['auth', 'api-kit', 'persistence', 'mongo-embedded', 'testing', 'foundation', 'observability'];

// A lib's light entry points: what the launcher and the gateway need without loading Nest
// (libs/api-kit/src/edge.ts, libs/observability/src/tracing.ts); the same list as jest.config.js.
const LIGHT_ENTRY_POINTS = ['@suite/api-kit/edge', '@suite/observability/tracing'];
const deepLibImports = {
  group: [...LIBS.map((l) => `@suite/${l}/**`), ...LIGHT_ENTRY_POINTS.map((e) => `!${e}`)],
  message: `Import a lib only through its alias (@suite/<lib>, or ${LIGHT_ENTRY_POINTS.join(', ')}), never by a deep path.`,
};
const relativeLibImports = {
  group: ['**/libs/*', '**/libs/**'],
  message: 'Import a lib only through its @suite/* alias.',
};
const httpExceptions = {
  name: '@nestjs/common',
  importNames: [
    'HttpException',
    'BadRequestException',
    'UnauthorizedException',
    'ForbiddenException',
    'NotFoundException',
    'ConflictException',
    'InternalServerErrorException',
    'ServiceUnavailableException',
    'PayloadTooLargeException',
    'UnsupportedMediaTypeException',
    'UnprocessableEntityException',
    'GoneException',
    'MethodNotAllowedException',
  ],
  message: 'Throw ApiError from @suite/api-kit; HTTP lives in the one exception filter.',
};
const mongooseOutsideData = [
  { name: 'mongoose', message: 'mongoose belongs in *.repository.ts, *.schema.ts and libs/persistence only.' },
  { name: '@nestjs/mongoose', message: 'Tenant data goes through TenantModelRegistry of @suite/persistence (TEN-5).' },
];

function restricted(paths, patterns) {
  return ['error', { paths, patterns }];
}

// Syntax every TypeScript file avoids (TEN-5, STYLE habit 3); app sources add one more rule below.
const TENANCY_SYNTAX = [
  { selector: "Decorator[expression.callee.name='InjectModel']", message: 'Use TenantModelRegistry (TEN-5).' },
  {
    selector: "CallExpression[callee.object.name='mongoose'][callee.property.name='model']",
    message: 'Use TenantModelRegistry (TEN-5).',
  },
  {
    selector: "Decorator[expression.callee.name='Inject'] > CallExpression > Identifier[name='REQUEST']",
    message: 'No request-scoped providers (STYLE habit 3).',
  },
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Prettier lays out code at 140 columns; this also holds strings and comments to it.
      'max-len': ['error', { code: 140, tabWidth: 2 }],
      '@typescript-eslint/no-namespace': 'off',
      'no-restricted-syntax': ['error', ...TENANCY_SYNTAX],
      'no-restricted-imports': restricted([...mongooseOutsideData, httpExceptions], [deepLibImports, relativeLibImports]),
    },
  },
  {
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...TENANCY_SYNTAX,
        {
          // A local type named like a Nest parameter decorator makes SWC's decorator metadata point
          // at the decorator function, and the validation pipe then hands the handler a function.
          selector:
            ':matches(TSTypeAliasDeclaration, TSInterfaceDeclaration, ClassDeclaration)[id.name=/^(Query|Body|Param|Headers|Req|Res)$/]',
          message: 'Do not name a type like a Nest parameter decorator (Query, Body, Param, ...).',
        },
      ],
    },
  },
  // Data layer files may use mongoose.
  {
    files: [
      '**/*.repository.ts',
      '**/*.schema.ts',
      'libs/persistence/**/*.ts',
      'libs/mongo-embedded/**/*.ts',
      'libs/testing/**/*.ts',
      '**/*.spec.ts',
      '**/*.e2e-spec.ts',
      'tools/**/*.ts',
      'test/**/*.ts',
    ],
    rules: { 'no-restricted-imports': restricted([httpExceptions], [deepLibImports, relativeLibImports]) },
  },
  // The one exception filter and controllers may use Nest HTTP exceptions.
  {
    files: ['**/*.controller.ts', 'libs/api-kit/src/http/**/*.ts'],
    rules: { 'no-restricted-imports': restricted(mongooseOutsideData, [deepLibImports, relativeLibImports]) },
  },
  // No app imports another app.
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': restricted(app.endsWith('') ? [...mongooseOutsideData, httpExceptions] : [], [
        deepLibImports,
        relativeLibImports,
        {
          group: APPS.filter((a) => a !== app).flatMap((a) => [`**/${a}/**`, `**/apps/${a}`]),
          message: 'No app imports another app; call it over HTTP.',
        },
        { group: ['@suite/testing'], message: '@suite/testing is for tests only.' },
      ]),
    },
  })),
  {
    files: APPS.flatMap((a) => [`apps/${a}/**/*.repository.ts`, `apps/${a}/**/*.schema.ts`]),
    rules: {
      'no-restricted-imports': restricted(
        [httpExceptions],
        [deepLibImports, relativeLibImports, { group: ['@suite/testing'], message: '@suite/testing is for tests only.' }],
      ),
    },
  },
  {
    files: APPS.map((a) => `apps/${a}/**/*.controller.ts`),
    rules: {
      'no-restricted-imports': restricted(mongooseOutsideData, [
        deepLibImports,
        relativeLibImports,
        { group: ['@suite/testing'], message: '@suite/testing is for tests only.' },
      ]),
    },
  },
  {
    files: ['apps/**/*.spec.ts', 'apps/**/*.e2e-spec.ts', 'apps/*/test/**/*.ts'],
    rules: { 'no-restricted-imports': restricted([httpExceptions], [deepLibImports, relativeLibImports]) },
  },
  // Inside a lib, another lib is reached only through its alias, never by a relative path.
  ...LIBS.map((lib) => {
    const dataLib = ['persistence', 'mongo-embedded', 'testing'].includes(lib);
    const filterLib = lib === 'api-kit';
    return {
      files: [`libs/${lib}/**/*.ts`],
      rules: {
        'no-restricted-imports': restricted(
          [...(dataLib ? [] : mongooseOutsideData), ...(filterLib ? [] : [httpExceptions])],
          [
            deepLibImports,
            relativeLibImports,
            {
              group: LIBS.filter((l) => l !== lib).flatMap((l) => [`**/${l}/src`, `**/${l}/src/**`]),
              message: 'Import another lib only through its @suite/* alias.',
            },
            ...(lib === 'testing' ? [] : [{ group: ['@suite/testing'], message: '@suite/testing is for tests only.' }]),
            // The foundation sits above auth and persistence, which never import each other.
            ...(lib === 'foundation' ? [] : [{ group: ['@suite/foundation'], message: '@suite/foundation is for app root modules.' }]),
          ],
        ),
      },
    };
  }),
  {
    files: ['libs/**/*.spec.ts', 'libs/**/test/**/*.ts'],
    rules: { 'no-restricted-imports': restricted([httpExceptions], [deepLibImports, relativeLibImports]) },
  },
);
