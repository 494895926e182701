/** Fault tests against the built server as a real process (SIGKILL, restart, backup while busy): `npm run test:faults`. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testTimeout: 120000,
  maxWorkers: 1,
};
