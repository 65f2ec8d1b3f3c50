import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/e2e/build-web.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
