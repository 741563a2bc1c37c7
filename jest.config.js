/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
    // ky ships only as an ES module; jest's CommonJS runtime needs it transformed like our own code.
    '^.+/node_modules/ky/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' }, isolatedModules: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!ky/)'],
  // Integration tests share one Temporal dev server and one sandbox port range per file; two cores do not
  // gain from more workers and a cold dev server start needs the headroom.
  maxWorkers: 2,
  testTimeout: 60_000,
};
