import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layers (CONTRIBUTING.md "Layers") are held by eslint.config.js: `npm run lint` fails on an import that
 * crosses one. Each case lints one wrong line as if it were a file in the folder (ESLint's `lintText` with a
 * `filePath` there: the project's own config applies, and nothing is written to the tree).
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** The rules the layering is held by. */
const layeringRules = new Set(['no-restricted-imports', 'no-restricted-properties', 'no-restricted-globals']);

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result!.messages
    .filter((m) => m.ruleId !== null && layeringRules.has(m.ruleId))
    .map((m) => ({ ruleId: m.ruleId, severity: m.severity, message: m.message }));
}

const crossings: { direction: string; file: string; code: string; rule: string; says: RegExp }[] = [
  {
    direction: 'domain → hono',
    file: 'functions/domain/layering-probe.ts',
    code: "import { Hono } from 'hono';\nexport const app = new Hono();\n",
    rule: 'no-restricted-imports',
    says: /domain must not depend on the web framework/,
  },
  {
    direction: 'domain → @aws-sdk',
    file: 'functions/domain/layering-probe.ts',
    code: "import { GetCommand } from '@aws-sdk/lib-dynamodb';\nexport const get = GetCommand;\n",
    rule: 'no-restricted-imports',
    says: /domain must not depend on AWS/,
  },
  {
    direction: 'domain → process.env',
    file: 'functions/domain/layering-probe.ts',
    code: 'export const table = process.env.TABLE_NAME;\n',
    rule: 'no-restricted-properties',
    says: /functions\/config\.ts/,
  },
  {
    direction: 'domain → adapters',
    file: 'functions/domain/layering-probe.ts',
    code: "import { objectKeys } from '../adapters/keys';\nexport const keys = objectKeys;\n",
    rule: 'no-restricted-imports',
    says: /domain must not reach outward/,
  },
  {
    direction: 'domain → application',
    file: 'functions/domain/layering-probe.ts',
    code: "import { sweep } from '../application/sweep';\nexport const run = sweep;\n",
    rule: 'no-restricted-imports',
    says: /domain must not reach outward/,
  },
  {
    direction: 'domain → crypto.randomUUID (ids come from the IdSource)',
    file: 'functions/domain/layering-probe.ts',
    code: 'export const id = () => crypto.randomUUID();\n',
    rule: 'no-restricted-properties',
    says: /IdSource/,
  },
  {
    direction: 'domain → node:crypto randomUUID',
    file: 'functions/domain/layering-probe.ts',
    code: "import { randomUUID } from 'node:crypto';\nexport const id = () => randomUUID();\n",
    rule: 'no-restricted-imports',
    says: /IdSource/,
  },
  {
    direction: 'http → @aws-sdk',
    file: 'functions/http/layering-probe.ts',
    code: "import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client({});\n",
    rule: 'no-restricted-imports',
    says: /functions\/http must not depend on the AWS SDK/,
  },
  {
    direction: 'http → adapters',
    file: 'functions/http/layering-probe.ts',
    code: "import { objectKeys } from '../adapters/keys';\nexport const keys = objectKeys;\n",
    rule: 'no-restricted-imports',
    says: /functions\/http must not import adapters/,
  },
  {
    direction: 'http routes → adapters',
    file: 'functions/http/routes/layering-probe.ts',
    code: "import type { DynamoTitleRepository } from '../../adapters/title-repository';\nexport type T = DynamoTitleRepository;\n",
    rule: 'no-restricted-imports',
    says: /functions\/http must not import adapters/,
  },
  {
    direction: 'http → handlers (compositions)',
    file: 'functions/http/layering-probe.ts',
    code: "import { createDeps } from '../handlers/api-composition';\nexport const deps = createDeps;\n",
    rule: 'no-restricted-imports',
    says: /functions\/http must not import adapters or compositions/,
  },
  {
    direction: 'adapters → hono',
    file: 'functions/adapters/layering-probe.ts',
    code: "import type { Context } from 'hono';\nexport type C = Context;\n",
    rule: 'no-restricted-imports',
    says: /functions\/adapters must not depend on the web framework/,
  },
  {
    direction: 'adapters → http',
    file: 'functions/adapters/layering-probe.ts',
    code: "import type { AppDeps } from '../http/deps';\nexport type D = AppDeps;\n",
    rule: 'no-restricted-imports',
    says: /functions\/adapters must not import the HTTP layer/,
  },
  {
    direction: 'adapters → application',
    file: 'functions/adapters/lending/layering-probe.ts',
    code: "import { sweep } from '../../application/sweep';\nexport const run = sweep;\n",
    rule: 'no-restricted-imports',
    says: /functions\/adapters must not import the HTTP layer, use cases/,
  },
  {
    direction: 'application → adapters',
    file: 'functions/application/layering-probe.ts',
    code: "import { randomIds } from '../adapters/ids';\nexport const ids = randomIds;\n",
    rule: 'no-restricted-imports',
    says: /functions\/application must not reach outward/,
  },
  {
    direction: 'application → http',
    file: 'functions/application/layering-probe.ts',
    code: "import type { AppDeps } from '../http/deps';\nexport type D = AppDeps;\n",
    rule: 'no-restricted-imports',
    says: /functions\/application must not reach outward/,
  },
  {
    direction: 'application → hono',
    file: 'functions/application/layering-probe.ts',
    code: "import { HTTPException } from 'hono/http-exception';\nexport const E = HTTPException;\n",
    rule: 'no-restricted-imports',
    says: /functions\/application must not depend on the web framework/,
  },
  {
    direction: 'application → @aws-sdk',
    file: 'functions/application/layering-probe.ts',
    code: "import { PutCommand } from '@aws-sdk/lib-dynamodb';\nexport const put = PutCommand;\n",
    rule: 'no-restricted-imports',
    says: /functions\/application must not depend on the AWS SDK/,
  },
  {
    direction: 'http → classic zod (the bundle would carry all of it)',
    file: 'functions/http/routes/layering-probe.ts',
    code: "import { z } from 'zod';\nexport const id = z.string();\n",
    rule: 'no-restricted-imports',
    says: /Validate with zod\/mini/,
  },
  {
    direction: 'handlers → the OpenAPI generator (build time only)',
    file: 'functions/handlers/layering-probe.ts',
    code: "import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';\nexport const G = OpenApiGeneratorV31;\n",
    rule: 'no-restricted-imports',
    says: /generated at build time/,
  },
  {
    direction: 'adapters → classic zod',
    file: 'functions/adapters/layering-probe.ts',
    code: "import * as z from 'zod/v4';\nexport const id = z.string();\n",
    rule: 'no-restricted-imports',
    says: /Validate with zod\/mini/,
  },
];

