import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { createAwsClients, type AwsClients } from '../adapters/aws-clients';
import { dynamoCheck, s3Check } from '../adapters/content-store';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { DynamoTitleRepository } from '../adapters/title-repository';
import type { AppDeps } from '../http/deps';

export const systemClock = { now: () => new Date() };

/** Builds the real adapters over the given clients: the same code on AWS, in `npm start` and in tests. */
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
    checks: [dynamoCheck(clients.dynamo, config.TABLE_NAME), s3Check(clients.s3, config.CONTENT_BUCKET)],
  };
}
