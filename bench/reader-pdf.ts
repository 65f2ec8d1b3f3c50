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
import { repoRoot } from '../functions/local/gateway';
import { withReaderBench } from './lib/reader-bench';

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

await withReaderBench((bench) =>
  bench.measure({
    id: 't-bench-refman',
    name: 'refman.pdf',
    title: 'R: A Language and Environment for Statistical Computing — Reference Index',
    authors: ['R Core Team'],
    format: 'pdf',
    bytes: ensureRefman(),
    firstPage: '#pdf-page canvas',
    budgetFraction: 0.15,
  }),
);
