import nx from '@nx/eslint-plugin';

/**
 * Lint is here mainly for architecture: `@nx/enforce-module-boundaries` is an error, and the
 * tags in each project.json say what may import what. A service never imports another
 * service (stages talk only through proto/ contracts over Kafka or gRPC); libs never import
 * services; examples use libs only.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'libs/contracts/src/gen/**', 'coverage/**', 'reports/**', 'libs/qa-metrics/reference/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            // The console reads the stages only through their gRPC APIs: no database, no topics.
            { sourceTag: 'scope:console', notDependOnLibsWithTags: ['scope:persistence', 'scope:messaging'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:example', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // In a test or a benchmark run, a missing value that `!` asserts stops it with a TypeError,
    // which is the wanted outcome; production code handles absence explicitly.
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
