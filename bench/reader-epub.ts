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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../functions/local/gateway';
import { withReaderBench } from './lib/reader-bench';

const books = ['moby-dick.epub', 'accessible_epub_3.epub'];

await withReaderBench(async (bench) => {
  let ok = true;
  for (const [index, name] of books.entries()) {
    const met = await bench.measure({
      id: `t-bench-epub-${index}`,
      name,
      title: name,
      authors: ['Bench'],
      format: 'epub',
      bytes: readFileSync(join(repoRoot, '../shared/fixtures/epub', name)),
      firstPage: '#epub-view iframe',
      budgetFraction: 0.2,
    });
    ok &&= met;
  }
  return ok;
});
