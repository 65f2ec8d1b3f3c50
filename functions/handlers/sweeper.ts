import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoClients } from '../adapters/dynamo-clients';
import { DynamoLendingRepository } from '../adapters/lending-repository';
import { loadConfig } from '../config';
import type { SweepReport } from '../domain/lending-ports';
import { sweep } from './sweep';

/**
 * Scheduled Lambda entry point (infra/constructs/sweeper.ts): returns expired loans, lapses reservations and
 * advances hold queues (see ./sweep.ts). Config and clients are built once per cold start; a missing variable
 * fails the init. It needs the table only (functions/config-variables.ts), so it builds the lending repository
 * and a logger rather than the APIs' deps.
 */
const config = loadConfig(process.env, 'sweeper');
const deps = {
  lending: new DynamoLendingRepository(createDynamoClients(config).documents, config.TABLE_NAME, {
    now: () => new Date(),
  }),
  logger: new Logger({ serviceName: 'pustaka', logLevel: config.LOG_LEVEL }),
};

export const handler = async (): Promise<SweepReport> => sweep(deps);
