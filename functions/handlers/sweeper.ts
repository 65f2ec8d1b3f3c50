import { deliverDue, type NotifyReport } from '../application/notify';
import { sweep } from '../application/sweep';
import { loadConfig } from '../config';
import type { SweepReport } from '../domain/lending-ports';
import { createSweeperDeps } from './sweeper-composition';

/**
 * Scheduled Lambda entry point (infra/constructs/sweeper.ts): returns expired loans, lapses reservations and
 * advances hold queues (functions/application/sweep.ts), records the notices that fall due, and then sends the
 * notice mails that are due (functions/application/notify.ts) through Amazon SES. Config and clients are built
 * once per cold start (./sweeper-composition.ts); a missing variable fails the init.
 */
const { sweep: deps, notifier } = createSweeperDeps(loadConfig(process.env, 'sweeper'), {
  sendsMail: process.env.MAIL_FROM !== undefined,
});

export const handler = async (): Promise<SweepReport & { mail?: NotifyReport }> => {
  const report = await sweep(deps);
  return notifier ? { ...report, mail: await deliverDue(notifier) } : report;
};
