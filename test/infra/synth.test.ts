import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/constructs/paths.js';

interface Template {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  Outputs: Record<string, unknown>;
}

/**
 * `npm run synth` exactly as on a fresh clone: the CDK CLI runs cdk.json's app (tsx infra/app.ts), bundles
 * the three handlers with local esbuild, runs cdk-nag, and needs no AWS account or network.
 */
describe('npm run synth', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'pustaka-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(
    'produces the template and bundled ESM handlers offline, with no AWS credentials',
    { timeout: 120_000 },
    () => {
      // Prepare
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' };
      // Act
      const run = spawnSync('npm', ['run', 'synth', '--', '--output', outdir], {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
      });
      // Assess
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const template = JSON.parse(
        readFileSync(path.join(outdir, 'Pustaka.template.json'), 'utf8'),
      ) as Template;
      expect(Object.keys(template.Outputs).sort()).toEqual(['ApiUrl', 'SiteUrl']);

      const functions = Object.entries(template.Resources).filter(
        ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs24.x',
      );
      expect(functions.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
        'ApiLibrarianApiFunction',
        'ApiPatronApiFunction',
        'SweeperFunction',
      ]);
      for (const [id, fn] of functions) {
        const assetDir = path.join(outdir, fn.Metadata?.['aws:asset:path'] as string);
        const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
        expect(existsSync(path.join(assetDir, 'index.mjs.map')), id).toBe(true);
        expect(bundle, id).toMatch(/export\s*\{[^}]*as handler\s*\}/);
        // The AWS SDK and every other dependency are inside the bundle: copied alone into an empty folder
        // (no node_modules anywhere above it), it still loads.
        const alone = mkdtempSync(path.join(tmpdir(), 'pustaka-bundle-'));
        copyFileSync(path.join(assetDir, 'index.mjs'), path.join(alone, 'index.mjs'));
        const load = spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(path.join(alone, 'index.mjs'))}); if (typeof m.handler !== 'function') process.exit(3);`,
          ],
          {
            cwd: alone,
            encoding: 'utf8',
            // The function's own environment from the template (references as deployed strings), as Lambda
            // gives it: its config must load, or the import fails with a ConfigError.
            env: {
              PATH: process.env.PATH,
              ...Object.fromEntries(
                Object.entries(
                  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
                ).map(([name, value]) => [name, typeof value === 'string' ? value : deployedValue(name)]),
              ),
              AWS_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
              AWS_SECRET_ACCESS_KEY: 'secret',
              LOG_LEVEL: 'SILENT',
            },
          },
        );
        rmSync(alone, { recursive: true, force: true });
        expect(
          load.stderr.split('\n').filter((line) => /Cannot find (module|package)/.test(line)),
          id,
        ).toEqual([]);
        expect(load.status, `${id}: ${load.stderr}`).toBe(0);
      }
    },
  );
});

/** What a reference in the template resolves to when deployed, shaped as the config expects (a URL for *_URL). */
function deployedValue(name: string): string {
  return name.endsWith('_URL')
    ? `https://${name.toLowerCase().replaceAll('_', '-')}.deployed.example`
    : `deployed-${name}`;
}
