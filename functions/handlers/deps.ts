import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { createAwsClients, localCredentials, type AwsClients } from '../adapters/aws-clients';
import { createPresigner } from '../adapters/presigner';
import { dynamoCheck, s3Check } from '../adapters/content-store';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { DynamoTitleRepository } from '../adapters/title-repository';
import { DynamoAuditLog } from '../adapters/audit-log';
import { hashPin } from '../adapters/pin-hasher';
import { DynamoUploadRepository } from '../adapters/upload-repository';
import { S3UploadStore } from '../adapters/upload-store';
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

export function createDeps(config: Config, clients: AwsClients = createAwsClients(config)): AppDeps {
  const logger = new Logger({
    serviceName: 'pustaka',
    logLevel: config.LOG_LEVEL,
  });
  return {
    config,
    logger,
    clock: systemClock,
    titles: new DynamoTitleRepository(clients.documents, config.TABLE_NAME),
    patrons: new DynamoPatronRepository(clients.documents, config.TABLE_NAME),
    links: linkSigner(config),
    checks: [dynamoCheck(clients.dynamo, config.TABLE_NAME), s3Check(clients.s3, config.CONTENT_BUCKET)],
    uploads: new DynamoUploadRepository(clients.documents, config.TABLE_NAME),
    uploadStore: new S3UploadStore(clients.s3, config.CONTENT_BUCKET),
    audit: new DynamoAuditLog(clients.documents, config.TABLE_NAME),
    hashPin,
  };
}
