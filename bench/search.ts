/**
 * Catalogue search at 100k titles (functions/domain/catalogue.ts), measured in one run beside its baselines
 * (these machines are noisy; ratios are what is compared):
 *
 * - warm queries: the index against a linear filter over the same titles. The baseline is what "search
 *   without an index" costs at best: every title's text folded once in advance, then each query scans all of
 *   it for every word. It finds less than the index (no ranking, no prefixes, no typo tolerance).
 * - the first search of a cold container, each in a fresh `node --expose-gc` process (bench/lib/search-cold.ts):
 *   loading the index snapshot from the S3 emulator through the API's own code path, against building the
 *   index from every title as cold containers did before snapshots (without even counting the table read).
 *
 * Budgets (bench/README.md): warm p50 ≤ 3 ms and p95 ≤ 15 ms; cold first search ≤ 1.5 s and ≤ 150 MB of heap.
 *
 *   npx tsx bench/search.ts
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { s3CatalogueSnapshots } from '../functions/adapters/catalogue-snapshots';
import { localCredentials } from '../functions/adapters/dynamo-clients';
import { catalogueSnapshotKeys } from '../functions/adapters/keys';
import { createPresigner } from '../functions/adapters/presigner';
import { ensureBucket } from '../functions/adapters/table-admin';
import { startS3Emulator } from '../functions/local/emulators';
import { CatalogueIndex, foldText, tokenize, type CatalogueQuery } from '../functions/domain/catalogue';
import { sortTitleOf, type Title } from '../functions/domain/title';

const TITLES = 100_000;
const QUERIES = 400;
const BUDGET_P50_MS = 3;
const BUDGET_P95_MS = 15;
const BUDGET_COLD_MS = 1_500;
const BUDGET_COLD_HEAP_MB = 150;

// A small deterministic PRNG, so every run searches the same catalogue.
let seed = 0x9e3779b9;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const indonesian = [
  'bumi',
  'manusia',
  'laskar',
  'pelangi',
  'ronggeng',
  'dukuh',
  'cantik',
  'luka',
  'hujan',
  'senja',
  'pulang',
  'negeri',
  'lima',
  'menara',
  'perahu',
  'kertas',
  'sejarah',
  'kota',
  'desa',
  'laut',
  'gunung',
  'hutan',
  'cinta',
  'perang',
  'merdeka',
  'anak',
  'ibu',
  'bapak',
  'sekolah',
  'guru',
  'petani',
  'nelayan',
  'pasar',
  'jalan',
  'malam',
  'pagi',
  'matahari',
  'bulan',
  'bintang',
  'angin',
  'api',
  'air',
  'tanah',
  'rumah',
  'kebudayaan',
  'ekonomi',
  'pendidikan',
  'kesehatan',
  'politik',
  'agama',
  'sastra',
  'bahasa',
  'hukum',
];
const english = [
  'whale',
  'sea',
  'voyage',
  'island',
  'garden',
  'river',
  'history',
  'science',
  'statistics',
  'computing',
  'network',
  'economy',
  'children',
  'literature',
  'poetry',
  'waste',
  'land',
  'city',
  'mountain',
  'forest',
  'night',
  'morning',
  'war',
  'peace',
  'love',
  'death',
  'introduction',
  'manual',
  'guide',
  'theory',
  'practice',
  'analysis',
  'design',
  'system',
  'language',
  'culture',
  'medicine',
  'law',
  'music',
  'art',
];
const accented = ['café', 'naïve', 'résumé', 'Émile', 'São', 'Zoë', 'Bogotá', 'Kraków', 'Müller', 'Ñandú'];
const givenNames = [
  'Siti',
  'Budi',
  'Dewi',
  'Andrea',
  'Pramoedya',
  'Ayu',
  'Herman',
  'Virginia',
  'Toni',
  'Ahmad',
];
const familyNames = [
  'Rahayu',
  'Santoso',
  'Lestari',
  'Hirata',
  'Toer',
  'Utami',
  'Melville',
  'Woolf',
  'Morrison',
  'Tohari',
];
const subjects = [
  'Fiksi',
  'Sejarah',
  'Sains',
  'Pendidikan',
  'Fiction',
  'History',
  'Science',
  'Poetry',
  'Law',
  'Medicine',
];

/**
 * A catalogue's vocabulary is large and skewed: a few words are everywhere, most are rare. 40,000 made-up words
 * from Indonesian-like syllables, drawn with a Zipf distribution, mixed with the real words above (about 4% of
 * the words, so a common word like "history" is in a few percent of the records, as in a real catalogue).
 */