describe('layering held by the linter', () => {
  it.each(crossings)('refuses $direction', async ({ file, code, rule, says }) => {
    // Prepare: one wrong line, as a file in the folder (nothing is written)
    // Act
    const messages = await lint(file, code);
    // Assess: an error of the layering rule, saying which layer was crossed
    expect(messages).toContainEqual({ ruleId: rule, severity: 2, message: expect.stringMatching(says) });
    expect(messages.every((m) => m.severity === 2)).toBe(true);
  });

  it('lets each layer import what it may: the domain, the application and the ports', async () => {
    // Prepare: the imports the layers are built on
    const allowed = [
      [
        'functions/domain/layering-probe.ts',
        "import { ConflictError } from './errors';\nexport const E = ConflictError;\n",
      ],
      [
        'functions/application/layering-probe.ts',
        "import { decideAccess } from '../domain/lending';\nexport const decide = decideAccess;\n",
      ],
      [
        'functions/http/routes/layering-probe.ts',
        "import * as z from 'zod/mini';\nimport { issueContentLink } from '../../application/content-access';\nimport { ContractApp } from '../route-kit';\nexport const parts = [z, ContractApp, issueContentLink];\n",
      ],
      [
        'functions/adapters/layering-probe.ts',
        "import { GetCommand } from '@aws-sdk/lib-dynamodb';\nimport type { IdSource } from '../domain/ids';\nexport const get = GetCommand;\nexport type I = IdSource;\n",
      ],
      [
        'functions/handlers/layering-probe.ts',
        "import { randomIds } from '../adapters/ids';\nimport { sweep } from '../application/sweep';\nexport const parts = [randomIds, sweep];\n",
      ],
    ] as const;
    // Act
    const results = await Promise.all(allowed.map(([file, code]) => lint(file, code)));
    // Assess
    expect(results).toEqual(allowed.map(() => []));
  });

  it('finds no crossing in the tree as it is', async () => {
    // Prepare: every server source file
    // Act
    const results = await eslint.lintFiles(['functions/**/*.ts']);
    // Assess: no layering error anywhere (a crossing would be listed with its file and line)
    const crossed = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId !== null && layeringRules.has(m.ruleId))
        .map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(crossed).toEqual([]);
  }, 120_000);
});
