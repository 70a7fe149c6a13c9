/**
 * Three tiers (Immich-style):
 *  - unit:        *.spec.ts, pure logic, no infrastructure;
 *  - integration: *.integration-spec.ts, real Kafka broker + real PostgreSQL (started by globalSetup);
 *  - e2e:         *.e2e-spec.ts, the six services as separate Node processes (needs `npm run build`).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@labelloop/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/test', '<rootDir>/examples', '<rootDir>/tools'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
module.exports = {
  // Integration and e2e tests wait on real brokers; unit tests finish far below this.
  testTimeout: 180000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.integration-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
  ],
};
