// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Server code validates with zod/mini, which bundles only what it uses; classic zod (500 KiB whatever is used)
 * and the OpenAPI generator are for the build step in functions/local (functions/local/contract-generator.ts).
 */
const classicZod = ['zod', 'zod/v4', 'zod/v3', '@hono/zod-openapi', '@asteasolutions/zod-to-openapi'].map(
  (name) => ({
    name,
    message: 'Validate with zod/mini; the OpenAPI document is generated at build time (functions/local).',
  }),
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'web/dist/',
      'cdk.out/',
      '.data/',
      'test-artifacts/',
      '.bench-cache/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The domain holds the library's rules only: no web framework, no AWS SDK, no adapters, no environment.
    files: ['functions/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...['crypto', 'node:crypto'].map((name) => ({
              name,
              importNames: ['randomUUID'],
              message: 'Take new ids from the injected IdSource (functions/domain/ids.ts).',
            })),
            ...classicZod,
          ],
          patterns: [
            {
              group: ['hono', 'hono/*', '@hono/*'],
              message: 'The domain must not depend on the web framework.',
            },
            {
              group: ['@aws-sdk/*', '@smithy/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'The domain must not depend on AWS.',
            },
            {
              group: [
                '**/adapters/**',
                '**/application/**',
                '**/http/**',
                '**/handlers/**',
                '**/local/**',
                '**/config',
              ],
              message: 'The domain must not reach outward.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration in functions/config.ts and pass it in.',
        },
        {
          object: 'crypto',
          property: 'randomUUID',
          message: 'Take new ids from the injected IdSource (functions/domain/ids.ts).',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The domain must not touch the process.' },
      ],
    },
  },
  {
    // The HTTP layer is given what it needs through AppDeps (functions/http/deps.ts) and the use cases
    // (functions/application): it never builds a client or an adapter itself.
    files: ['functions/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: classicZod,
          patterns: [
            {
              group: ['@aws-sdk/*', '@smithy/*'],
              message: 'functions/http must not depend on the AWS SDK: take a port through AppDeps.',
            },
            {
              group: ['**/adapters', '**/adapters/**', '**/handlers/**', '**/local/**'],
              message:
                'functions/http must not import adapters or compositions: take a port through AppDeps.',
            },
          ],
        },
      ],
    },
  },
  {
    // Use cases: they orchestrate the domain over ports, whatever carries the request and whatever stores it.
    files: ['functions/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: classicZod,
          patterns: [
            {
              group: ['hono', 'hono/*', '@hono/*'],
              message: 'functions/application must not depend on the web framework.',
            },
            {
              group: ['@aws-sdk/*', '@smithy/*'],
              message: 'functions/application must not depend on the AWS SDK: take a port.',
            },
            {
              group: [
                '**/adapters',
                '**/adapters/**',
                '**/http',
                '**/http/**',
                '**/handlers/**',
                '**/local/**',
              ],
              message: 'functions/application must not reach outward: take a port.',
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters implement the domain's ports; they know nothing of HTTP or of the use cases that call them.
    files: ['functions/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: classicZod,
          patterns: [
            {
              group: ['hono', 'hono/*', '@hono/*'],
              message: 'functions/adapters must not depend on the web framework.',
            },
            {
              group: ['**/http', '**/http/**', '**/application', '**/application/**', '**/handlers/**'],
              message: 'functions/adapters must not import the HTTP layer, use cases or compositions.',
            },
          ],
        },
      ],
    },
  },
  {
    // The Lambda entry points and the configuration are bundled too.
    files: ['functions/handlers/**/*.ts', 'functions/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: classicZod }] },
  },
  {
    // The browser app talks to the API over HTTP only (web/vite.config.ts is build tooling that runs in Node).
    files: ['web/**/*.ts'],
    ignores: ['web/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', 'hono', 'hono/*', 'node:*'],
              message: 'web/ must not import server code.',
            },
            {
              // Any server file except the problem-code registry: constants only, so the web's messages are
              // keyed by the very codes the server sends (see that file's own comment).
              regex: '(^|/)functions/(?!domain/problem-codes$)',
              message: 'web/ must not import server code.',
            },
          ],
        },
      ],
    },
  },
);
