import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Domain, adapter, HTTP, infra and local-stack tests: one DynamoDB Local + S3 emulator for the run.
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['node_modules/**', 'test/e2e/**'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Browser tests: each file starts its own gateway; the web app is built once. A real browser on a busy
        // 2-core machine needs more time per test than an HTTP call does.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/build-web.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // expect.poll waits on what the page shows; its 1 s default is less than a sign-in (scrypt) takes on a
          // loaded 2-core machine. Polls still end as soon as the condition holds.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
