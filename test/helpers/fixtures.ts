import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe } from 'vitest';
import { defaultFixturesDir } from '../../functions/local/gateway';
import { seedSampleLibrary, type SeedReport } from '../../functions/local/seed';
import type { TestStack } from './stack';

/**
 * The shared real-world publications beside the repository (`../shared/fixtures`), read at run time and never
 * copied in. `PUSTAKA_FIXTURES_DIR` points elsewhere, e.g. at a folder that does not exist to see what a clone
 * without them does.
 */
export const fixturesDir = process.env.PUSTAKA_FIXTURES_DIR
  ? resolve(process.env.PUSTAKA_FIXTURES_DIR)
  : defaultFixturesDir;

const isCi = () => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * The one decision for tests that need the fixtures. Present: true. Missing under `CI=true`: throws, so the
 * file fails with this message (a CI run that skipped every real-world file would pass without checking any).
 * Missing locally: prints a notice and returns false, and the caller skips.
 */
export function requireFixtures(what: string): boolean {
  if (existsSync(fixturesDir)) return true;
  const missing = `${what} needs the shared fixtures at ${fixturesDir}, which do not exist`;
  if (isCi()) {
    throw new Error(
      `${missing}. CI=true: failing instead of skipping. Put the fixtures at ../shared/fixtures beside the ` +
        'repository or point PUSTAKA_FIXTURES_DIR at them.',
    );
  }
  console.warn(`[fixtures] SKIPPED: ${missing} (under CI=true this fails).`);
  return false;
}

/** `describe` for a block that needs the fixtures: runs, fails (CI) or skips with a notice, by `requireFixtures`. */
export function describeWithFixtures(name: string, body: () => void): void {
  describe.skipIf(!requireFixtures(`"${name}"`))(name, body);
}

/** Seeds the test stack's table and bucket with the sample library from the fixtures (as `npm start` does). */
export function seedFixtures(stack: Pick<TestStack, 'deps' | 'content'>): Promise<SeedReport> {
  const { titles, patrons, clock } = stack.deps;
  return seedSampleLibrary({ titles, patrons, clock, content: stack.content }, fixturesDir);
}
