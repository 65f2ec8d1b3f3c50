import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { loadConfig, type Config } from '../config';
import { createAwsClients, type AwsClients } from '../adapters/aws-clients';
import { S3ContentStore } from '../adapters/content-store';
import { ensureBucket, ensureTable } from '../adapters/table-admin';
import { createDepsWithPartnerAccess } from '../handlers/partner-composition';
import { startSweepTimer } from '../application/sweep';
import { createPublishing } from '../handlers/publishing';
import { createApp } from '../http/app';
import { problemContentType, problemDocument } from '../http/problem';
import { readerContentSecurityPolicy } from '../http/reader-csp';
import { compressibleType, siteCacheControl } from '../http/site-caching';
import type { AppDeps } from '../http/deps';
import { createGatewayServer, listen } from './http-server';
import { portTakenOr, startDynamoLocal, startS3Emulator, type RunningEmulator } from './emulators';
import { seedSampleLibrary, type SeedReport } from './seed';
import { ensureLocalSigningKeys } from './signing-keys';
import { ensurePseudonymSecretFile } from '../adapters/pseudonyms';
import { startDemoUniversity, type DemoUniversity } from './demo-university';
import { startMailServer, type LocalMailServer } from './mail-server';
import { mountMailbox } from './mailbox-page';
import { smtpTransport } from '../adapters/mail-transport';
import { startNotifyTimer } from '../application/notify';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultFixturesDir = resolve(repoRoot, '../shared/fixtures');
export const webDist = join(repoRoot, 'web/dist');

export interface LocalGatewayOptions {
  env?: Record<string, string | undefined>;
  /** Where the sample library comes from; skipped when the folder does not exist. */
  fixturesDir?: string;
  /** Build web/ before serving it (npm start does; API-only tests don't need to). */
  buildWeb?: boolean;
  log?: (line: string) => void;
}

export interface LocalGateway {
  url: string;
  config: Config;
  clients: AwsClients;
  deps: AppDeps;
  seed: SeedReport;
  /** The demo university's OpenID Provider and partner record (campus sign-in), when campus sign-in is on. */
  demoUniversity: DemoUniversity | undefined;
  /** The SMTP server that stands in for Amazon SES; its mailbox is at /dev/mail. */
  mail: LocalMailServer;
  timings: Record<string, number>;
  stop(): Promise<void>;
}

type GatewayFetch = Parameters<typeof createGatewayServer>[0];

const whileStarting: GatewayFetch = () =>
  new Response(
    JSON.stringify(
      problemDocument(503, 'SERVICE_UNAVAILABLE', 'The gateway is still starting. Try again shortly.'),
    ),
    {
      status: 503,
      headers: {
        'Content-Type': problemContentType,
        'X-Content-Type-Options': 'nosniff',
        'Retry-After': '2',
      },
    },
  );

/** Listens on `port` (0: a free one) and answers with the port, or names the port when it is taken. */
async function listenOn(server: Server, port: number, hostname: string): Promise<number> {
  try {
    return (await listen(server, port, hostname)).port;
  } catch (error) {
    throw portTakenOr(error, port);
  }
}

async function buildWebApp(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'web/vite.config.ts'), logLevel: 'warn' });
}

/**
 * The embedded stack behind `npm start`: DynamoDB Local and the S3 emulator with their data in DATA_DIR,
 * the table and bucket, signing keys, the sample library, and the web app and API on one origin.
 */
