import { smtpTransport } from '../../functions/adapters/mail-transport';
import type { NotifierDeps } from '../../functions/application/notify';
import { startMailServer, type LocalMailServer } from '../../functions/local/mail-server';
import type { TestStack } from './stack';

/**
 * The notifier over a test stack, sending through a real SMTP server (the same one `npm start` runs) that
 * listens on 127.0.0.1 on a free port. `mailLinks` come from the stack (its DATA_DIR secret).
 */
export async function startMail(
  stack: TestStack,
): Promise<{ server: LocalMailServer; notifier: NotifierDeps }> {
  const server = await startMailServer();
  return { server, notifier: notifierOver(stack, { host: server.host, port: server.port }) };
}

export function notifierOver(stack: TestStack, smtp: { host: string; port: number }): NotifierDeps {
  const { deps } = stack;
  if (!deps.mailLinks) throw new Error('the test stack has no mail link signer');
  return {
    notifications: deps.notifications,
    patrons: deps.patrons,
    titles: deps.titles,
    mail: smtpTransport({ ...smtp, from: deps.config.MAIL_FROM }),
    mailLinks: deps.mailLinks,
    clock: deps.clock,
    logger: deps.logger,
    appUrl: 'http://app.test',
    apiUrl: 'http://api.test',
    timeZone: deps.config.LIBRARY_TIME_ZONE,
  };
}
