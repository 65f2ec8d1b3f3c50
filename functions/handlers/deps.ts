import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { createAwsClients, localCredentials, type AwsClients } from '../adapters/aws-clients';
import { createPresigner } from '../adapters/presigner';
import { dynamoCheck, s3Check } from '../adapters/content-store';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { DynamoTitleRepository } from '../adapters/title-repository';
import { DynamoLendingRepository } from '../adapters/lending-repository';
import type { RetryPolicy } from '../adapters/transactions';
import { DynamoUsageRecorder } from '../adapters/usage-recorder';
import type { Clock } from '../domain/ports';
import type { AppDeps } from '../http/deps';

export const systemClock = { now: () => new Date() };

/** Builds the real adapters over the given clients: the same code on AWS, in `npm start` and in tests. */
/** Local mode signs with the emulator's keys; on Lambda with the role credentials from the environment. */
function linkSigner(config: Config) {
  const credentials =
    config.MODE === 'local'
      ? localCredentials
      : {
          accessKeyId: config.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: config.AWS_SECRET_ACCESS_KEY ?? '',
          ...(config.AWS_SESSION_TOKEN ? { sessionToken: config.AWS_SESSION_TOKEN } : {}),
        };
  return createPresigner({
    bucket: config.CONTENT_BUCKET,
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
    credentials,
  });
}

export interface DepsOptions {
  /** Tests move time by hand; everything else uses the system clock. */
  clock?: Clock;
  /** Tests shorten the backoff of the lending transactions. */
  lendingRetry?: RetryPolicy;
}

export function createDeps(
  config: Config,
  clients: AwsClients = createAwsClients(config),
  options: DepsOptions = {},
): AppDeps {
  const logger = new Logger({
    serviceName: 'pustaka',
    logLevel: config.LOG_LEVEL,
  });
  const clock = options.clock ?? systemClock;
  return {
    config,
    logger,
    clock,
    titles: new DynamoTitleRepository(clients.documents, config.TABLE_NAME),
    patrons: new DynamoPatronRepository(clients.documents, config.TABLE_NAME),
    links: linkSigner(config),
    lending: new DynamoLendingRepository(clients.documents, config.TABLE_NAME, clock, options.lendingRetry),
    usage: new DynamoUsageRecorder(clients.documents, config.TABLE_NAME, logger),
    checks: [dynamoCheck(clients.dynamo, config.TABLE_NAME), s3Check(clients.s3, config.CONTENT_BUCKET)],
  };
}
