import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config';
import { createAwsClients, type AwsClients } from '../../functions/adapters/aws-clients';
import { ensureBucket, ensureTable } from '../../functions/adapters/table-admin';
import { createDeps } from '../../functions/handlers/api-composition';
import { createApp } from '../../functions/http/app';
import { startDynamoLocal, startS3Emulator, type RunningEmulator } from '../../functions/local/emulators';

// This file runs its own emulators, because it stops and restarts DynamoDB Local.
let dynamo: RunningEmulator;
let s3: RunningEmulator;
let clients: AwsClients;
let app: ReturnType<typeof createApp>;
const s3Dir = mkdtempSync(join(tmpdir(), 'pustaka-health-'));
const config = () =>
  loadConfig({
    MODE: 'local',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    S3_ENDPOINT: s3.endpoint,
    LOG_LEVEL: 'SILENT',
  });

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3Emulator({ dataDir: s3Dir })]);
  clients = createAwsClients(config());
  await ensureTable(clients.dynamo, config().TABLE_NAME);
  await ensureBucket(clients.s3, config().CONTENT_BUCKET, ['http://localhost']);
  app = createApp(createDeps(config(), clients));
});

afterAll(async () => {
  await Promise.allSettled([dynamo.stop(), s3.stop()]);
  rmSync(s3Dir, { recursive: true, force: true });
});

describe('GET /health', () => {
  it('is 200 when DynamoDB and S3 answer', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { dynamodb: 'up', s3: 'up' }, down: [] });
  });

  it('turns 503 naming DynamoDB when DynamoDB Local stops, and 200 again when it is back', async () => {
    // Prepare
    const port = dynamo.port;
    await dynamo.stop();
    // Act
    const started = Date.now();
    const down = await app.request('/health');
    const tookMs = Date.now() - started;
    // Assess
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'unavailable',
      checks: { dynamodb: 'down', s3: 'up' },
      down: ['dynamodb'],
    });
    expect(tookMs).toBeLessThan(10_000);

    // Prepare: the same port again, an in-memory instance needs its table back
    dynamo = await startDynamoLocal({ port });
    await ensureTable(clients.dynamo, config().TABLE_NAME);
    // Act
    const up = await app.request('/health');
    // Assess
    expect(up.status).toBe(200);
  });
});
