import type { Logger } from '@aws-lambda-powertools/logger';
import { composeMail } from '../domain/notification-mail';
import {
  languageOf,
  wantsEmail,
  type Delivery,
  type MailLinkSigner,
  type MailTransport,
  type NotificationKind,
} from '../domain/notification';
import type { DeliveryOutcome, NotificationRepository } from '../domain/notification-ports';
import type { Clock, PatronRepository, TitleRepository } from '../domain/ports';

/** What the notifier needs; the same on AWS (functions/handlers/sweeper.ts), in `npm start` and in tests. */
export interface NotifierDeps {
  notifications: NotificationRepository;
  patrons: Pick<PatronRepository, 'get'>;
  titles: Pick<TitleRepository, 'get'>;
  mail: MailTransport;
  mailLinks: MailLinkSigner;
  clock: Clock;
  logger: Logger;
  /** Where the web app is (links into it) and where the API is (one-click unsubscribe, verification). */
  appUrl: string;
  apiUrl: string;
  timeZone: string;
}

export interface NotifyReport {
  sent: number;
  skipped: number;
  retried: number;
  failed: number;
  /** Due deliveries another run held the lease of. */
  busy: number;
}

/** Verification links are good for two days; unsubscribe links for a year (mails are read late). */
const verifyLinkDays = 2;
const unsubscribeLinkDays = 365;

const inDays = (clock: Clock, days: number) =>
  new Date(clock.now().getTime() + days * 86_400_000).toISOString();

/** The mail of one delivery, or why there is none (no verified address, the kind turned off). */
async function mailOf(
  deps: NotifierDeps,
  delivery: Delivery,
): Promise<{ to: string; subject: string; text: string; html: string; unsubscribeUrl?: string } | string> {
  const patron = await deps.patrons.get(delivery.patronId);
  if (!patron) return 'no such patron';
  const language = languageOf((patron as { language?: unknown }).language);
  if (delivery.kind === 'verify-email') {
    if (!delivery.to) return 'no address to verify';
    const token = await deps.mailLinks.sign({
      use: 'verify',
      patronId: patron.id,
      email: delivery.to,
      exp: inDays(deps.clock, verifyLinkDays),
    });
    const link = `${deps.apiUrl}/notifications/verify-email?token=${token}`;
    return {
      to: delivery.to,
      ...composeMail({ kind: 'verify-email', language, name: patron.name, timeZone: deps.timeZone, link }),
    };
  }
  const settings = await deps.notifications.settings(patron.id);
  if (!settings.email || !settings.emailVerifiedAt) return 'no verified e-mail address';
  if (!wantsEmail(settings, delivery.kind)) return `e-mail for ${delivery.kind} turned off`;
  const title = delivery.titleId ? await deps.titles.get(delivery.titleId) : undefined;
  const kind = delivery.kind as NotificationKind;
  const token = await deps.mailLinks.sign({
    use: 'unsubscribe',
    patronId: patron.id,
    kind,
    exp: inDays(deps.clock, unsubscribeLinkDays),
  });
  const unsubscribeUrl = `${deps.apiUrl}/notifications/unsubscribe?token=${token}`;
  const link =
    kind === 'loan-ending-3d' || kind === 'loan-ending-1d'
      ? `${deps.appUrl}/#/shelf`
      : `${deps.appUrl}/#/titles/${encodeURIComponent(delivery.titleId ?? '')}`;
  return {
    to: settings.email,
    unsubscribeUrl,
    ...composeMail({
      kind,
      language,
      name: patron.name,
      title: title?.title ?? delivery.titleId ?? '',
      ...(delivery.deadline ? { deadline: delivery.deadline } : {}),
      timeZone: deps.timeZone,
      link,
      unsubscribeUrl,
    }),
  };
}

/**
 * One notifier run: every delivery due now is claimed (a lease, so a run overlapping this one skips it),
 * built, handed to the transport and settled. A refusal or an unreachable server is tried again after a
 * backoff; after the last try the delivery is marked failed for the librarians.
 */
export async function deliverDue(
  deps: NotifierDeps,
  options: { batch?: number; maxBatches?: number } = {},
): Promise<NotifyReport> {
  const report: NotifyReport = { sent: 0, skipped: 0, retried: 0, failed: 0, busy: 0 };
  const batch = options.batch ?? 25;
  for (let round = 0; round < (options.maxBatches ?? 20); round++) {
    const due = await deps.notifications.due(batch);
    let claimed = 0;
    for (const candidate of due) {
      const taken = await deps.notifications.claim(candidate.id);
      if (!taken) {
        report.busy += 1;
        continue;
      }
      claimed += 1;
      const { delivery, lease } = taken;
      let outcome: DeliveryOutcome;
      try {
        const mail = await mailOf(deps, delivery);
        if (typeof mail === 'string') outcome = { kind: 'skipped', reason: mail };
        else outcome = { kind: 'sent', messageId: (await deps.mail.send(mail)).messageId };
      } catch (error) {
        outcome = {
          kind: 'failed',
          reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
      const state = await deps.notifications.settle(delivery, lease, outcome);
      if (state === 'sent') report.sent += 1;
      else if (state === 'skipped') report.skipped += 1;
      else if (state === 'failed') report.failed += 1;
      else report.retried += 1;
      if (outcome.kind === 'failed')
        deps.logger.warn('delivery failed', {
          deliveryId: delivery.id,
          attempts: delivery.attempts,
          state,
          reason: outcome.reason,
        });
    }
    // Everything due was leased by another run or done: the rest is that run's, or the next one's.
    if (due.length < batch || claimed === 0) break;
  }
  if (report.sent + report.failed + report.retried > 0) deps.logger.info('notify', { ...report });
  return report;
}

/**
 * Runs `deliverDue` now and every `everyMs` until stopped (local mode; on AWS a schedule runs
 * functions/handlers/sweeper.ts).
 */
export function startNotifyTimer(deps: NotifierDeps, everyMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = deliverDue(deps)
      .catch((error: unknown) => deps.logger.error('notify failed', { error: error as Error }))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
