// Jest runs the pages in jsdom through miniprogram-simulate, against the real service that
// tests/support/global-setup.js starts on 127.0.0.1 (python -m tests.miniprogram_stack).
module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  globalSetup: '<rootDir>/tests/support/global-setup.js',
  globalTeardown: '<rootDir>/tests/support/global-teardown.js',
  testTimeout: 60000,
  maxWorkers: 1,
}
