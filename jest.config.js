// One jest run covers every lib and app. Sources are compiled by SWC (type checking is `npm run
// typecheck`). NestJS 12 ships ES modules only; Node 20 can require() them, but jest's own module
// system cannot until Node 24.9, so jest transforms those packages to CommonJS too.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const libs = ['auth', 'api-kit', 'persistence', 'mongo-embedded', 'testing', 'foundation', 'observability'];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/test'].filter((p) =>
    require('node:fs').existsSync(p.replace('<rootDir>', __dirname)),
  ),
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|jose)/)'],
  moduleNameMapper: {
    // A lib's light entry points, loaded without Nest by the gateway and the launcher (eslint.config.js lists them too).
    '^@suite/api-kit/edge$': path.join(__dirname, 'libs', 'api-kit', 'src', 'edge'),
    '^@suite/observability/tracing$': path.join(__dirname, 'libs', 'observability', 'src', 'tracing'),
    ...Object.fromEntries(libs.map((l) => [`^@suite/${l}$`, path.join(__dirname, 'libs', l, 'src')])),
  },
  globalSetup: '<rootDir>/tools/jest-global-setup.js',
  testTimeout: 30000,
  // Two cores: more workers only fight over them.
  maxWorkers: process.env.JEST_WORKERS ? Number(process.env.JEST_WORKERS) : 2,
};
