import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';

export interface AwsClients {
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
}

/** Fixed credentials for the local emulators: DynamoDB Local and s3rver accept any, AWS never sees these. */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * The SDK clients, created once per process (module scope in handlers) and injected everywhere.
 * One code path: locally they get an endpoint, on AWS they get none and use the default credential chain.
 */
export function createAwsClients(config: Config): AwsClients {
  const local = config.MODE === 'local';
  const requestHandler = { connectionTimeout: 2_000, requestTimeout: 10_000 };
  const dynamo = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    ...(local ? { credentials: localCredentials } : {}),
    requestHandler,
  });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const s3 = new S3Client({
    region: config.AWS_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}),
    ...(local ? { credentials: localCredentials } : {}),
    requestHandler,
  });
  return { dynamo, documents, s3 };
}
