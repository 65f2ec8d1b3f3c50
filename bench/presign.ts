/**
 * Signed-link cost: our presigner against `getSignedUrl` from @aws-sdk/s3-request-presigner, measured in the same
 * run (these machines are noisy, so only the ratio is judged). Budget (bench/README.md): ≥ 10× cheaper per link.
 *
 *   npx tsx bench/presign.ts
 *
 * Rounds alternate between the two so drift in machine load hits both; each side reports its median round.
 * Both CPU time (process.cpuUsage, user + system) and wall time per link are printed; the budget must hold
 * for both.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createPresigner, inlineDisposition, presignUrl } from '../functions/adapters/presigner';

const BUDGET_RATIO = 10;
const ROUNDS = 7;
const SDK_LINKS_PER_ROUND = 400;
const OUR_LINKS_PER_ROUND = 20_000;

const bucket = 'pustaka-content';
const region = 'us-east-1';
const key = 'content/01J9ZQ8V3K6T2M4N5P7R8S9T0V/publication.epub';
const contentType = 'application/epub+zip';
const filename = 'Laskar Pelangi – Andrea Hirata.epub';
const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const expiresIn = 300;

const s3 = new S3Client({ region, credentials });
const ours = createPresigner({ bucket, region, credentials: s3.config.credentials });

const sdkLink = () =>
  getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentType: contentType,
      ResponseContentDisposition: inlineDisposition(filename),
    }),
    { expiresIn },
  );
const ourLink = () => ours.signGet(key, { expiresIn, contentType, filename });
const pureLink = () =>
  presignUrl({
    method: 'GET',
    bucket,
    key,
    region,
    credentials,
    expiresIn,
    now: new Date(),
    responseContentType: contentType,
    responseContentDisposition: inlineDisposition(filename),
  });

interface PerLink {
  cpuUs: number;
  wallUs: number;
}

async function round(link: () => Promise<string> | string, n: number): Promise<PerLink> {
  let sink = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) sink += (await link()).length;
  const wallUs = ((performance.now() - start) * 1000) / n;
  const used = process.cpuUsage(cpu);
  if (sink === 0) throw new Error('no links were made');
  return { cpuUs: (used.user + used.system) / n, wallUs };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function main(): Promise<void> {
  // Same link from both, so we compare like with like (the SDK adds its own x-id / checksum parameters).
  console.log(`sample (ours): ${await ourLink()}`);
  console.log(`sample (SDK):  ${await sdkLink()}`);

  // Warm-up: JIT, the SDK's endpoint and credential caches, our signing-key cache.
  await round(sdkLink, SDK_LINKS_PER_ROUND);
  await round(ourLink, OUR_LINKS_PER_ROUND);
  await round(pureLink, OUR_LINKS_PER_ROUND);

  const sdk: PerLink[] = [];
  const port: PerLink[] = [];
  const pure: PerLink[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    sdk.push(await round(sdkLink, SDK_LINKS_PER_ROUND));
    port.push(await round(ourLink, OUR_LINKS_PER_ROUND));
    pure.push(await round(pureLink, OUR_LINKS_PER_ROUND));
  }

  const summary = (rounds: PerLink[]) => ({
    cpuUs: median(rounds.map((x) => x.cpuUs)),
    wallUs: median(rounds.map((x) => x.wallUs)),
  });
  const s = summary(sdk);
  const p = summary(port);
  const q = summary(pure);
  const cpuRatio = s.cpuUs / p.cpuUs;
  const wallRatio = s.wallUs / p.wallUs;
  const fmt = (n: number) => n.toFixed(2).padStart(9);

  console.log('');
  console.log(`signed GET link, ${ROUNDS} alternating rounds, median per link   CPU µs      wall µs`);
  console.log(
    `  getSignedUrl (@aws-sdk/s3-request-presigner)  ×${SDK_LINKS_PER_ROUND}/round ${fmt(s.cpuUs)}  ${fmt(s.wallUs)}`,
  );
  console.log(
    `  createPresigner().signGet (ours, async port)  ×${OUR_LINKS_PER_ROUND}/round ${fmt(p.cpuUs)}  ${fmt(p.wallUs)}`,
  );
  console.log(
    `  presignUrl (ours, pure, synchronous)          ×${OUR_LINKS_PER_ROUND}/round ${fmt(q.cpuUs)}  ${fmt(q.wallUs)}`,
  );
  console.log('');
  console.log(`ratio getSignedUrl / ours (port): CPU ${cpuRatio.toFixed(1)}×, wall ${wallRatio.toFixed(1)}×`);
  const ok = cpuRatio >= BUDGET_RATIO && wallRatio >= BUDGET_RATIO;
  console.log(`budget ≥ ${BUDGET_RATIO}×: ${ok ? 'PASS' : 'FAIL'}`);
  if (!ok) process.exitCode = 1;
}

await main();
