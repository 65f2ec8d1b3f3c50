import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/constructs/bundling.js';
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
  let synthesized: SpawnSyncReturns<string> | undefined;
  /** One synth for the whole file: it is slow (three bundles, the native-modules layer, cdk-nag). */
  const synth = () => {
    synthesized ??= spawnSync('npm', ['run', 'synth', '--', '--output', outdir], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true' },
      encoding: 'utf8',
    });
    return synthesized;
  };

  it(
    'produces the template and bundled ESM handlers offline, with no AWS credentials',
    { timeout: 120_000 },
    () => {
      // Prepare: nothing but PATH and HOME in the environment (synth() above)
      // Act
      const run = synth();
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
        'ApiPartnerApiFunction',
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

  it(
    "ships sharp and @napi-rs/canvas with their linux-x64 binaries in the librarian API's layer, where the bundle's loader finds them through NODE_PATH",
    { timeout: 180_000 },
    async () => {
      // Prepare
      const run = synth();
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      const template = JSON.parse(
        readFileSync(path.join(outdir, 'Pustaka.template.json'), 'utf8'),
      ) as Template;
      const layers = Object.entries(template.Resources).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::LayerVersion' && id.startsWith('ApiNativeModules'),
      );
      expect(layers).toHaveLength(1);
      const layerModules = path.join(
        outdir,
        layers[0]?.[1].Metadata?.['aws:asset:path'] as string,
        'nodejs',
        'node_modules',
      );
      const librarian = Object.entries(template.Resources).find(([id]) =>
        id.startsWith('ApiLibrarianApiFunction'),
      )?.[1];
      const bundle = readFileSync(
        path.join(outdir, librarian?.Metadata?.['aws:asset:path'] as string, 'index.mjs'),
        'utf8',
      );
      // The loader, bundled with the functions' own settings, alone in a folder with no node_modules above it.
      const alone = mkdtempSync(path.join(tmpdir(), 'pustaka-native-'));
      const loader = path.join(alone, 'loader.mjs');
      await build(
        esbuildOptions(path.join(repoRoot, 'functions/domain/publication/native-modules.ts'), loader),
      );
      const script = `
        const { loadNativeModule } = await import(${JSON.stringify(loader)});
        const sharp = loadNativeModule('sharp');
        const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#336699' } }).png().toBuffer();
        const { width, height } = await sharp(png).metadata();
        const canvas = loadNativeModule('@napi-rs/canvas');
        const jpeg = await canvas.createCanvas(4, 5).encode('jpeg', 80);
        const esm = await import('sharp').then(() => 'found', (e) => e.code);
        console.log(JSON.stringify({ width, height, jpeg: jpeg[0] === 0xff && jpeg[1] === 0xd8, esm,
          from: require.resolve('sharp') }));`;
      // Act
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import{createRequire}from'node:module';const require=createRequire(${JSON.stringify(loader)});${script}`,
        ],
        { cwd: alone, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_PATH: layerModules } },
      );
      rmSync(alone, { recursive: true, force: true });
      // Assess
      for (const file of [
        'sharp/package.json',
        '@img/colour/package.json',
        'detect-libc/package.json',
        'semver/package.json',
        '@img/sharp-linux-x64/lib/sharp-linux-x64-0.35.5.node',
        '@img/sharp-libvips-linux-x64/package.json',
        '@napi-rs/canvas/package.json',
        '@napi-rs/canvas-linux-x64-gnu/skia.linux-x64-gnu.node',
      ]) {
        expect(existsSync(path.join(layerModules, file)), file).toBe(true);
      }
      // Publication reaches the native modules through the loader only: an ESM import() would miss the layer.
      expect(bundle).not.toMatch(/import\(\s*["'](sharp|@napi-rs\/canvas)["']\s*\)/);
      expect(load.status, load.stderr).toBe(0);
      expect(JSON.parse(load.stdout)).toEqual({
        width: 3,
        height: 2,
        jpeg: true,
        esm: 'ERR_MODULE_NOT_FOUND',
        from: path.join(layerModules, 'sharp', 'dist', 'index.cjs'),
      });
    },
  );
});

/** What a reference in the template resolves to when deployed, shaped as the config expects (a URL for *_URL). */
function deployedValue(name: string): string {
  return name.endsWith('_URL')
    ? `https://${name.toLowerCase().replaceAll('_', '-')}.deployed.example`
    : `deployed-${name}`;
}
