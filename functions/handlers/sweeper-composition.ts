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
import type { NotifierDeps } from '../application/notify';
import type { SweepDeps } from '../application/sweep';
import { ConfigError, type ConfigFor } from '../config';

/** The sweeper's deps: only the table's repositories, clients and secrets a sweep and the notice mails use. */
export interface SweeperDeps {
  sweep: SweepDeps;
  /** Undefined where the stack gave the sweeper no sender (MAIL_FROM): then no mail is sent. */
  notifier: NotifierDeps | undefined;
}

/**
 * Builds what the scheduled sweeper (./sweeper.ts) uses, once per cold start: the lending repository, the
 * notifications, the catalogue snapshot and the mail; never the API's deps (functions/handlers/api-composition.ts).
 * Mail is sent only where the stack gave it a sender (`sendsMail`, MAIL_FROM set): then the links' URLs and
 * secret are required too, and a missing one fails the init.
 */
export function createSweeperDeps(
  config: ConfigFor<'sweeper'>,
  options: { sendsMail: boolean },
): SweeperDeps {
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

  function notifierOf(): NotifierDeps | undefined {
    if (config.MODE !== 'aws' || !options.sendsMail) return undefined;
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

  return {
    sweep: {
      lending: new DynamoLendingRepository(documents, config.TABLE_NAME, clock),
      notifications,
      logger,
      ...(catalogueSnapshot ? { catalogueSnapshot } : {}),
    },
    notifier: notifierOf(),
  };
}
