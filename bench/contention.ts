/**
 * Contention: N patrons ask at the same moment, over HTTP, for a title with k free copies (budget: bench/README.md).
 * Exactly k loans must be made and every other request must get a clean 409 NO_COPY_AVAILABLE.
 *
 *   npx tsx bench/contention.ts [patrons=200] [copies=5]
 *
 * Starts its own DynamoDB Local (in memory) through functions/local/emulators.ts, serves the real app on a
 * local port and fires all requests at once. As a baseline measured in the same run, the same number of
 * patrons borrow N different titles (no shared licence), so the ratio shows what contention costs.
 * Exits non-zero when the loans made differ from k (or any request failed otherwise than with a 409).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../functions/adapters/aws-clients';
import { ensureTable } from '../functions/adapters/table-admin';
import { loadConfig } from '../functions/config';
import { newLicence } from '../functions/domain/licence';
import { defaultLimits } from '../functions/domain/patron';
import { sortTitleOf, type Title } from '../functions/domain/title';
import { createDeps } from '../functions/handlers/api-composition';
import { createApp } from '../functions/http/app';
import { claimPort, startDynamoLocal } from '../functions/local/emulators';
import { ensureLocalSigningKeys } from '../functions/local/signing-keys';

const patrons = Number(process.argv[2] ?? 200);
const copies = Number(process.argv[3] ?? 5);

const dynamo = await startDynamoLocal();
const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-bench-'));
let server: ServerType | undefined;
let exitCode = 0;
try {
  const config = loadConfig({
    MODE: 'local',
    DATA_DIR: dataDir,
    TABLE_NAME: 'bench-contention',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    LOG_LEVEL: 'ERROR',
  });
  const clients = createAwsClients(config);
  await ensureTable(clients.dynamo, config.TABLE_NAME);
  const deps = createDeps(config, clients);

  ensureLocalSigningKeys(config.DATA_DIR);
  const app = createApp(deps);
  const port = await claimPort(0);
  server = await new Promise<ServerType>((ready) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => ready(s));
  });
  const base = `http://127.0.0.1:${port}`;

  const now = new Date();
  /** Each patron signs in once before the storm (access tokens issued by the real token service). */
  const tokens = new Map<string, string>();
  const addTitle = async (concurrency: number) => {
    const id = `t-${randomUUID().slice(0, 12)}`;
    const title: Title = {
      id,
      title: `Bench ${id}`,
      sortTitle: sortTitleOf(`Bench ${id}`),
      authors: ['Bench'],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: `content/${id}/publication.epub`,
      contentType: 'application/epub+zip',
      size: 1,
      sha256: '0'.repeat(64),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await deps.titles.create(title);
    await deps.lending.addLicence(
      newLicence(`lic-${id}`, id, { concurrency, checkouts: null, expires: null, loanLength: null }, now),
    );
    return id;
  };
  /** Setup writes in batches: DynamoDB Local times out when hundreds of transactions arrive at once. */
  const inBatches = async <T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> => {
    const made: T[] = [];
    for (let i = 0; i < count; i += 20) {
      made.push(
        ...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => make(i + j)))),
      );
    }
    return made;
  };
  const addPatrons = () =>
    inBatches(patrons, async (i) => {
      const id = `p-${randomUUID().slice(0, 12)}`;
      await deps.patrons.create({
        id,
        cardNumber: `B${i}${randomUUID().slice(0, 8)}`,
        name: `Bench ${i}`,
        status: 'active',
        roles: ['patron'],
        ...defaultLimits,
        pinHash: 'bench',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      });
      tokens.set(id, (await deps.tokens.issue({ patronId: id, roles: ['patron'] }, { now })).token);
      return id;
    });

  const storm = async (pairs: { patronId: string; titleId: string }[]) => {
    const started = performance.now();
    const outcomes = await Promise.all(
      pairs.map(async ({ patronId, titleId }) => {
        const t0 = performance.now();
        const response = await fetch(`${base}/loans`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Idempotency-Key': randomUUID(),
            Authorization: `Bearer ${tokens.get(patronId)}`,
          },
          body: JSON.stringify({ titleId }),
        });
        const body = (await response.json()) as { code?: string };
        return {
          outcome: `${response.status}${body.code ? ` ${body.code}` : ''}`,
          ms: performance.now() - t0,
        };
      }),
    );
    const settleMs = performance.now() - started;
    const spread: Record<string, number> = {};
    for (const { outcome } of outcomes) spread[outcome] = (spread[outcome] ?? 0) + 1;
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return { settleMs, spread, p50: pct(0.5), p95: pct(0.95) };
  };

  // Baseline: the same number of checkouts, each of its own title (no shared licence item).
  const baselinePatrons = await addPatrons();
  const ownTitles = await inBatches(baselinePatrons.length, () => addTitle(1));
  const baseline = await storm(baselinePatrons.map((patronId, i) => ({ patronId, titleId: ownTitles[i]! })));

  // Contention: everyone at once for one title with k copies.
  const contendingPatrons = await addPatrons();
  const titleId = await addTitle(copies);
  const contended = await storm(contendingPatrons.map((patronId) => ({ patronId, titleId })));

  const { Items = [] } = await clients.documents.send(
    new ScanCommand({
      TableName: config.TABLE_NAME,
      FilterExpression: 'sk = :loan AND titleId = :title',
      ExpressionAttributeValues: { ':loan': 'LOAN', ':title': titleId },
    }),
  );
  const loans = Items.length;
  const clean = Object.keys(contended.spread).every((o) => o === '201' || o === '409 NO_COPY_AVAILABLE');

  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`contention: ${patrons} patrons, ${copies} copies, one title, over HTTP to DynamoDB Local`);
  console.log(`  loans created        ${loans} (must be ${copies})`);
  console.log(`  outcomes             ${JSON.stringify(contended.spread)}`);
  console.log(
    `  time to settle       ${fmt(contended.settleMs)} (p50 ${fmt(contended.p50)}, p95 ${fmt(contended.p95)})`,
  );
  console.log(
    `  baseline (no shared licence) ${fmt(baseline.settleMs)} (p50 ${fmt(baseline.p50)}, p95 ${fmt(baseline.p95)}) outcomes ${JSON.stringify(baseline.spread)}`,
  );
  console.log(`  ratio settle contended / baseline: ${(contended.settleMs / baseline.settleMs).toFixed(2)}×`);
  if (loans !== copies || !clean) {
    console.error(loans !== copies ? `FAIL: ${loans} loans for ${copies} copies` : 'FAIL: unclean refusals');
    exitCode = 1;
  }
} finally {
  if (server) await new Promise<void>((done) => server!.close(() => done()));
  await dynamo.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
