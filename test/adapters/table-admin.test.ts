import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket, ensureTable } from '../../functions/adapters/table-admin';
import { indexes, tableSchema } from '../../functions/adapters/table-schema';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(() => stack.destroy());

describe('local storage set-up', () => {
  it('creates the table from the one schema description, with its indexes and TTL, and leaves it alone next time', async () => {
    // Act
    const again = await ensureTable(stack.clients.dynamo, stack.config.TABLE_NAME);
    const { Table } = await stack.clients.dynamo.send(
      new DescribeTableCommand({ TableName: stack.config.TABLE_NAME }),
    );
    const ttl = await stack.clients.dynamo.send(
      new DescribeTimeToLiveCommand({ TableName: stack.config.TABLE_NAME }),
    );
    // Assess
    expect(again).toBe('existing');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      tableSchema.globalSecondaryIndexes.map((i) => i.indexName).sort(),
    );
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(tableSchema.ttlAttribute);
  });

  it('adds the indexes a table made by an earlier version lacks, keeping its items', async () => {
    // Prepare: a table from before gsi3, with an item in it
    const TableName = `${stack.config.TABLE_NAME}-old`;
    await stack.clients.dynamo.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: indexes.gsi1.indexName,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await stack.clients.documents.send(new PutCommand({ TableName, Item: { pk: 'KEEP', sk: 'ME' } }));
    try {
      // Act
      const result = await ensureTable(stack.clients.dynamo, TableName);
      const { Table } = await stack.clients.dynamo.send(new DescribeTableCommand({ TableName }));
      await stack.clients.documents.send(
        new PutCommand({ TableName, Item: { pk: 'NEW', sk: 'ITEM', gsi3pk: 'P', gsi3sk: '1' } }),
      );
      const viaNewIndex = await stack.clients.documents.send(
        new QueryCommand({
          TableName,
          IndexName: indexes.gsi3.indexName,
          KeyConditionExpression: 'gsi3pk = :p',
          ExpressionAttributeValues: { ':p': 'P' },
        }),
      );
      const kept = await stack.clients.documents.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'KEEP' },
        }),
      );
      // Assess
      expect(result).toBe('existing');
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
        tableSchema.globalSecondaryIndexes.map((i) => i.indexName).sort(),
      );
      expect(viaNewIndex.Items).toEqual([{ pk: 'NEW', sk: 'ITEM', gsi3pk: 'P', gsi3sk: '1' }]);
      expect(kept.Items).toHaveLength(1);
    } finally {
      await stack.clients.dynamo.send(new DeleteTableCommand({ TableName }));
    }
  });

  it('lets the reader make ranged cross-origin reads of the content bucket', async () => {
    // Prepare
    await ensureBucket(stack.clients.s3, stack.config.CONTENT_BUCKET, ['http://localhost:8787']);
    await stack.content.put('content/cors-probe.txt', new TextEncoder().encode('0123456789'), 'text/plain');
    const url = `${stack.config.S3_ENDPOINT}/${stack.config.CONTENT_BUCKET}/content/cors-probe.txt`;
    // Act
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:8787',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'range',
      },
    });
    const stranger = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    const ranged = await fetch(url, { headers: { Origin: 'http://localhost:8787', Range: 'bytes=2-5' } });
    // Assess
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('range');
    expect(stranger.status).toBe(403);
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('2345');
    expect(ranged.headers.get('access-control-allow-origin')).toBe('http://localhost:8787');
    expect(ranged.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });
});
