/**
 * EPUB range opening: headless Chromium opens moby-dick.epub and accessible_epub_3.epub (from ../shared/fixtures)
 * in the reader through the local gateway, once by range reads (the reader's default: the zip's central directory,
 * then only the entries the first page needs) and once taking the whole file in one request
 * (`pustaka.epub.range = off`), and prints the bytes fetched from the content store and the time until the first
 * page is shown, for both, with the ratios. Budget (issue 12): the first page after ≤ 20 % of the file.
 *
 *   npx tsx bench/reader-epub.ts
 *
 * Bytes are counted by the browser (response body sizes of requests to the store), not by the app. Runs alternate
 * between the two modes in fresh browser contexts (no HTTP cache); each mode reports its median.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { S3ContentStore } from '../functions/adapters/content-store';
import { objectKeys } from '../functions/adapters/keys';
import { sortTitleOf, type Title } from '../functions/domain/title';
import { repoRoot, startLocalGateway } from '../functions/local/gateway';

const BUDGET_FRACTION = 0.2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const books = ['moby-dick.epub', 'accessible_epub_3.epub'];

interface Run {
  bytes: number;
  requests: number;
  msToFirstPage: number;
}

async function openOnce(browser: Browser, url: string, rangeOff: boolean, storeOrigin: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript((off: boolean) => {
    localStorage.setItem('pustaka.language', 'en');
    if (off) localStorage.setItem('pustaka.epub.range', 'off');
  }, rangeOff);
  const page = await context.newPage();
  let bytes = 0;
  let requests = 0;
  let counting = false;
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    // Only the book: the catalogue's cover images (from the same store) may still be finishing.
    if (!counting || !request.url().startsWith(storeOrigin) || !request.url().includes('/publication.epub'))
      return;
    requests += 1;
    pending.push(
      request.sizes().then((sizes) => {
        bytes += sizes.responseBodySize;
        if (process.env.BENCH_VERBOSE)
          console.log(
            rangeOff ? 'whole' : 'range',
            request.method(),
            request.headers().range ?? '-',
            sizes.responseBodySize,
            request.url().replace(/\?.*/, ''),
          );
      }),
    );
  });
  // Warm the app shell first (its cover images come from the store too and are not counted).
  await page.goto(`${url.split('#')[0]}#/`);
  await page.locator('.results li').first().waitFor();
  counting = true;
  const started = performance.now();
  await page.goto(url);
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 120_000 });
  await page.locator('#epub-view iframe').first().waitFor();
  const msToFirstPage = performance.now() - started;
  await Promise.all(pending);
  await context.close();
  return { bytes, requests, msToFirstPage };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-bench-'));
  const gateway = await startLocalGateway({
    env: { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'SILENT', LINK_TTL_SECONDS: '300' },
    buildWeb: true,
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const storeOrigin = new URL(gateway.config.S3_ENDPOINT!).origin;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
    let ok = true;
    for (const [index, name] of books.entries()) {
      const bytes = readFileSync(join(repoRoot, '../shared/fixtures/epub', name));
      const id = `t-bench-epub-${index}`;
      const contentKey = objectKeys.content(id, 'epub');
      await new S3ContentStore(gateway.clients.s3, gateway.config.CONTENT_BUCKET).put(
        contentKey,
        bytes,
        'application/epub+zip',
        bytes.byteLength,
      );
      const now = new Date().toISOString();
      const title: Title = {
        id,
        title: name,
        sortTitle: sortTitleOf(name),
        authors: ['Bench'],
        subjects: [],
        identifiers: {},
        format: 'epub',
        access: 'open',
        status: 'active',
        contentKey,
        contentType: 'application/epub+zip',
        size: bytes.byteLength,
        sha256: 'bench',
        createdAt: now,
        updatedAt: now,
      };
      await gateway.deps.titles.create(title);
      const url = `${gateway.url}/#/read/${id}`;
      const ranged: Run[] = [];
      const whole: Run[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        ranged.push(await openOnce(browser, url, false, storeOrigin));
        whole.push(await openOnce(browser, url, true, storeOrigin));
      }
      const size = bytes.byteLength;
      const summary = (runs: Run[]) => ({
        bytes: median(runs.map((x) => x.bytes)),
        ms: median(runs.map((x) => x.msToFirstPage)),
        requests: median(runs.map((x) => x.requests)),
      });
      const r = summary(ranged);
      const w = summary(whole);
      console.log(`\n${name}: ${mb(size)} (${size} bytes), ${ROUNDS} rounds per mode, medians`);
      console.log(
        `range opening : ${mb(r.bytes).padStart(9)} fetched (${((r.bytes / size) * 100).toFixed(1)}% of the file) in ${r.requests} requests, first page after ${r.ms.toFixed(0)} ms`,
      );
      console.log(
        `whole file    : ${mb(w.bytes).padStart(9)} fetched (${((w.bytes / size) * 100).toFixed(1)}% of the file) in ${w.requests} requests, first page after ${w.ms.toFixed(0)} ms`,
      );
      console.log(
        `ratios range / whole: bytes ${(r.bytes / w.bytes).toFixed(3)}, time to first page ${(r.ms / w.ms).toFixed(2)}`,
      );
      const met = r.bytes <= BUDGET_FRACTION * size;
      ok &&= met;
      console.log(
        `budget first page after ≤ ${BUDGET_FRACTION * 100}% of the file: ${met ? 'met' : 'MISSED'} (${((r.bytes / size) * 100).toFixed(1)}%)`,
      );
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
