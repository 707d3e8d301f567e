/**
 * Three tiers: `unit` (pure, fast, no I/O), `e2e` (the real stack: Postgres, Redis, Kafka, registry,
 * Flink) and `faults` (the real stack with processes killed and restarted; `npm run test:faults`).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];
/**
 * ESM-only dependencies jest (CommonJS) must compile; Node >= 20.19 requires content-disposition (of
 * @fastify/static, for /docs) as ESM itself
 */
const esmPackages = ['content-disposition'];
const swcJs = [
  '@swc/jest',
  { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } },
];
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': swcJs },
  // the innermost node_modules decides (content-disposition 3 sits inside @fastify/static's own)
  transformIgnorePatterns: [`/node_modules/(?!.*/node_modules/)(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: { '^@riffle/(.*)$': '<rootDir>/libs/$1/src' },
  rootDir: __dirname,
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,deploy}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/e2e/setup.ts'],
      slowTestThreshold: 60,
    },
    {
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/faults/setup.ts'],
      slowTestThreshold: 120,
    },
  ],
};
