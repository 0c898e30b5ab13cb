import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layering (issue #10): the product (`src/`) never imports the test kit; the pure core (`core/`,
 * `book/`, `strategy/`, `trader/`) imports no I/O and reads no wall clock, randomness or timers
 * (time comes from the injected `Clock`, design §2). The one wall clock and the one timer helper
 * live in `src/platform/`.
 */
const TESTKIT = {
  group: ['**/testkit', '**/testkit/**'],
  message: 'The product never imports the test kit (issue #10).',
};
const IO_MODULES = [
  'ws',
  'knex',
  'pg',
  'pg-copy-streams',
  'knex-pglite',
  '@electric-sql/pglite',
  'viem',
  'ethers',
  '@polymarket/clob-client-v2',
  'proper-lockfile',
  'p-retry',
  'fs',
  'fs/promises',
  'node:fs',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
  'worker_threads',
  'node:worker_threads',
  'dgram',
  'node:dgram',
  'timers',
  'node:timers',
  'timers/promises',
  'node:timers/promises',
];
const PURE_DIRS = ['src/core/**', 'src/book/**', 'src/strategy/**', 'src/trader/**'];
const PURE_MESSAGE =
  'The pure core (core/, book/, strategy/, trader/) does no I/O (issue #10): inject a port.';
const CLOCK_MESSAGE =
  'The pure core reads time from the injected Clock and randomness from an injected source (issue #10).';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**'], rules: { 'no-restricted-imports': ['error', { patterns: [TESTKIT] }] } },
  {
    files: PURE_DIRS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({ name, message: PURE_MESSAGE })),
          patterns: [TESTKIT, { group: ['**/platform', '**/platform/**'], message: PURE_MESSAGE }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: CLOCK_MESSAGE },
        { object: 'Math', property: 'random', message: CLOCK_MESSAGE },
        { object: 'performance', property: 'now', message: CLOCK_MESSAGE },
        { object: 'process', property: 'hrtime', message: CLOCK_MESSAGE },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'queueMicrotask',
          'fetch',
        ].map((name) => ({ name, message: CLOCK_MESSAGE })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK_MESSAGE },
        { selector: "CallExpression[callee.name='Date']", message: CLOCK_MESSAGE },
      ],
    },
  },
  // the command line and the runtime print the operator's lines (refusals, summaries)
  { files: ['src/cli/**', 'src/runtime/**', 'scripts/**', 'jest.config.js'], rules: { 'no-console': 'off' } },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
