import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal, startS3Emulator } from '../../functions/local/emulators';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

/** One DynamoDB Local (in memory) and one S3 emulator for the whole run; each test file gets its own table and bucket. */
export default async function setup(project: TestProject) {
  console.log(`tests: Node.js ${process.version}`);
  const s3Dir = mkdtempSync(join(tmpdir(), 'pustaka-s3-'));
  const [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3Emulator({ dataDir: s3Dir })]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.allSettled([dynamo.stop(), s3.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
  };
}
