import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStackError, startDynamoLocal, startS3Emulator } from '../../functions/local/emulators';

/** Something else listening on a port, as another program on the machine would. */
function occupy(): Promise<{ port: number; server: Server }> {
  return new Promise((ready) => {
    const server = createServer();
    server.listen(0, () => ready({ port: (server.address() as { port: number }).port, server }));
  });
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('the local emulators on a port that is taken', () => {
  it('DynamoDB Local: refuses with a clear error naming the port (Java could not bind it)', async () => {
    // Prepare
    const { port, server } = await occupy();
    cleanup.push(() => server.close());
    // Act
    const error = await startDynamoLocal({ port }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(LocalStackError);
    expect((error as Error).message).toContain(`Port ${port} is already in use`);
  }, 60_000);

  it('the S3 emulator: refuses with a clear error naming the port; with none given it takes a free one', async () => {
    // Prepare
    const { port, server } = await occupy();
    const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-s3-port-'));
    cleanup.push(
      () => server.close(),
      () => rmSync(dataDir, { recursive: true, force: true }),
    );
    // Act
    const error = await startS3Emulator({ port, dataDir }).catch((e: unknown) => e);
    const free = await startS3Emulator({ dataDir });
    cleanup.push(() => free.stop());
    const answer = await fetch(free.endpoint);
    // Assess
    expect(error).toBeInstanceOf(LocalStackError);
    expect((error as Error).message).toBe(
      `Port ${port} is already in use. Stop what uses it or set another port.`,
    );
    expect(free.port).not.toBe(0);
    expect(free.endpoint).toBe(`http://127.0.0.1:${free.port}`);
    expect(answer.status).toBe(200);
  }, 60_000);
});
