/** End-to-end tests in headless Chromium: `npm run test:e2e`. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testTimeout: 60000,
  maxWorkers: 1,
};
