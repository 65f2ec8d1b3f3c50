import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket, ensureTable } from '../../functions/adapters/table-admin';
import { tableSchema } from '../../functions/adapters/table-schema';
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
