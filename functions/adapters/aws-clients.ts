import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';
import { dependencyTimeouts, reportUnavailable, sdkClientOptions } from './dependency-timeouts';
import { createDynamoClients, localCredentials, type DynamoClients } from './dynamo-clients';

export { localCredentials };

export interface AwsClients extends DynamoClients {
  s3: S3Client;
}

/**
 * The SDK clients, created once per process (module scope in handlers) and injected everywhere.
 * One code path: locally they get an endpoint, on AWS they get none and use the default credential chain.
 * The API itself needs only the DynamoDB ones (./dynamo-clients.ts); S3's is for local mode, seeding and tests.
 */
export function createAwsClients(config: Config): AwsClients {
  const s3 = new S3Client({
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
    ...(config.MODE === 'local'
      ? {
          credentials: localCredentials,
          // The S3 emulator does not understand flexible checksums: with them the SDK sends a streamed body
          // `aws-chunked` (chunk sizes and a CRC trailer inside the body) and s3rver stores those bytes as the
          // object, so every seeded book came back corrupt. Checksums only where an operation requires them.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
    ...sdkClientOptions(dependencyTimeouts(config)),
  });
  reportUnavailable(s3, 's3');
  return { ...createDynamoClients(config), s3 };
}
