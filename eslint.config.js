// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
              group: ['**/adapters/**', '**/http/**', '**/handlers/**', '**/local/**', '**/config'],
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
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The domain must not touch the process.' },
      ],
    },
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
