/**
 * What the reader benchmarks share: one local gateway and one headless Chromium, a book written straight into the
 * store as an open-access title, and the measure itself — open it in fresh contexts (no HTTP cache), alternately
 * by range reads (the reader's default) and as the whole file (the reader's `<engine>.range = off` switch), count
 * the bytes the browser fetched from the store until the first page shows, and print medians with the ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { S3ContentStore } from '../../functions/adapters/content-store';
import { objectKeys } from '../../functions/adapters/keys';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { startLocalGateway } from '../../functions/local/gateway';
import { launchChromium } from '../../test/e2e/chromium';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export interface BookUnderTest {
  id: string;
  /** What the report calls it (the file name). */
  name: string;
  title: string;
  authors: string[];
  format: 'epub' | 'pdf';
  bytes: Uint8Array;
  /** The element that is there once the first page is shown. */
  firstPage: string;
  /** The budget: the first page after at most this fraction of the file. */
  budgetFraction: number;
}

interface Run {
  bytes: number;
  requests: number;
  msToFirstPage: number;
}

const contentTypes = { epub: 'application/epub+zip', pdf: 'application/pdf' } as const;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const percentOf = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;

async function openOnce(
  browser: Browser,
  url: string,
  book: BookUnderTest,
  rangeOff: boolean,
  storeOrigin: string,
): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript(
    ({ off, key }: { off: boolean; key: string }) => {
      localStorage.setItem('pustaka.language', 'en');
      if (off) localStorage.setItem(key, 'off');
    },
    { off: rangeOff, key: `pustaka.${book.format}.range` },
  );
  const page = await context.newPage();
  let bytes = 0;
  let requests = 0;
  let counting = false;
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    // Only the book: the catalogue's cover images (from the same store) may still be finishing.
    const target = request.url();
    if (!counting || !target.startsWith(storeOrigin) || !target.includes(`/publication.${book.format}`))
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
            target.replace(/\?.*/, ''),
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
  await page.locator(book.firstPage).first().waitFor();
  const msToFirstPage = performance.now() - started;
  await Promise.all(pending);
  await context.close();
  return { bytes, requests, msToFirstPage };
}

export interface ReaderBench {
  /** Measures one book and prints its figures; true when its budget is met. */
  measure(book: BookUnderTest): Promise<boolean>;
}

/** Runs `body` with a fresh gateway and browser, stops both after, and sets the exit code from the budgets. */
export async function withReaderBench(body: (bench: ReaderBench) => Promise<boolean>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-bench-'));
  const gateway = await startLocalGateway({
    env: { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'SILENT', LINK_TTL_SECONDS: '300' },
    buildWeb: true,
  });
  const browser = await launchChromium();
  const storeOrigin = new URL(gateway.config.S3_ENDPOINT!).origin;
  const store = new S3ContentStore(gateway.clients.s3, gateway.config.CONTENT_BUCKET);

  const measure = async (book: BookUnderTest): Promise<boolean> => {
    // The book as an open-access title, written straight into the store (no loan needed to read it).
    const contentKey = objectKeys.content(book.id, book.format);
    const contentType = contentTypes[book.format];
    const size = book.bytes.byteLength;
    await store.put(contentKey, book.bytes, contentType, size);
    const now = new Date().toISOString();
    const title: Title = {
      id: book.id,
      title: book.title,
      sortTitle: sortTitleOf(book.title),
      authors: book.authors,
      subjects: [],
      identifiers: {},
      format: book.format,
      access: 'open',
      status: 'active',
      contentKey,
      contentType,
      size,
      sha256: 'bench',
      createdAt: now,
      updatedAt: now,
    };
    await gateway.deps.titles.create(title);
    const url = `${gateway.url}/#/read/${book.id}`;

    const ranged: Run[] = [];
    const whole: Run[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      ranged.push(await openOnce(browser, url, book, false, storeOrigin));
      whole.push(await openOnce(browser, url, book, true, storeOrigin));
    }
    const summary = (runs: Run[]) => ({
      bytes: median(runs.map((x) => x.bytes)),
      ms: median(runs.map((x) => x.msToFirstPage)),
      requests: median(runs.map((x) => x.requests)),
    });
    const r = summary(ranged);
    const w = summary(whole);
    const line = (label: string, s: typeof r) =>
      `${label}: ${mb(s.bytes).padStart(9)} fetched (${percentOf(s.bytes, size)} of the file) in ${s.requests} requests, first page after ${s.ms.toFixed(0)} ms`;
    console.log(`\n${book.name}: ${mb(size)} (${size} bytes), ${ROUNDS} rounds per mode, medians`);
    console.log(line('range reads', r));
    console.log(line('whole file ', w));
    console.log(
      `ratios range / whole: bytes ${(r.bytes / w.bytes).toFixed(3)}, time to first page ${(r.ms / w.ms).toFixed(2)}`,
    );
    const met = r.bytes <= book.budgetFraction * size;
    console.log(
      `budget first page after ≤ ${book.budgetFraction * 100}% of the file: ${met ? 'met' : 'MISSED'} (${percentOf(r.bytes, size)})`,
    );
    return met;
  };

  try {
    process.exitCode = (await body({ measure })) ? 0 : 1;
  } finally {
    await browser.close();
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
