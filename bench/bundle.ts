/**
 * API Lambda bundle budget (bench/README.md): each handler bundled exactly as the CDK NodejsFunction bundles it
 * (options from infra/constructs/bundling.ts) against, in the same run, the naive bundle of the same imports
 * (hono + jose + client-dynamodb + lib-dynamodb + client-s3 + s3-request-presigner, esbuild minified ESM,
 * node24, Lambda's runtime). Prints bytes and cold module-init time (median of fresh `node` processes, measured
 * round robin) and the ratios; exits non-zero when the patron API handler is above 0.60 of the naive bundle's
 * size or 0.70 of its init time (the partner API, the librarian API and the sweeper are shown beside it, for
 * information).
 *
 * It also bundles, the same way and in the same run, the floors the project's own library choices set
 * (bench/README.md): a little validation in classic zod (which keeps the whole of zod, however little is used:
 * what the routes cost when they validated through @hono/zod-openapi), the same validation in zod/mini, the
 * DynamoDB clients, and zod/mini, the clients, hono and jose's verifier together but no Pustaka code (the
 * design the budget was set from: no handler on these libraries is smaller). Last, what the patron API bundle
 * is made of, by package and by folder of our own code (esbuild's metafile: bytes each contributes to the
 * minified output), the libraries' and our code's totals, and what the size budget leaves our code.
 *
 *   npx tsx bench/bundle.ts [--runs 15]
 */
import { build, type Metafile } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { esbuildOptions, lambdaBundle } from '../infra/constructs/bundling.js';
import { handlerEntry, repoRoot } from '../infra/constructs/paths.js';

/** The patron API's budget, as ratios of the naive bundle (issue 18, set from the floors measured below). */
const BUDGET = { size: 0.6, init: 0.7 } as const;
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

/** The floors: what the chosen libraries cost on their own, bundled the way the handlers are. */
const floorEntries = {
  classic: `
import { z } from 'zod';
const params = z.object({ id: z.string().min(1).max(128) });
const query = z.object({ limit: z.coerce.number().min(1).max(100).default(20), q: z.string().optional() });
globalThis.__floor = (input) => [params.safeParse(input), query.safeParse(input)];
`,
  mini: `
import * as z from 'zod/mini';
const params = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
const query = z.object({ limit: z._default(z.coerce.number().check(z.gte(1), z.lte(100)), 20), q: z.optional(z.string()) });
globalThis.__floor = (input) => [params.safeParse(input), query.safeParse(input)];
`,
  dynamodb: `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
globalThis.__floor = { documents: DynamoDBDocumentClient.from(new DynamoDBClient({})), GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand };
`,
  design: `
import { Hono } from 'hono';
import * as z from 'zod/mini';
import { handle } from 'hono/aws-lambda';
import { jwtVerify, importJWK } from 'jose';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const params = z.object({ id: z.string().check(z.minLength(1)) });
const app = new Hono();
app.get('/titles/:id', async (c) => {
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: c.req.header('x-key') ?? '' }, 'EdDSA');
  await jwtVerify(c.req.header('authorization') ?? '', key, { algorithms: ['EdDSA'] });
  const { id } = params.parse(c.req.param());
  const item = await documents.send(new GetCommand({ TableName: 't', Key: { pk: id } }));
  return c.json({ id: String(item.Item?.pk) }, 200);
});
export const handler = handle(app);
`,
} as const;

const handlerLabels = {
  api: 'patron API handler',
  partner: 'partner API handler (info)',
  admin: 'librarian API handler (info)',
  sweeper: 'sweeper handler (info)',
} as const;

/** Where a bundled input belongs: its npm package, or the folder of our own code it is in. */
function groupOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage) return inPackage[1]!;
  const folder = path.posix.dirname(input);
  return folder === '.' ? input : `${folder}/`;
}

/** What the patron API bundle is made of: each group over 4 KiB, largest first, with its share of the naive bundle. */
function printComposition(metafile: Metafile, naiveBytes: number): void {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
  const groups = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    groups.set(groupOf(input), (groups.get(groupOf(input)) ?? 0) + bytesInOutput);
  }
  console.log('patron API handler by package / own folder (minified bytes in the bundle):');
  let rest = 0;
  for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) {
    if (bytes < 4096) {
      rest += bytes;
      continue;
    }
    console.log(
      `  ${group.padEnd(44)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB  ${(bytes / naiveBytes).toFixed(3)}`,
    );
  }
  console.log(
    `  ${'(smaller ones together)'.padEnd(44)} ${(rest / 1024).toFixed(1).padStart(7)} KiB  ${(rest / naiveBytes).toFixed(3)}`,
  );
  // Libraries against our own code: what the size budget leaves for the routes, adapters and domain once the
  // libraries the patron API needs (as tree-shaken into this very bundle) are in.
  let libraries = 0;
  let own = 0;
  for (const [group, bytes] of groups) {
    if (group.startsWith('functions/')) own += bytes;
    else libraries += bytes;
  }
  const share = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB (${(bytes / naiveBytes).toFixed(3)})`;
  console.log(`  libraries together ${share(libraries)}; our own code together ${share(own)}`);
  const room = BUDGET.size * naiveBytes - libraries;
  console.log(
    `  the size budget (${BUDGET.size}) leaves our own code ${room > 0 ? share(room) : 'nothing'} beside these libraries`,
  );
}

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

/** One import of `file` in a fresh node process: ms from the start of the import to its completion. */
function importTimeMs(file: string, nodeOptions: string): number {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe(file)], {
    encoding: 'utf8',
    // Lambda runs with AWS_REGION set; the SDK clients read it while constructing.
    env: { PATH: process.env.PATH, AWS_REGION: 'ap-southeast-3', NODE_OPTIONS: nodeOptions },
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed:\n${run.stderr}`);
  return Number(run.stdout);
}

