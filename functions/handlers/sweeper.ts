import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoClients } from '../adapters/dynamo-clients';
import { dependencyTimeouts } from '../adapters/dependency-timeouts';
import { DynamoLendingRepository } from '../adapters/lending-repository';
import { hmacMailLinks } from '../adapters/mail-links';
import { sesTransport } from '../adapters/mail-transport';
import { DynamoNotificationRepository } from '../adapters/notification-repository';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { secretsManagerPseudonymSecret } from '../adapters/pseudonyms';
import { refreshCatalogueSnapshot } from '../adapters/catalogue-index';
import { s3CatalogueSnapshots } from '../adapters/catalogue-snapshots';
import { createPresigner } from '../adapters/presigner';
import { DynamoTitleRepository } from '../adapters/title-repository';
import { ConfigError, loadConfig } from '../config';
import type { SweepReport } from '../domain/lending-ports';
import { deliverDue, type NotifierDeps, type NotifyReport } from './notify';
import { sweep } from './sweep';

/**
 * Scheduled Lambda entry point (infra/constructs/sweeper.ts): returns expired loans, lapses reservations and
 * advances hold queues (see ./sweep.ts), records the notices that fall due, and then sends the notice mails
 * that are due (./notify.ts) through Amazon SES. Config and clients are built once per cold start; a missing
 * variable fails the init. Mail is sent only where the stack gave it a sender (MAIL_FROM): then the links'
 * URLs and secret are required too.
 */
const config = loadConfig(process.env, 'sweeper');
const clock = { now: () => new Date() };
const documents = createDynamoClients(config).documents;
const logger = new Logger({ serviceName: 'pustaka', logLevel: config.LOG_LEVEL });
const notifications = new DynamoNotificationRepository(documents, config.TABLE_NAME, clock);
/**
 * The catalogue index snapshot (functions/adapters/catalogue-index.ts) is rebuilt here, off the request path,
 * when the stack gives the sweeper the content bucket.
 */
function catalogueSnapshotOf(): (() => Promise<unknown>) | undefined {
  if (!config.CONTENT_BUCKET) return undefined;
  // Signed with the function's role credentials from the environment, as the API signs its links.
  const links = createPresigner({
    bucket: config.CONTENT_BUCKET,
    region: config.AWS_REGION,
    credentials: {
      accessKeyId: config.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: config.AWS_SECRET_ACCESS_KEY ?? '',
      ...(config.AWS_SESSION_TOKEN ? { sessionToken: config.AWS_SESSION_TOKEN } : {}),
    },
  });
  const snapshots = s3CatalogueSnapshots(links, { timeoutMs: 30_000 });
  const source = new DynamoTitleRepository(documents, config.TABLE_NAME);
  return () => refreshCatalogueSnapshot({ source, snapshots, clock });
}
const catalogueSnapshot = catalogueSnapshotOf();
const deps = {
  lending: new DynamoLendingRepository(documents, config.TABLE_NAME, clock),
  notifications,
  logger,
  ...(catalogueSnapshot ? { catalogueSnapshot } : {}),
};

function notifierOf(): NotifierDeps | undefined {
  if (config.MODE !== 'aws' || process.env.MAIL_FROM === undefined) return undefined;
  const missing = (['WEB_ORIGIN', 'PUBLIC_API_URL', 'PSEUDONYM_SECRET_ARN'] as const).filter(
    (name) => !config[name],
  );
  if (missing.length > 0)
    throw new ConfigError(`Invalid configuration: MAIL_FROM needs ${missing.join(', ')} (mail links)`);
  return {
    notifications,
    patrons: new DynamoPatronRepository(documents, config.TABLE_NAME),
    titles: new DynamoTitleRepository(documents, config.TABLE_NAME),
    mail: sesTransport({
      region: config.AWS_REGION,
      from: config.MAIL_FROM,
      ...(config.SES_CONFIGURATION_SET ? { configurationSet: config.SES_CONFIGURATION_SET } : {}),
    }),
    mailLinks: hmacMailLinks(
      secretsManagerPseudonymSecret(
        config.PSEUDONYM_SECRET_ARN!,
        config.AWS_REGION,
        dependencyTimeouts(config),
      ),
      clock,
    ),
    clock,
    logger,
    appUrl: config.WEB_ORIGIN!,
    apiUrl: config.PUBLIC_API_URL!,
    timeZone: config.LIBRARY_TIME_ZONE,
  };
}
const notifier = notifierOf();

export const handler = async (): Promise<SweepReport & { mail?: NotifyReport }> => {
  const report = await sweep(deps);
  return notifier ? { ...report, mail: await deliverDue(notifier) } : report;
};
