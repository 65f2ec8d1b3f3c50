import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../functions/config';
import { createAwsClients, type AwsClients } from '../../functions/adapters/aws-clients';
import { S3ContentStore } from '../../functions/adapters/content-store';
import { ensureBucket, ensureTable } from '../../functions/adapters/table-admin';
import type { DepsOptions } from '../../functions/handlers/api-composition';
import { createDepsWithPartnerAccess } from '../../functions/handlers/partner-composition';
import { renderCoverWithSharp } from '../../functions/adapters/cover-images';
import { createPublishing } from '../../functions/handlers/publishing';
import { createApp } from '../../functions/http/app';
import type { AppDeps } from '../../functions/http/deps';
import { generousTimeouts } from './timeouts';

export interface TestStack {
  config: Config;
  clients: AwsClients;
  deps: AppDeps;
  content: S3ContentStore;
  app: ReturnType<typeof createApp>;
  destroy(): Promise<void>;
}

/**
 * A fresh table and bucket on the shared emulators, with the real adapters and the real app over them.
 * `env` overrides configuration; `adjust` may swap parts of the deps (e.g. a fake clock) before the app is built.
 */
export async function createTestStack(
  options: {
    env?: Record<string, string>;
    adjust?: (deps: AppDeps) => AppDeps;
    /** A fake clock and a quicker retry policy for lending tests. */
    deps?: DepsOptions;
  } = {},
): Promise<TestStack> {
  const suffix = randomUUID().slice(0, 8);
  // Its own DATA_DIR, so signing keys are made fresh per test file and never land in the repository.
  const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-test-'));
  const config = loadConfig({
    MODE: 'local',
    DATA_DIR: dataDir,
    TABLE_NAME: `pustaka-test-${suffix}`,
    CONTENT_BUCKET: `pustaka-test-${suffix}`,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    S3_ENDPOINT: inject('s3Endpoint'),
    LOG_LEVEL: 'SILENT',
    ...generousTimeouts,
    ...options.env,
  });
  const clients = createAwsClients(config);
  await ensureTable(clients.dynamo, config.TABLE_NAME);
  await ensureBucket(clients.s3, config.CONTENT_BUCKET, ['http://localhost']);
  const baseDeps = {
    ...createDepsWithPartnerAccess(config, clients, options.deps),
    publishing: { ...createPublishing(clients.s3, config.CONTENT_BUCKET), renderCover: renderCoverWithSharp },
  };
  const deps = options.adjust ? options.adjust(baseDeps) : baseDeps;
  return {
    config,
    clients,
    deps,
    content: new S3ContentStore(clients.s3, config.CONTENT_BUCKET),
    app: createApp(deps),
    async destroy() {
      await clients.dynamo.send(new DeleteTableCommand({ TableName: config.TABLE_NAME })).catch(() => {});
      const listed = await clients.s3
        .send(new ListObjectsV2Command({ Bucket: config.CONTENT_BUCKET }))
        .catch(() => undefined);
      const objects = (listed?.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length) {
        await clients.s3.send(
          new DeleteObjectsCommand({ Bucket: config.CONTENT_BUCKET, Delete: { Objects: objects } }),
        );
      }
      await clients.s3.send(new DeleteBucketCommand({ Bucket: config.CONTENT_BUCKET })).catch(() => {});
      clients.dynamo.destroy();
      clients.s3.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { fixturesDir } from './fixtures';
