/** Unit and integration tests: `npm test`. End-to-end tests live in test/e2e (see jest.e2e.config.js). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/faults/'],
  testTimeout: 20000,
};
