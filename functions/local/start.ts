import { demoAccounts } from './seed';
import { LocalStackError } from './emulators';
import { startLocalGateway } from './gateway';

/** `npm start`: the whole gateway on one laptop. Ctrl-C or SIGTERM stops everything it started. */
async function main(): Promise<void> {
  const log = (line: string) => console.log(`[pustaka] ${line}`);
  // npm scripts run the Node.js pinned in devDependencies (node_modules/.bin/node); say which one runs.
  log(`Node.js ${process.version}`);
  const gateway = await startLocalGateway({ buildWeb: process.env.SKIP_WEB_BUILD !== '1', log });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    await gateway.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log(`Ready in ${gateway.timings.listening} ms (${JSON.stringify(gateway.timings)})`);
  log(`Reader app:  ${gateway.url}/`);
  log(
    `API:         ${gateway.url}/titles   health: ${gateway.url}/health   contract: ${gateway.url}/openapi.json`,
  );
  log(
    `Mailbox:     ${gateway.url}/dev/mail   (the library's e-mails; SMTP on 127.0.0.1:${gateway.mail.port})`,
  );
  log(`Data:        ${gateway.config.DATA_DIR}`);
  log('Demo accounts (card / PIN):');
  for (const account of demoAccounts) {
    log(`  ${account.cardNumber} / ${account.pin}  ${account.name} (${account.roles.join(', ')})`);
  }
  if (gateway.demoUniversity) {
    const { idp } = gateway.demoUniversity;
    log(`Campus sign-in (“Masuk dengan akun kampus”), ${idp.name} at ${idp.issuer} (username / password):`);
    for (const member of idp.members) log(`  ${member.username} / ${member.password}  ${member.name}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) console.error(`[pustaka] ${error.message}`);
  else console.error('[pustaka] failed to start:', error);
  process.exit(1);
});