interface Probe {
  file: string;
  nodeOptions: string;
}

/**
 * Median cold init of each probe. The runs go round robin (every probe once per round) rather than one probe's
 * runs after another's: on a shared VM the machine's speed drifts over a run, and a drift must move the
 * baseline and the handlers alike, not only whichever was measured last.
 */
function initTimesMs(probes: readonly Probe[], runs = RUNS): number[] {
  const times = probes.map((): number[] => []);
  for (let round = 0; round < runs; round++) {
    probes.forEach(({ file, nodeOptions }, i) => times[i]!.push(importTimeMs(file, nodeOptions)));
  }
  return times.map(median);
}

interface Row {
  label: string;
  bytes: number;
  ms: number;
  judged: boolean;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'pustaka-bench-bundle-'));
  try {
    // The handlers, exactly as NodejsFunction bundles them (same options; index.mjs like the Lambda asset).
    const handlers = (['api', 'partner', 'admin', 'sweeper'] as const).map((name) => ({
      name,
      out: path.join(work, name, 'index.mjs'),
    }));
    let patronMetafile: Metafile | undefined;
    for (const { name, out } of handlers) {
      const result = await build({ ...esbuildOptions(handlerEntry(name), out), metafile: name === 'api' });
      if (name === 'api') patronMetafile = result.metafile;
    }

    // The naive bundle and the floors are entries written beside node_modules so they resolve from here.
    const entryDir = path.join(repoRoot, '.bench-cache');
    mkdirSync(entryDir, { recursive: true });
    const entryFile = (name: string, source: string) => {
      const file = path.join(entryDir, `${name}-entry.mjs`);
      writeFileSync(file, source);
      return file;
    };

    // The naive bundle: same imports, plain esbuild (minified ESM, the handlers' target).
    const naiveOut = path.join(work, 'naive', 'index.mjs');
    await build({
      entryPoints: [entryFile('naive', naiveEntry)],
      outfile: naiveOut,
      bundle: true,
      platform: 'node',
      target: lambdaBundle.target,
      format: 'esm',
      minify: true,
      banner: { js: lambdaBundle.banner },
      logLevel: 'warning',
    });

    const floors = Object.entries(floorEntries).map(([name, source]) => ({
      name,
      out: path.join(work, `floor-${name}`, 'index.mjs'),
      entry: entryFile(`floor-${name}`, source),
    }));
    for (const { entry, out } of floors) await build(esbuildOptions(entry, out));

    // Warm the file cache once so the first spawn does not pay disk reads for any of them.
    for (const file of [naiveOut, ...handlers.map((h) => h.out), ...floors.map((f) => f.out)]) {
      importTimeMs(file, '');
    }
    const floorLabels: Record<string, string> = {
      classic: 'floor: that validation in classic zod',
      mini: 'floor: the same validation, zod/mini',
      dynamodb: 'floor: client-dynamodb + lib-dynamodb',
      design: 'floor: zod/mini + clients + hono + jose',
    };
    const measured = [
      { label: 'naive bundle', out: naiveOut, judged: false },
      // The budget is the patron API's; the librarian API also carries pdfjs (PDF checks) and client-s3.
      ...handlers.map(({ name, out }) => ({ label: handlerLabels[name], out, judged: name === 'api' })),
      ...floors.map(({ name, out }) => ({ label: floorLabels[name] ?? name, out, judged: false })),
    ];
    // What Lambda actually runs: NODE_OPTIONS=--enable-source-maps loads the handler's source map at init.
    const probes: Probe[] = [
      ...measured.map(({ out }) => ({ file: out, nodeOptions: '' })),
      { file: handlers[0]!.out, nodeOptions: '--enable-source-maps' },
    ];
    const times = initTimesMs(probes);
    const [naive, ...rows] = measured.map(({ label, out, judged }, i): Row => ({
      label,
      bytes: statSync(out).size,
      ms: times[i]!,
      judged,
    })) as [Row, ...Row[]];
    const patronWithMapsMs = times[measured.length]!;

    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const line = (label: string, bytes: number, ms: number, ratios: string) =>
      console.log(
        `${label.padEnd(40)} ${kb(bytes).padStart(11)}  init ${ms.toFixed(1).padStart(6)} ms${ratios}`,
      );
    console.log(
      `node ${process.version}, ${RUNS} runs, median; patron API budget: size <= ${BUDGET.size}, init <= ${BUDGET.init}`,
    );
    line(naive.label, naive.bytes, naive.ms, '');
    const over: string[] = [];
    for (const row of rows) {
      const size = row.bytes / naive.bytes;
      const init = row.ms / naive.ms;
      line(row.label, row.bytes, row.ms, `   size ${size.toFixed(3)}  init ${init.toFixed(3)}`);
      if (row.judged && size > BUDGET.size) over.push(`${row.label} size ${size.toFixed(3)}`);
      if (row.judged && init > BUDGET.init) over.push(`${row.label} init ${init.toFixed(3)}`);
    }
    console.log(
      `patron API handler with --enable-source-maps (as on Lambda): init ${patronWithMapsMs.toFixed(1)} ms ` +
        `(${(patronWithMapsMs / naive.ms).toFixed(3)})`,
    );
    const design = rows.find((r) => r.label === floorLabels.design)!;
    if (design.bytes / naive.bytes > BUDGET.size || design.ms / naive.ms > BUDGET.init) {
      console.log(
        'The design floor alone is over the budget: no handler built on these libraries can meet it.',
      );
    }
    printComposition(patronMetafile!, naive.bytes);
    if (over.length) {
      console.error(`OVER BUDGET: ${over.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
