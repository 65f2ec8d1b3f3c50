import { loadConfig } from '../config';
import type { SweepReport } from '../domain/lending-ports';
import type { AppDeps } from '../http/deps';
import { createDeps } from './deps';
import { sweep } from './sweep';

let deps: AppDeps | undefined;

/**
 * Scheduled Lambda entry point (infra/constructs/sweeper.ts): returns expired loans, lapses reservations and
 * advances hold queues (see ./sweep.ts). Config and clients are built once per cold start.
 */
export const handler = async (): Promise<SweepReport> => {
  deps ??= createDeps(loadConfig());
  return sweep(deps);
};