export async function startLocalGateway(options: LocalGatewayOptions = {}): Promise<LocalGateway> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => (timings[name] = Math.round(performance.now() - started));
  const base = loadConfig({ ...(options.env ?? process.env), MODE: 'local' });
  const dataDir = resolve(base.DATA_DIR);
  const hostname = process.env.HOST ?? '127.0.0.1';
  // The gateway's port is held from the first moment (a port only checked free and bound later, after the
  // emulators and the seed, can be taken in between by anything else on the machine). Until the app is ready
  // every request gets a quick 503 saying so.
  let serve: GatewayFetch = whileStarting;
  const server: Server = createGatewayServer((request, env) => serve(request, env), { hostname });
  const port = await listenOn(server, base.PORT, hostname);

  const running: RunningEmulator[] = [];
  let stopSweeper: (() => Promise<void>) | undefined;
  let demoUniversity: DemoUniversity | undefined;
  let stopNotifier: (() => Promise<void>) | undefined;
  let mail: LocalMailServer | undefined;
  const stop = async () => {
    await stopSweeper?.();
    await stopNotifier?.();
    await mail?.stop();
    await demoUniversity?.stop();
    if (server.listening) await new Promise<void>((done) => server.close(() => done()));
    await Promise.allSettled(running.reverse().map((emulator) => emulator.stop()));
  };

  try {
    const [dynamo, s3, mailServer] = await Promise.all([
      startDynamoLocal({ dataDir: join(dataDir, 'dynamodb') }),
      startS3Emulator({ dataDir: join(dataDir, 's3') }),
      startMailServer(),
    ]);
    running.push(dynamo, s3);
    mail = mailServer;
    mark('emulators');
    const config = loadConfig({
      ...(options.env ?? process.env),
      MODE: 'local',
      PORT: String(port),
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: s3.endpoint,
    });
    const url = `http://localhost:${port}`;
    const clients = createAwsClients(config);
    await ensureTable(clients.dynamo, config.TABLE_NAME);
    await ensureBucket(clients.s3, config.CONTENT_BUCKET, [url, `http://127.0.0.1:${port}`]);
    ensureLocalSigningKeys(config.DATA_DIR);
    ensurePseudonymSecretFile(config.DATA_DIR);
    mark('storage');

    const deps = {
      ...createDepsWithPartnerAccess(config, clients),
      publishing: createPublishing(clients.s3, config.CONTENT_BUCKET),
    };
    const content = new S3ContentStore(clients.s3, config.CONTENT_BUCKET);
    const fixturesDir = options.fixturesDir ?? defaultFixturesDir;
    // The samples the project ships are seeded either way (see seed.ts); the fixtures only when they are there.
    const sourceDir = fixturesDir;
    if (!existsSync(fixturesDir))
      log(`No fixtures at ${fixturesDir}: seeding only the samples the project ships.`);
    const seed = await seedSampleLibrary(
      {
        titles: deps.titles,
        patrons: deps.patrons,
        content,
        clock: deps.clock,
        lending: deps.lending,
        notifications: deps.notifications,
        programmes: deps.programmes,
        collections: deps.collections,
      },
      sourceDir,
    );
    log(
      `Sample library: ${seed.titles.created.length} titles added, ${seed.titles.existing.length} already there.`,
    );
    if (deps.campus && deps.partnerSecrets) {
      const university = { partners: deps.partners, partnerSecrets: deps.partnerSecrets, clock: deps.clock };
      const demo = { redirectUri: deps.campus.redirectUri, titleIds: seed.titleIds };
      // Next to the gateway's port when it is free, so the issuer (and members' pseudonyms) stay put.
      demoUniversity = await startDemoUniversity(university, {
        ...demo,
        port: base.PORT === 0 ? 0 : port + 1,
      }).catch(() => startDemoUniversity(university, { ...demo, port: 0 }));
    }
    mark('seed');

    if (options.buildWeb) await buildWebApp();
    mark('web');

    const api = createApp(deps);
    const root = new Hono();
    const csp = readerContentSecurityPolicy(new URL(s3.endpoint).origin);
    root.use('*', async (c, next) => {
      await next();
      // The web app's files too: a script or stylesheet is never run as anything but its declared type.
      c.res.headers.set('X-Content-Type-Options', 'nosniff');
      // The web app's pages get the strict CSP; API answers are JSON and keep their own headers.
      if (c.res.headers.get('content-type')?.startsWith('text/html')) {
        c.res.headers.set('Content-Security-Policy', csp);
        c.res.headers.set('Referrer-Policy', 'no-referrer');
        c.res.headers.set('X-Frame-Options', 'DENY');
      }
    });
    // Text goes out gzipped over a slow link, as CloudFront sends it (compress: true on the distribution).
    root.use('*', compress({ contentTypeFilter: compressibleType }));
    mountMailbox(root, mailServer);
    // The reader asks where the API is (CloudFront serves {apiBaseUrl: <HTTP API>}); here it is this origin.
    root.get('/config.json', (c) => c.json({ apiBaseUrl: '' }, 200, { 'Cache-Control': 'no-cache' }));
    if (existsSync(webDist)) {
      // The build's `.br` / `.gz` twins (web/vite.config.ts) go out as `Content-Encoding: br` or `gzip` when the
      // browser accepts them: brotli at its best quality, which compressing on the fly could not afford.
      const files = serveStatic({ root: relative(process.cwd(), webDist), precompressed: true });
      root.use('*', async (c, next) => {
        let passedOn = false;
        const response = await files(c, () => ((passedOn = true), next()));
        if (passedOn || !(response instanceof Response)) return;
        response.headers.set('Cache-Control', siteCacheControl(c.req.path));
        return response;
      });
    }
    // The node bindings (the socket) go along: campus access reads the peer address from them.
    root.all('*', (c) => api.fetch(c.req.raw, c.env));
    serve = root.fetch;
    mark('listening');
    stopSweeper = startSweepTimer(deps, config.SWEEP_INTERVAL_SECONDS * 1000);
    stopNotifier = startNotifyTimer(
      {
        notifications: deps.notifications,
        patrons: deps.patrons,
        titles: deps.titles,
        mail: smtpTransport({ host: mailServer.host, port: mailServer.port, from: config.MAIL_FROM }),
        // Local mode always has the pseudonym secret file (ensurePseudonymSecretFile above).
        mailLinks: deps.mailLinks!,
        clock: deps.clock,
        logger: deps.logger,
        // The gateway serves both the app and the API here: links in mails go to where it listens.
        appUrl: url,
        apiUrl: url,
        timeZone: config.LIBRARY_TIME_ZONE,
      },
      config.NOTIFY_INTERVAL_SECONDS * 1000,
    );
    return { url, config, clients, deps, seed, demoUniversity, mail: mailServer, timings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
