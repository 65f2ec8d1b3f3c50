import { join } from 'node:path';
import { build } from 'vite';
import { repoRoot } from '../../functions/local/gateway';

/**
 * Vitest global setup: builds web/ once per run, before any test file starts, so the browser tests (which run
 * in parallel, each with its own gateway) all serve the same fresh build and never race to write web/dist.
 */
export default async function setup(): Promise<void> {
  await build({ configFile: join(repoRoot, 'web/vite.config.ts'), logLevel: 'warn' });
}
