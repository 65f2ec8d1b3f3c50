/**
 * API Lambda bundle budget (DESIGN §8): the patron API bundled exactly as the CDK NodejsFunction bundles it
 * (options from infra/constructs/bundling.ts) against, in the same run, the naive bundle of the same imports
 * (hono + jose + client-dynamodb + lib-dynamodb + client-s3 + s3-request-presigner, esbuild minified ESM,
 * node20). Prints bytes and cold module-init time (median of fresh `node` processes) and the ratios; exits
 * non-zero when either ratio is above 0.35.
 *
 *   npx tsx bench/bundle.ts [--runs 15]
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { esbuildOptions, lambdaBundle } from '../infra/constructs/bundling.js';
import { handlerEntry, repoRoot } from '../infra/constructs/paths.js';

const BUDGET = 0.35;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

/** Imports and touches every client so esbuild cannot drop them. */
const naiveEntry = `
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import * as jose from 'jose';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({});
const app = new Hono();
app.get('/health', (c) => c.json({ ok: true }));
globalThis.__naive = { jose, ddb, s3, GetCommand, TransactWriteCommand, GetObjectCommand, getSignedUrl };
export const handler = handle(app);
`;

/** Time from process start of the import to its completion, measured inside a fresh node process. */
const probe = (file: string) => `
const t0 = performance.now();
await import(${JSON.stringify(pathToFileURL(file).href)});
process.stdout.write(String(performance.now() - t0));
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function initTimeMs(file: string, nodeOptions: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe(file)], {
      encoding: 'utf8',
      // Lambda runs with AWS_REGION set; the SDK clients read it while constructing.
      env: { PATH: process.env.PATH, AWS_REGION: 'ap-southeast-3', NODE_OPTIONS: nodeOptions },
    });
    if (run.status !== 0) throw new Error(`importing ${file} failed:\n${run.stderr}`);
    times.push(Number(run.stdout));
  }
  return median(times);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'pustaka-bench-bundle-'));
  try {
    // The handler, exactly as NodejsFunction bundles it (same options; index.mjs like the Lambda asset).
    const handlerOut = path.join(work, 'handler', 'index.mjs');
    await build(esbuildOptions(handlerEntry('api'), handlerOut));

    // The naive bundle: same imports, plain esbuild (minified ESM, node20), resolved from this repository.
    const naiveDir = path.join(repoRoot, '.bench-cache');
    mkdirSync(naiveDir, { recursive: true });
    const naiveSource = path.join(naiveDir, 'naive-entry.mjs');
    writeFileSync(naiveSource, naiveEntry);
    const naiveOut = path.join(work, 'naive', 'index.mjs');
    await build({
      entryPoints: [naiveSource],
      outfile: naiveOut,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      minify: true,
      banner: { js: lambdaBundle.banner },
      logLevel: 'warning',
    });

    const handlerBytes = statSync(handlerOut).size;
    const naiveBytes = statSync(naiveOut).size;
    // Warm the file cache once so the first spawn does not pay disk reads for either.
    initTimeMs(handlerOut, '');
    initTimeMs(naiveOut, '');
    const handlerMs = initTimeMs(handlerOut, '');
    const naiveMs = initTimeMs(naiveOut, '');
    // What Lambda actually runs: NODE_OPTIONS=--enable-source-maps loads the handler's source map at init.
    const handlerWithMapsMs = initTimeMs(handlerOut, '--enable-source-maps');

    const sizeRatio = handlerBytes / naiveBytes;
    const initRatio = handlerMs / naiveMs;
    const initWithMapsRatio = handlerWithMapsMs / naiveMs;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `entry: ${path.relative(repoRoot, handlerEntry('api'))} (node ${process.version}, ${RUNS} runs, median)`,
    );
    console.log(
      `naive bundle      ${kb(naiveBytes).padStart(11)}  init ${naiveMs.toFixed(1).padStart(7)} ms`,
    );
    console.log(
      `handler bundle    ${kb(handlerBytes).padStart(11)}  init ${handlerMs.toFixed(1).padStart(7)} ms`,
    );
    console.log(
      `  with --enable-source-maps             init ${handlerWithMapsMs.toFixed(1).padStart(7)} ms`,
    );
    console.log(
      `size ratio ${sizeRatio.toFixed(3)}  init ratio ${initRatio.toFixed(3)}  (with source maps ${initWithMapsRatio.toFixed(3)})  budget ${BUDGET}`,
    );

    const over = [sizeRatio > BUDGET && 'size', initRatio > BUDGET && 'init'].filter(Boolean);
    if (over.length) {
      console.error(`OVER BUDGET: ${over.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
