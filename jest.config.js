/** jest with @swc/jest; ESM-only packages are transformed to CJS (toolchain-notes §5). */
const esmOnly = ['p-retry', 'is-network-error'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': '@swc/jest' },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 60000,
};
