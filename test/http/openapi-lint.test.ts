import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * The contract at /openapi.json passes `@redocly/cli lint` with its recommended ruleset, so `npm test` (vitest)
 * fails on an undocumented response, a missing operationId or a public operation without `security: []`.
 */

const run = promisify(execFile);

/**
 * Operations whose success is a redirect and nothing else (to a short-lived signed link, or a partner's
 * database): the recommended rule asks every operation for a 2XX, which these cannot honestly document. Each
 * one is checked below to answer 302 only, so this list cannot hide a missing 2XX elsewhere.
 */
const redirectOnly = [
  ['get', '/titles/{id}/cover'],
  ['get', '/go'],
  ['get', '/opds/publications/{id}/content'],
  ['get', '/opds/publications/{id}/cover'],
  // Campus sign-in: to the university, and back into the app (a refusal too is a redirect to the app's page).
  ['get', '/auth/oidc/{partnerId}/start'],
  ['get', '/auth/oidc/callback'],
  ['get', '/collections/{id}/cover'],
] as const;

const pointer = (method: string, path: string) =>
  `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses`;
const redocly = resolve(import.meta.dirname, '../../node_modules/.bin/redocly');

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await createTestStack();
  dir = mkdtempSync(join(tmpdir(), 'pustaka-openapi-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stack?.destroy();
});

describe('the OpenAPI document', () => {
  it('is clean under redocly lint (recommended rules): no errors, no warnings', async () => {
    // Prepare
    const text = await (await stack.app.request('/openapi.json')).text();
    writeFileSync(join(dir, 'openapi.json'), text);
    const doc = JSON.parse(text) as { paths: Record<string, Record<string, { responses: object }>> };
    for (const [method, path] of redirectOnly) {
      const statuses = Object.keys(doc.paths[path]![method]!.responses);
      // Only redirects: no 2xx a client could expect, at least one 3xx.
      expect(
        statuses.filter((s) => /^2/.test(s)),
        `${method} ${path}`,
      ).toEqual([]);
      expect(statuses.filter((s) => /^3/.test(s)).length, `${method} ${path}`).toBeGreaterThan(0);
    }
    // The ignore file Redocly reads from its working directory, listing exactly those operations.
    writeFileSync(
      join(dir, '.redocly.lint-ignore.yaml'),
      `openapi.json:\n  operation-2xx-response:\n${redirectOnly
        .map(([method, path]) => `    - '${pointer(method, path)}'\n`)
        .join('')}`,
    );
    // Act
    const result = await run(
      redocly,
      ['lint', 'openapi.json', '--extends=recommended', '--format=json', '--max-problems=1000'],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    // Assess
    const report = JSON.parse(result.stdout) as {
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
