/**
 * The first search of a cold container, run by bench/search.ts in a fresh `node --expose-gc` process:
 *
 *   snapshot <s3 endpoint> <bucket> <key> <query>   load the snapshot from the S3 emulator as the API does
 *   build <titles.json> <query>                     build the index from every title (the old cold start;
 *                                                   reading the table itself is not even counted)
 *
 * Prints one JSON line: milliseconds from the start of the load to the first page of results, and the heap.
 */
import { readFileSync } from 'node:fs';
import { CatalogueIndex } from '../../functions/domain/catalogue';
import { s3CatalogueSnapshots } from '../../functions/adapters/catalogue-snapshots';
import { localCredentials } from '../../functions/adapters/dynamo-clients';
import { createPresigner } from '../../functions/adapters/presigner';
import type { Title } from '../../functions/domain/title';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const [mode, ...args] = process.argv.slice(2);
gc();
const before = process.memoryUsage();
const started = performance.now();
const cpuStarted = process.cpuUsage();

let index: CatalogueIndex;
let fetchedMs = 0;
let query: string;
if (mode === 'snapshot') {
  const [endpoint, bucket, key, q] = args as [string, string, string, string];
  const links = createPresigner({
    bucket,
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: localCredentials,
  });
  const bytes = await s3CatalogueSnapshots(links, { timeoutMs: 60_000 }).get(key);
  fetchedMs = performance.now() - started;
  index = CatalogueIndex.fromSnapshot(bytes);
  query = q;
} else {
  const [file, q] = args as [string, string];
  index = new CatalogueIndex(JSON.parse(readFileSync(file, 'utf8')) as Title[], 1);
  query = q;
}
const loadedMs = performance.now() - started;
const hits = index.query({ q: query });
// What the route shows: the first page of titles.
const page = hits.slice(0, 20).map((hit) => hit.title.title);
const firstSearchMs = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const after = process.memoryUsage();
gc();
const settled = process.memoryUsage();
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
console.log(
  JSON.stringify({
    fetchedMs: Math.round(fetchedMs),
    loadedMs: Math.round(loadedMs),
    firstSearchMs: Math.round(firstSearchMs),
    // CPU of this process (decompression threads included): on a shared, loaded machine a steadier figure.
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    results: hits.length,
    shown: page.length,
    heapMb: mb(after.heapUsed),
    heapAfterGcMb: mb(settled.heapUsed),
    heapAtStartMb: mb(before.heapUsed),
    arrayBuffersMb: mb(settled.arrayBuffers - before.arrayBuffers),
    rssMb: mb(settled.rss),
  }),
);