const syllables = [
  'ba',
  'ka',
  'ra',
  'ma',
  'sa',
  'ta',
  'la',
  'na',
  'pa',
  'da',
  'ja',
  'ga',
  'wa',
  'ha',
  'ya',
].flatMap((s) => [s, `${s[0]}i`, `${s[0]}u`, `${s[0]}e`, `${s[0]}o`, `${s}n`, `${s}ng`, `${s}r`]);
const madeUp = Array.from({ length: 40_000 }, () =>
  Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join(''),
);
const zipfWeights = madeUp.map((_, rank) => 1 / (rank + 1));
const zipfTotal = zipfWeights.reduce((a, b) => a + b, 0);
const cumulative: number[] = [];
{
  let sum = 0;
  for (const weight of zipfWeights) cumulative.push((sum += weight / zipfTotal));
}
const zipfWord = () => {
  const r = random();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return madeUp[lo]!;
};

const words = (count: number) => {
  const vocabulary = random() < 0.5 ? indonesian : english;
  return Array.from({ length: count }, () => {
    const r = random();
    return r < 0.005 ? pick(accented) : r < 0.04 ? pick(vocabulary) : zipfWord();
  });
};

function syntheticTitles(): Title[] {
  const now = new Date().toISOString();
  return Array.from({ length: TITLES }, (_, i) => {
    const name = words(2 + Math.floor(random() * 4)).join(' ');
    const title = name.charAt(0).toUpperCase() + name.slice(1);
    return {
      id: `t-${i.toString(36)}`,
      title,
      sortTitle: sortTitleOf(title),
      authors: [`${pick(givenNames)} ${pick(familyNames)}`],
      subjects: [pick(subjects), pick(subjects)],
      description: words(15 + Math.floor(random() * 25)).join(' '),
      identifiers: {},
      language: random() < 0.5 ? 'id' : 'en',
      format: random() < 0.7 ? 'epub' : 'pdf',
      access: random() < 0.1 ? 'open' : 'licensed',
      status: 'active',
      contentKey: `content/t-${i}/publication.epub`,
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    } satisfies Title;
  });
}

/** Queries patrons type: one or two words, some with a filter, some in capitals or without accents. */
function syntheticQueries(): CatalogueQuery[] {
  return Array.from({ length: QUERIES }, () => {
    const vocabulary = random() < 0.5 ? indonesian : english;
    const r = random();
    const q =
      r < 0.3
        ? pick(vocabulary)
        : r < 0.5
          ? `${pick(vocabulary)} ${zipfWord()}`
          : r < 0.7
            ? zipfWord()
            : r < 0.8
              ? pick(familyNames).toUpperCase()
              : r < 0.9
                ? foldText(pick(accented))
                : pick(vocabulary).slice(0, 4);
    return {
      q,
      ...(random() < 0.3 ? { lang: pick(['id', 'en']) } : {}),
      ...(random() < 0.2 ? { format: pick(['epub', 'pdf'] as const) } : {}),
    };
  });
}

