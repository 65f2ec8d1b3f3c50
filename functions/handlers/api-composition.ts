import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config';
import { CatalogueIndexHolder, refreshCatalogueSnapshot } from '../adapters/catalogue-index';
import { s3CatalogueSnapshots } from '../adapters/catalogue-snapshots';
import { createDynamoClients, localCredentials, type DynamoClients } from '../adapters/dynamo-clients';
import { dependencyTimeouts } from '../adapters/dependency-timeouts';
import { contentLinkCheck, dynamoCheck } from '../adapters/health-checks';
import { DynamoAddressAttemptLimiter } from '../adapters/login-address-limiter';
import { DynamoLoginAttemptRepository } from '../adapters/login-attempt-repository';
import { DynamoPatronRepository } from '../adapters/patron-repository';
import { scryptPinVerifier } from '../adapters/pin-hasher';
import { createPresigner } from '../adapters/presigner';
import { DynamoReadingRepository } from '../adapters/reading-repository';
import { DynamoSessionRepository } from '../adapters/session-repository';
import { DynamoTitleRepository } from '../adapters/title-repository';
import { DynamoLendingRepository } from '../adapters/lending-repository';
import type { RetryPolicy } from '../adapters/transactions';
import { DynamoUsageRecorder } from '../adapters/usage-recorder';
import type { Clock } from '../domain/ports';
import { DynamoAuditLog } from '../adapters/audit-log';
import { DynamoAuditNames } from '../adapters/audit-names';
import { hashPin } from '../adapters/pin-hasher';
import { DynamoUploadRepository } from '../adapters/upload-repository';
import { fileKeySource, secretsManagerKeySource, type SigningKeySource } from '../adapters/signing-keys';
import { createTokenService } from '../adapters/token-service';
import type { AppDeps } from '../http/deps';
import { contractDocumentFile, problemMessagesFile } from '../adapters/bundled-files';
import { DynamoPartnerRepository } from '../adapters/partner-repository';
import {
  filePseudonymSecret,
  secretsManagerPseudonymSecret,
  type PseudonymSecretSource,
} from '../adapters/pseudonyms';
import { DynamoDatabaseUsage } from '../adapters/database-usage';
import { CountingUsageRecorder, DynamoCounterStore } from '../adapters/counter-store';
import { DynamoSushiCredentials } from '../adapters/sushi-credentials';
import { DynamoReadingSlots } from '../adapters/reading-slots';
import { filePartnerSecrets, secretsManagerPartnerSecrets } from '../adapters/partner-secrets';
import type { PartnerSecretStore } from '../domain/campus-sign-in';
import { DynamoNotificationRepository } from '../adapters/notification-repository';
import { hmacMailLinks } from '../adapters/mail-links';
import { DynamoProgrammeRepository } from '../adapters/programme-repository';
import {
  countingLoanStarts,
  DynamoCollectionRepository,
  DynamoLoanStartCounter,
} from '../adapters/collection-repository';
import { collectionGroupSource } from '../domain/collection';
import { DynamoSuggestionStore } from '../adapters/acquisition-store';
import type { IdSource } from '../domain/ids';
import { randomIds } from '../adapters/ids';
import { collectionKeys, objectKeys } from '../adapters/keys';
import { DynamoTitleListing } from '../adapters/title-listing';

export const systemClock = { now: () => new Date() };

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

/**
 * On AWS the keys are a Secrets Manager secret (loadConfig refuses MODE=aws without it); locally a file in
 * DATA_DIR. Read lazily, once.
 */
function signingKeys(config: Config): SigningKeySource {
  return config.SIGNING_KEYS_SECRET_ARN
    ? secretsManagerKeySource(config.SIGNING_KEYS_SECRET_ARN, config.AWS_REGION, dependencyTimeouts(config))
    : fileKeySource(config.DATA_DIR);
}

/**
 * The pseudonym secret: a Secrets Manager secret on AWS (patron API only; elsewhere federation is off), a file
 * in DATA_DIR locally. Read lazily, once.
 */
function pseudonymSecret(config: Config): PseudonymSecretSource | undefined {
  if (config.PSEUDONYM_SECRET_ARN) {
    return secretsManagerPseudonymSecret(
      config.PSEUDONYM_SECRET_ARN,
      config.AWS_REGION,
      dependencyTimeouts(config),
    );
  }
  return config.MODE === 'local' ? filePseudonymSecret(config.DATA_DIR) : undefined;
}

/** Partners' OIDC client secrets: Secrets Manager on AWS (when a prefix is configured), DATA_DIR locally. */
function partnerSecretStore(config: Config): PartnerSecretStore | undefined {
  if (config.PARTNER_SECRETS_PREFIX) {
    return secretsManagerPartnerSecrets(
      config.PARTNER_SECRETS_PREFIX,
      config.AWS_REGION,
      dependencyTimeouts(config),
    );
  }
  return config.MODE === 'local' ? filePartnerSecrets(config.DATA_DIR) : undefined;
}

/**
 * Builds the real adapters over the given clients: the same code on AWS, in `npm start` and in tests.
 * Only DynamoDB clients are needed: S3 is reached through signed links (reads, uploads, the health probe).
 */
export interface DepsOptions {
  /** Tests move time by hand; everything else uses the system clock. */
  clock?: Clock;
  /** Tests shorten the backoff of the lending transactions. */
  lendingRetry?: RetryPolicy;
  /** Tests may number new ids (test/helpers/ids.ts); everything else uses random UUIDs. */
  ids?: IdSource;
}

