import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { createAwsClients, localCredentials, type AwsClients } from '../adapters/aws-clients';
import { createPresigner } from '../adapters/presigner';
import { dynamoCheck, s3Check } from '../adapters/content-store';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { DynamoTitleRepository } from '../adapters/title-repository';
import type { AppDeps } from '../http/deps';
import { localPseudonymSecret } from '../config';
import { createAssertionVerifier } from '../adapters/assertion-verifier';
import { DynamoPartnerRepository } from '../adapters/partner-repository';
import { hmacPseudonyms } from '../adapters/pseudonyms';
import { DynamoReplayGuard } from '../adapters/replay-guard';
import { DynamoUsageRecorder } from '../adapters/usage-recorder';
import { unavailableMemberSessions } from '../http/member-sessions';

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
  const pseudonymSecret = config.PSEUDONYM_SECRET ?? (config.MODE === 'local' ? localPseudonymSecret : undefined);
  return {
    config,
    logger,
    clock: systemClock,
    partners: new DynamoPartnerRepository(clients.documents, config.TABLE_NAME, systemClock),
    assertions: createAssertionVerifier({
      timeoutMs: config.JWKS_TIMEOUT_MS,
      cooldownMs: config.JWKS_COOLDOWN_MS,
      cacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
      clockToleranceSeconds: 30,
    }),
    replays: new DynamoReplayGuard(clients.documents, config.TABLE_NAME),
    pseudonyms: pseudonymSecret ? hmacPseudonyms(pseudonymSecret) : undefined,
    memberSessions: unavailableMemberSessions,
    usage: new DynamoUsageRecorder(clients.documents, config.TABLE_NAME),
    titles: new DynamoTitleRepository(clients.documents, config.TABLE_NAME),
    patrons: new DynamoPatronRepository(clients.documents, config.TABLE_NAME),
    links: linkSigner(config),
    checks: [dynamoCheck(clients.dynamo, config.TABLE_NAME), s3Check(clients.s3, config.CONTENT_BUCKET)],
  };
}