function linearSearch(prepared: { title: Title; text: string }[], query: CatalogueQuery): Title[] {
  const tokens = tokenize(query.q ?? '');
  const hits: Title[] = [];
  for (const { title, text } of prepared) {
    if (query.format && title.format !== query.format) continue;
    if (query.lang && title.language !== query.lang) continue;
    if (tokens.every((token) => text.includes(token))) hits.push(title);
  }
  return hits;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(label: string, run: (query: CatalogueQuery) => unknown, queries: CatalogueQuery[]) {
  for (const query of queries.slice(0, 40)) run(query); // warm-up
  const times: number[] = [];
  let results = 0;
  for (const query of queries) {
    const started = performance.now();
    const found = run(query) as unknown[];
    times.push(performance.now() - started);
    results += found.length;
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  console.log(
    `${label.padEnd(24)} p50 ${p50.toFixed(3).padStart(8)} ms   p95 ${p95.toFixed(3).padStart(8)} ms   ` +
      `(${(results / queries.length).toFixed(0)} results/query)`,
  );
  return { p50, p95 };
}

interface Cold {
  fetchedMs: number;
  loadedMs: number;
  firstSearchMs: number;
  cpuMs: number;
  results: number;
  heapMb: number;
  heapAfterGcMb: number;
  heapAtStartMb: number;
  arrayBuffersMb: number;
  rssMb: number;
}

/** In a child process, awaited (not spawnSync): the S3 emulator serving it runs in this process. */
async function cold(args: string[]): Promise<Cold> {
  const script = fileURLToPath(new URL('./lib/search-cold.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Cold;
}

const titles = syntheticTitles();
const queries = syntheticQueries();

let started = performance.now();
const index = new CatalogueIndex(titles, 1);
const buildMs = performance.now() - started;
started = performance.now();
const prepared = titles.map((title) => ({
  title,
  text: foldText([title.title, ...title.authors, ...title.subjects, title.description ?? ''].join(' ')),
}));
const prepareMs = performance.now() - started;
started = performance.now();
const snapshot = index.toSnapshot();
const snapshotMs = performance.now() - started;

console.log(`${TITLES.toLocaleString('en')} titles, ${QUERIES} queries`);
console.log(
  `index build ${buildMs.toFixed(0)} ms (baseline text folding ${prepareMs.toFixed(0)} ms), ` +
    `snapshot ${(snapshot.byteLength / 1024 / 1024).toFixed(1)} MB written in ${snapshotMs.toFixed(0)} ms\n`,
);

const linear = measure('linear filter (baseline)', (q) => linearSearch(prepared, q), queries);
const indexed = measure('catalogue index', (q) => index.query(q), queries);
console.log(
  `ratio baseline / index: p50 ${(linear.p50 / indexed.p50).toFixed(1)}×, p95 ${(linear.p95 / indexed.p95).toFixed(1)}×\n`,
);

// The cold first search: the snapshot in the S3 emulator, read by a fresh process as the API reads it.
const work = mkdtempSync(join(tmpdir(), 'pustaka-bench-search-'));
const s3 = await startS3Emulator({ dataDir: join(work, 's3') });
let snapshotCold: Cold;
let buildCold: Cold;
try {
  const bucket = 'bench-search';
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: localCredentials,
  });
  await ensureBucket(client, bucket, ['http://localhost']);
  client.destroy();
  const key = catalogueSnapshotKeys.snapshot(1, new Date());
  const links = createPresigner({
    bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: localCredentials,
  });
  await s3CatalogueSnapshots(links, { timeoutMs: 60_000 }).put(key, snapshot);
  const titlesFile = join(work, 'titles.json');
  writeFileSync(titlesFile, JSON.stringify(titles));
  const q = 'sejarah';
  snapshotCold = await cold(['snapshot', s3.endpoint, bucket, key, q]);
  buildCold = await cold(['build', titlesFile, q]);
} finally {
  await s3.stop();
  rmSync(work, { recursive: true, force: true });
}
const show = (label: string, c: Cold) =>
  console.log(
    `${label.padEnd(34)} first search ${String(c.firstSearchMs).padStart(6)} ms, CPU ${c.cpuMs} ms ` +
      `(fetched in ${c.fetchedMs} ms, loaded in ${c.loadedMs} ms), ` +
      `heap ${c.heapMb} MB (${c.heapAfterGcMb} MB after GC), array buffers ${c.arrayBuffersMb} MB, rss ${c.rssMb} MB`,
  );
console.log('cold container, first search ("sejarah", first page of 20):');
show('build from every title (baseline)', buildCold);
show('snapshot from S3', snapshotCold);
console.log(
  `ratio baseline / snapshot: time ${(buildCold.firstSearchMs / snapshotCold.firstSearchMs).toFixed(1)}×, ` +
    `CPU ${(buildCold.cpuMs / snapshotCold.cpuMs).toFixed(1)}×, ` +
    `heap ${(buildCold.heapMb / snapshotCold.heapMb).toFixed(1)}×\n`,
);

const budgets: [string, boolean, string][] = [
  [`warm p50 ≤ ${BUDGET_P50_MS} ms`, indexed.p50 <= BUDGET_P50_MS, `${indexed.p50.toFixed(3)} ms`],
  [`warm p95 ≤ ${BUDGET_P95_MS} ms`, indexed.p95 <= BUDGET_P95_MS, `${indexed.p95.toFixed(3)} ms`],
  [
    `cold first search ≤ ${BUDGET_COLD_MS} ms`,
    snapshotCold.firstSearchMs <= BUDGET_COLD_MS,
    `${snapshotCold.firstSearchMs} ms`,
  ],
  [
    `cold heap ≤ ${BUDGET_COLD_HEAP_MB} MB`,
    snapshotCold.heapMb <= BUDGET_COLD_HEAP_MB,
    `${snapshotCold.heapMb} MB`,
  ],
];
for (const [label, ok, figure] of budgets)
  console.log(`budget ${label}: ${ok ? 'met' : 'MISSED'} (${figure})`);
process.exit(budgets.every(([, ok]) => ok) ? 0 : 1);
