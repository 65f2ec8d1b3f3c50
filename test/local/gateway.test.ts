import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimPort } from '../../functions/local/emulators';
import { repoRoot, startLocalGateway } from '../../functions/local/gateway';
import { fixturesDir } from '../helpers/stack';
import { requireFixtures } from '../helpers/fixtures';

const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'functions/local/start.ts')], {
      cwd: repoRoot,
      env: { ...env, SKIP_WEB_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The first answer on `url`, asking again (on the next turn of the event loop) while nothing listens yet. */
async function firstAnswer(url: string): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((next) => setImmediate(next));
    }
  }
}

describe('the embedded local stack', () => {
  it.skipIf(!requireFixtures('serving the sample library'))(
    'starts, serves a healthy API and the sample library, and a second start reuses the data',
    async () => {
      // Act: first start on a fresh DATA_DIR
      const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'SILENT' };
      const first = await startLocalGateway({ env, fixturesDir });
      const health = await fetch(`${first.url}/health`);
      const firstList = (await (await fetch(`${first.url}/titles?limit=100`)).json()) as {
        data: { id: string }[];
      };
      await first.stop();

      // Act: second start on the same DATA_DIR
      const second = await startLocalGateway({ env, fixturesDir });
      const secondList = (await (await fetch(`${second.url}/titles?limit=100`)).json()) as {
        data: { id: string }[];
      };
      await second.stop();

      // Assess
      expect(health.status).toBe(200);
      expect(first.seed?.titles.created.length).toBeGreaterThan(0);
      expect(second.seed?.titles.created).toEqual([]);
      expect(second.seed?.patrons.created).toEqual([]);
      expect(secondList.data.map((t) => t.id).sort()).toEqual(firstList.data.map((t) => t.id).sort());
    },
    180_000,
  );

  it('holds its port from the first moment: while it starts, requests get a quick 503 saying so', async () => {
    // Prepare: a port known before the start, and a data folder of its own
    const ownData = mkdtempSync(join(tmpdir(), 'pustaka-early-'));
    const port = await claimPort();
    const env = { DATA_DIR: ownData, PORT: String(port), LOG_LEVEL: 'SILENT' };
    // Act: start, and ask the port for the health check while the emulators are still coming up
    const starting = startLocalGateway({ env, fixturesDir: join(ownData, 'no-fixtures') });
    let settled = false;
    void starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    const early = await firstAnswer(`http://127.0.0.1:${port}/health`);
    const earlyWhileStarting = !settled;
    const gateway = await starting;
    const ready = await fetch(`${gateway.url}/health`);
    await gateway.stop();
    rmSync(ownData, { recursive: true, force: true });
    // Assess
    expect(earlyWhileStarting).toBe(true);
    expect(early.status).toBe(503);
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    expect(early.headers.get('retry-after')).toBe('2');
    expect(early.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await early.json()) as { code: string }).code).toBe('SERVICE_UNAVAILABLE');
    expect(gateway.url).toBe(`http://localhost:${port}`);
    expect(ready.status).toBe(200);
  }, 120_000);

  it('stops everything it started on SIGTERM: no Java process is left behind', async () => {
    // Prepare
    const ownData = mkdtempSync(join(tmpdir(), 'pustaka-sigterm-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'functions/local/start.ts')], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: ownData, PORT: '0', SKIP_WEB_BUILD: '1', LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, fail) => {
      let output = '';
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready in')) ready();
      });
      // What went wrong, if it does, is written to stderr: part of the failure's message.
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', (code) => fail(new Error(`exited early with ${code}: ${output}`)));
    });
    const javaRunning = () => spawnSync('pgrep', ['-f', ownData]).status === 0;
    expect(javaRunning()).toBe(true);
    // Act
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    const code = await exited;
    // Assess
    expect(code).toBe(0);
    expect(javaRunning()).toBe(false);
    rmSync(ownData, { recursive: true, force: true });
  }, 120_000);

  it('exits non-zero with a clear message when java is missing', async () => {
    // Prepare: a PATH with node but without java
    const bin = mkdtempSync(join(tmpdir(), 'pustaka-bin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { PATH: bin, DATA_DIR: dataDir, PORT: '0' };
    // Act
    const { code, output } = await runStart(env);
    // Assess
    expect(code).not.toBe(0);
    expect(output).toMatch(/Java 17\+ is required/);
    expect(output).toContain(`Node.js ${process.version}`);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);

  it('exits non-zero with a clear message when the port is taken', async () => {
    // Prepare
    const blocker: Server = createServer();
    const port = await new Promise<number>((ready) =>
      blocker.listen(0, '127.0.0.1', () => ready((blocker.address() as { port: number }).port)),
    );
    // Act
    const { code, output } = await runStart({
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
    });
    blocker.close();
    // Assess
    expect(code).not.toBe(0);
    expect(output).toContain(`Port ${port} is already in use`);
  }, 60_000);
});
