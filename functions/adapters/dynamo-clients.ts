import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config';
import {
  dependencyTimeouts,
  reportUnavailable,
  sdkClientOptions,
  type TimeoutConfig,
} from './dependency-timeouts';

/**
 * The DynamoDB clients, apart from S3's: the API functions need only these (content is reached through signed
 * links), so their bundles leave @aws-sdk/client-s3 out. Created once per process and injected.
 */
export interface DynamoClients {
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
}

/** Fixed credentials for the local emulators: DynamoDB Local and s3rver accept any, AWS never sees these. */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export function createDynamoClients(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT' | 'MODE'> & TimeoutConfig,
): DynamoClients {
  const dynamo = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    ...(config.MODE === 'local' ? { credentials: localCredentials } : {}),
    ...sdkClientOptions(dependencyTimeouts(config)),
  });
  // The document client shares this middleware stack, so its calls are covered too.
  reportUnavailable(dynamo, 'dynamodb');
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { dynamo, documents };
}