/** An API function's deps, and the secret sources the partner API's composition builds on. */
export interface ApiComposition {
  deps: AppDeps;
  /** The pseudonym secret (members' ids, mail links, the campus flow cookie's key); read once, lazily. */
  pseudonymSecret: PseudonymSecretSource | undefined;
  /** Partners' OIDC client secrets. */
  partnerSecrets: PartnerSecretStore | undefined;
}

/**
 * What every API function builds. Partner members' sign-in (`federation`, `campus`) is left unset here: only
 * the partner API's composition adds it (./partner-composition.ts), so neither the patron nor the librarian API
 * bundles the OpenID relying party or the federation's key-set checks.
 */
export function composeApi(
  config: Config,
  clients: DynamoClients = createDynamoClients(config),
  options: DepsOptions = {},
): ApiComposition {
  const logger = new Logger({
    serviceName: 'pustaka',
    logLevel: config.LOG_LEVEL,
  });
  const clock = options.clock ?? systemClock;
  const titles = new DynamoTitleRepository(clients.documents, config.TABLE_NAME);
  const pseudonymSource = pseudonymSecret(config);
  const links = linkSigner(config);
  const counter = new DynamoCounterStore(clients.documents, config.TABLE_NAME, logger);
  const partnerSecrets = partnerSecretStore(config);
  const collections = new DynamoCollectionRepository(clients.documents, config.TABLE_NAME);
  const loanStarts = new DynamoLoanStartCounter(clients.documents, config.TABLE_NAME, logger);
  const usage = new CountingUsageRecorder(
    new DynamoUsageRecorder(clients.documents, config.TABLE_NAME, logger),
    counter,
  );
  const snapshots = s3CatalogueSnapshots(links, { timeoutMs: config.DEPENDENCY_REQUEST_TIMEOUT_MS * 4 });
  const deps: AppDeps = {
    config,
    logger,
    clock,
    titles,
    catalogue: new CatalogueIndexHolder(titles, clock, {
      snapshots,
      warn: (message, details) => logger.warn(message, details),
    }),
    catalogueSnapshot: () => refreshCatalogueSnapshot({ source: titles, snapshots, clock }),
    reading: new DynamoReadingRepository(clients.documents, config.TABLE_NAME),
    programmes: new DynamoProgrammeRepository(clients.documents, config.TABLE_NAME),
    partners: new DynamoPartnerRepository(clients.documents, config.TABLE_NAME, clock),
    federation: undefined,
    campus: undefined,
    partnerSecrets,
    readingSlots: new DynamoReadingSlots(clients.documents, config.TABLE_NAME),
    databaseUsage: new DynamoDatabaseUsage(clients.documents, config.TABLE_NAME, logger),
    patrons: new DynamoPatronRepository(clients.documents, config.TABLE_NAME),
    links,
    lending: countingLoanStarts(
      new DynamoLendingRepository(clients.documents, config.TABLE_NAME, clock, options.lendingRetry),
      loanStarts,
      clock,
      usage,
    ),
    usage,
    counter,
    dailyUsage: counter,
    sushiCredentials: new DynamoSushiCredentials(clients.documents, config.TABLE_NAME),
    tokens: createTokenService({
      issuer: config.TOKEN_ISSUER,
      audience: config.TOKEN_AUDIENCE,
      keys: signingKeys(config),
    }),
    sessions: new DynamoSessionRepository(clients.documents, config.TABLE_NAME),
    loginAttempts: new DynamoLoginAttemptRepository(clients.documents, config.TABLE_NAME),
    loginAddresses: new DynamoAddressAttemptLimiter(clients.documents, config.TABLE_NAME, {
      maxAttempts: config.LOGIN_ATTEMPTS_PER_ADDRESS,
      windowSeconds: config.LOGIN_ADDRESS_WINDOW_SECONDS,
    }),
    pins: scryptPinVerifier,
    checks: [dynamoCheck(clients.dynamo, config.TABLE_NAME), contentLinkCheck(links)],
    uploads: new DynamoUploadRepository(clients.documents, config.TABLE_NAME),
    audit: new DynamoAuditLog(clients.documents, config.TABLE_NAME),
    auditNames: new DynamoAuditNames(clients.documents, config.TABLE_NAME),
    notifications: new DynamoNotificationRepository(clients.documents, config.TABLE_NAME, clock),
    mailLinks: pseudonymSource ? hmacMailLinks(pseudonymSource, clock) : undefined,
    hashPin,
    collections,
    loanStarts,
    collectionGroups: collectionGroupSource(collections, clock),
    // A programme restricted to a collection takes the collection's titles when it is created.
    programmeCollections: { titleIdsOf: async (id) => (await collections.get(id))?.titleIds },
    suggestions: new DynamoSuggestionStore(clients.documents, config.TABLE_NAME),
    ids: options.ids ?? randomIds,
    objectKeys: { ...objectKeys, collectionCover: collectionKeys.coverObject },
    titleList: new DynamoTitleListing(clients.documents, config.TABLE_NAME),
    contractDocument: contractDocumentFile(),
    problemMessages: problemMessagesFile(),
  };
  return { deps, pseudonymSecret: pseudonymSource, partnerSecrets };
}

/** The patron and librarian APIs' deps (./api.ts, ./admin.ts): see composeApi. */
export const createDeps = (config: Config, clients?: DynamoClients, options?: DepsOptions): AppDeps =>
  composeApi(config, clients, options).deps;
