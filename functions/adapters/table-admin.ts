import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { tableSchema } from './table-schema';

/**
 * Creating a table or an index on a DynamoDB Local that has just started (a cold JVM, a busy machine) can take
 * far longer than a data call may (DEPENDENCY_REQUEST_TIMEOUT_MS); these calls run at start-up, outside any
 * request, so they get a generous time of their own.
 */
const controlPlane = { requestTimeout: 30_000 };

/** Local mode and tests only: on AWS the CDK stack owns the table and the bucket. */
export async function ensureTable(
  dynamo: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existing'> {
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }), controlPlane);
    await addMissingIndexes(
      dynamo,
      tableName,
      new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)),
    );
    return 'existing';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keyNames = new Set<string>([tableSchema.partitionKey, tableSchema.sortKey]);
  for (const index of tableSchema.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  await dynamo
    .send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: stringAttributes(keyNames),
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map(indexDefinition),
      }),
      controlPlane,
    )
    .catch((error: unknown) => {
      // Created meanwhile: by another process starting on the same DATA_DIR, or by the SDK's own retry of this
      // very request after an attempt that timed out. Either way it exists; wait for it below.
      if (!(error instanceof ResourceInUseException)) throw error;
    });
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60 }, { TableName: tableName });
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
    }),
    controlPlane,
  );
  return 'created';
}

const stringAttributes = (names: Iterable<string>): AttributeDefinition[] =>
  [...names].map((name) => ({ AttributeName: name, AttributeType: 'S' }));

const indexDefinition = (index: (typeof tableSchema.globalSecondaryIndexes)[number]) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/**
 * A table made by an earlier version (a DATA_DIR kept across upgrades) gets the indexes added since, one
 * at a time as DynamoDB requires; items written before carry no keys for them and simply do not appear.
 */
async function addMissingIndexes(
  dynamo: DynamoDBClient,
  tableName: string,
  present: Set<string | undefined>,
) {
  for (const index of tableSchema.globalSecondaryIndexes) {
    if (present.has(index.indexName)) continue;
    await dynamo.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: stringAttributes([index.partitionKey, index.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
      }),
      controlPlane,
    );
    await waitForActiveIndexes(dynamo, tableName);
  }
}

/** A new index is built over the existing items first; writes during that fail, so wait until it is ACTIVE. */
async function waitForActiveIndexes(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }), controlPlane);
    const building = (Table?.GlobalSecondaryIndexes ?? []).filter((index) => index.IndexStatus !== 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && building.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName}: indexes still building after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The CORS rules the reader needs on the content bucket (ranged reads by pdf.js, PUT uploads). */
export const contentCorsRules = (origins: string[]) => [
  {
    AllowedOrigins: origins,
    AllowedMethods: ['GET', 'HEAD', 'PUT'],
    AllowedHeaders: ['Range', 'Content-Type', 'Content-MD5', 'If-None-Match'],
    ExposeHeaders: ['Accept-Ranges', 'Content-Range', 'Content-Length', 'ETag'],
    MaxAgeSeconds: 3000,
  },
];

export async function ensureBucket(
  s3: S3Client,
  bucket: string,
  corsOrigins: string[],
): Promise<'created' | 'existing'> {
  let outcome: 'created' | 'existing' = 'existing';
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }), controlPlane);
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }), controlPlane);
    outcome = 'created';
  }
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: { CORSRules: contentCorsRules(corsOrigins) },
    }),
    controlPlane,
  );
  return outcome;
}
