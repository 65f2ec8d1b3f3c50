import type { Logger } from '@aws-lambda-powertools/logger';
import type { LendingRepository, SweepReport } from '../domain/lending-ports';
import type { NotificationRepository } from '../domain/notification-ports';

/**
 * What a sweep uses, and no more: the sweeper Lambda (functions/handlers/sweeper-composition.ts) builds just
 * these; local mode passes the API's deps, which carry them.
 */
export interface SweepDeps {
  lending: Pick<LendingRepository, 'sweep'>;
  logger: Pick<Logger, 'info' | 'error'>;
  notifications?: Pick<NotificationRepository, 'recordTimeNotices' | 'tellWaitingWishers'>;
  /** Rebuilds the stored catalogue index snapshot when the catalogue moved past it. */
  catalogueSnapshot?: () => Promise<unknown>;
}

/**
 * One sweep: ends loans past their end, lapses missed reservations and passes their copies on, records the
 * notices due by time and tells the wishers a crashed licence change left untold. The same function runs on
 * a schedule on AWS (functions/handlers/sweeper.ts, the Lambda entry point) and on a timer in local mode
 * (functions/local/gateway.ts). Safe to run twice at once: each change is conditional on the state it ends.
 */
export async function sweep(deps: SweepDeps): Promise<SweepReport & { noticesRecorded: number }> {
  const report = await deps.lending.sweep();
  // After the ends: a loan that ended in this sweep gets its "ended" notice, never a late "ends soon" one.
  const notices = deps.notifications ? await deps.notifications.recordTimeNotices() : { recorded: 0 };
  // Wishers a licence change could not tell (a crash after its write): its outbox marker is still there.
  const wishers = deps.notifications ? await deps.notifications.tellWaitingWishers() : { told: 0 };
  const full = { ...report, noticesRecorded: notices.recorded + wishers.told };
  // Last, and on its own: a catalogue snapshot that cannot be built now is built by the next sweep, and the
  // API meanwhile answers from the previous one plus the titles changed since.
  if (deps.catalogueSnapshot) {
    const snapshot = await deps.catalogueSnapshot().catch((error: unknown) => {
      deps.logger.error('catalogue snapshot failed', { error: error as Error });
      return undefined;
    });
    if (snapshot) deps.logger.info('catalogue snapshot', { snapshot });
  }
  if (report.loansExpired + report.reservationsLapsed + full.noticesRecorded > 0)
    deps.logger.info('sweep', full);
  return full;
}

/** Runs `sweep` now and every `everyMs` until stopped; a failed sweep is logged and the next one tries again. */
export function startSweepTimer(deps: SweepDeps, everyMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sweep(deps).catch((error: unknown) =>
      deps.logger.error('sweep failed', { error: error as Error }),
    );
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
