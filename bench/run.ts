import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [name ...]`: runs every benchmark in bench/ (or the named ones) one after another, each in its
 * own process so one's warm caches never flatter another, and exits non-zero if any missed its budget.
 */
const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(2);
}

console.log(`bench: Node.js ${process.version}`);
const results: { name: string; status: number | null }[] = [];
for (const name of wanted.length ? wanted : available) {
  console.log(`\n=== bench/${name} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], {
    stdio: 'inherit',
  });
  results.push({ name, status: run.status });
}
console.log('\n=== summary ===');
for (const { name, status } of results)
  console.log(`${status === 0 ? 'within budget' : 'OVER BUDGET / FAILED'}  ${name}`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
