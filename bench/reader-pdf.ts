/**
 * PDF range loading: headless Chromium opens refman.pdf (R's reference manual, ~6.5 MB, ~2,400 pages) in the
 * reader through the local gateway, once with range loading (the reader's default: 64 KiB ranges through its
 * own transport, `disableAutoFetch` + `disableStream`) and once downloading the whole file, and prints the bytes
 * fetched from the content store and the time until page 1 is drawn, for both, with the ratios.
 * Budget (bench/README.md): page 1 drawn after fetching ≤ 15% of the file.
 *
 *   npx tsx bench/reader-pdf.ts
 *
 * refman.pdf comes from Debian's r-doc-pdf package (`apt-get download r-doc-pdf`, then `dpkg-deb -x`), cached in
 * .bench-cache/. Bytes are counted by the browser (response body sizes of requests to the store), not by the app.
 * Runs alternate between the two modes in fresh browser contexts (no HTTP cache); each mode reports its median.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { S3ContentStore } from '../functions/adapters/content-store';
import { objectKeys } from '../functions/adapters/keys';
import { sortTitleOf, type Title } from '../functions/domain/title';
import { repoRoot, startLocalGateway } from '../functions/local/gateway';

const BUDGET_FRACTION = 0.15;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cacheDir = join(repoRoot, '.bench-cache');
const refmanPath = join(cacheDir, 'refman.pdf');

function ensureRefman(): Buffer {
  if (!existsSync(refmanPath)) {
    mkdirSync(cacheDir, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), 'r-doc-pdf-'));
    try {
      console.log('Fetching refman.pdf from the Debian package r-doc-pdf …');
      execFileSync('apt-get', ['download', 'r-doc-pdf'], { cwd: work, stdio: 'ignore' });
      const deb = readdirSync(work).find((f) => f.startsWith('r-doc-pdf_') && f.endsWith('.deb'));
      if (!deb) throw new Error('apt-get download r-doc-pdf produced no .deb');
      execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'x')]);
      execFileSync('cp', [join(work, 'x/usr/share/R/doc/manual/refman.pdf'), refmanPath]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return readFileSync(refmanPath);
}

interface Run {
  bytes: number;
  requests: number;
  msToFirstPage: number;
}

async function openOnce(browser: Browser, url: string, rangeOff: boolean, storeOrigin: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript((off: boolean) => {
    localStorage.setItem('pustaka.language', 'en');
    if (off) localStorage.setItem('pustaka.pdf.range', 'off');
  }, rangeOff);
  const page = await context.newPage();
  let bytes = 0;
  let requests = 0;
  let counting = false;
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    // Only the book: the catalogue's cover images (from the same store) may still be finishing.
    if (!counting || !request.url().startsWith(storeOrigin) || !request.url().includes('/publication.pdf'))
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
  await page.locator('#pdf-page canvas').waitFor();
  const msToFirstPage = performance.now() - started;
  await Promise.all(pending);
  await context.close();
  return { bytes, requests, msToFirstPage };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const pdf = ensureRefman();
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
    // The manual as an open-access title, written straight into the store (no loan needed to read it).
    const id = 't-bench-refman';
    const contentKey = objectKeys.content(id, 'pdf');
    await new S3ContentStore(gateway.clients.s3, gateway.config.CONTENT_BUCKET).put(
      contentKey,
      pdf,
      'application/pdf',
      pdf.byteLength,
    );
    const now = new Date().toISOString();
    const title: Title = {
      id,
      title: 'R: A Language and Environment for Statistical Computing — Reference Index',
      sortTitle: sortTitleOf('R reference index'),
      authors: ['R Core Team'],
      subjects: [],
      identifiers: {},
      format: 'pdf',
      access: 'open',
      status: 'active',
      contentKey,
      contentType: 'application/pdf',
      size: pdf.byteLength,
      sha256: 'bench',
      createdAt: now,
      updatedAt: now,
    };
    await gateway.deps.titles.create(title);
    const storeOrigin = new URL(gateway.config.S3_ENDPOINT!).origin;
    const url = `${gateway.url}/#/read/${id}`;

    const ranged: Run[] = [];
    const whole: Run[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      ranged.push(await openOnce(browser, url, false, storeOrigin));
      whole.push(await openOnce(browser, url, true, storeOrigin));
    }
    const size = pdf.byteLength;
    const r = {
      bytes: median(ranged.map((x) => x.bytes)),
      ms: median(ranged.map((x) => x.msToFirstPage)),
      requests: median(ranged.map((x) => x.requests)),
    };
    const w = {
      bytes: median(whole.map((x) => x.bytes)),
      ms: median(whole.map((x) => x.msToFirstPage)),
      requests: median(whole.map((x) => x.requests)),
    };
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
    console.log(`refman.pdf: ${mb(size)} (${size} bytes), ${ROUNDS} rounds per mode, medians\n`);
    console.log(
      `range loading : ${mb(r.bytes).padStart(9)} fetched (${((r.bytes / size) * 100).toFixed(1)}% of the file) in ${r.requests} requests, page 1 after ${r.ms.toFixed(0)} ms`,
    );
    console.log(
      `whole file    : ${mb(w.bytes).padStart(9)} fetched (${((w.bytes / size) * 100).toFixed(1)}% of the file) in ${w.requests} requests, page 1 after ${w.ms.toFixed(0)} ms`,
    );
    console.log(
      `\nratios range / whole: bytes ${(r.bytes / w.bytes).toFixed(3)}, time to page 1 ${(r.ms / w.ms).toFixed(2)}`,
    );
    const ok = r.bytes <= BUDGET_FRACTION * size;
    console.log(
      `budget page 1 after ≤ ${BUDGET_FRACTION * 100}% of the file: ${ok ? 'met' : 'MISSED'} (${((r.bytes / size) * 100).toFixed(1)}%)`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
