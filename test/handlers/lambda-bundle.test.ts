import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredOnAws, type LambdaFunctionName } from '../../functions/config-variables';
import {
  apiBundleAssets,
  cdkBundlingOptions,
  contractDocumentAsset,
  esbuildOptions,
  lambdaBundle,
  problemMessagesAsset,
} from '../../infra/constructs/bundling';
import { handlerEntry, repoRoot } from '../../infra/constructs/paths';
import { createPatron } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import { productionEnv, productionEnvWithout } from '../helpers/aws-env';

/**
 * The Lambda bundles, built exactly as NodejsFunction builds them, run in a plain `node` process from a
 * directory with no node_modules anywhere above it (as in /var/task): nothing the bundle leaves out can be
 * found by accident. Each invocation is one API Gateway HTTP API (v2) event through the exported handler.
 */

interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const work = mkdtempSync(path.join(tmpdir(), 'pustaka-lambda-bundle-'));
let stack: TestStack;

const bundledInputs = new Map<string, string[]>();

/**
 * Bundles a handler as NodejsFunction does, then runs the CDK bundling's afterBundling commands as CDK runs
 * them (the API functions': the OpenAPI document and the problem pages' messages copied beside index.mjs).
 */
async function bundle(name: 'api' | 'partner' | 'admin' | 'sweeper'): Promise<string> {
  const outfile = path.join(work, name, 'index.mjs');
  if (!existsSync(outfile)) {
    const built = await build({ ...esbuildOptions(handlerEntry(name), outfile), metafile: true });
    bundledInputs.set(name, Object.keys(built.metafile.inputs));
    if (name !== 'sweeper') {
      const hooks = cdkBundlingOptions(apiBundleAssets).commandHooks!;
      for (const command of hooks.afterBundling(repoRoot.replace(/\/$/, ''), path.dirname(outfile))) {
        const copied = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
        if (copied.status !== 0) throw new Error(`${command} failed: ${copied.stderr}`);
      }
    }
  }
  return outfile;
}

function httpApiEvent(method: string, rawPath: string, headers: Record<string, string>, body?: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'api.example.test', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '29/Nov/2026:17:00:00 +0000',
      timeEpoch: 1_795_971_600_000,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  };
}

/** Imports the bundle in a fresh node process (as Lambda does, with source maps on) and invokes it once. */
function invoke(
  outfile: string,
  event: ReturnType<typeof httpApiEvent>,
  env: Record<string, string>,
): LambdaResult {
  const runner = path.join(path.dirname(outfile), `invoke-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    runner,
    `import { handler } from './index.mjs';
const result = await handler(${JSON.stringify(event)}, { awsRequestId: 'request-1', getRemainingTimeInMillis: () => 10000 });
process.stdout.write('\\n@@result ' + JSON.stringify(result));`,
  );
  const run = spawnSync(process.execPath, [runner], {
    cwd: path.dirname(outfile),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_OPTIONS: '--enable-source-maps', ...env },
    timeout: 60_000,
    // The OpenAPI document is over a megabyte: more than spawnSync's default buffer
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('@@result '));
  if (run.status !== 0 || !line) {
    throw new Error(`invoking ${outfile} failed (${run.status}):\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(line.slice('@@result '.length)) as LambdaResult;
}

/** The function's configuration, pointed at this file's table and bucket on the emulators. */
function functionEnv(): Record<string, string> {
  const { config } = stack;
  return {
    MODE: 'local',
    DATA_DIR: config.DATA_DIR,
    TABLE_NAME: config.TABLE_NAME,
    CONTENT_BUCKET: config.CONTENT_BUCKET,
    DYNAMODB_ENDPOINT: config.DYNAMODB_ENDPOINT ?? '',
    S3_ENDPOINT: config.S3_ENDPOINT ?? '',
    AWS_REGION: config.AWS_REGION,
    LOG_LEVEL: 'SILENT',
  };
}

/** Imports the bundle in a fresh node process, as a Lambda init does: its exit status and stderr. */
function init(outfile: string, env: Record<string, string>): { status: number | null; error?: string } {
  const runner = path.join(path.dirname(outfile), `init-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(runner, `await import('./index.mjs');\nprocess.stdout.write('@@started');`);
  const run = spawnSync(process.execPath, [runner], {
    cwd: path.dirname(outfile),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_OPTIONS: '--enable-source-maps', ...env },
    timeout: 60_000,
  });
  expect(run.stdout.includes('@@started')).toBe(run.status === 0);
  // Node reports an uncaught error as `<class> [ConfigError]: <message>` (the bundle renames classes); the
  // lines around it quote the bundle's source, so only the message line is taken.
  const error = /^\S+ \[(\w+)\]: (.*)$/m.exec(run.stderr);
  return { status: run.status, ...(error ? { error: `${error[1]}: ${error[2]}` } : {}) };
}

const awsEnv = { ...productionEnv, LOG_LEVEL: 'SILENT' };

const bundles = {
  patronApi: 'api',
  partnerApi: 'partner',
  librarianApi: 'admin',
  sweeper: 'sweeper',
} as const satisfies Record<LambdaFunctionName, string>;

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  await stack.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('the patron API bundle', () => {
  it('answers /health with DynamoDB and signed content links up', async () => {
    // Prepare
    const outfile = await bundle('api');
    // Act
    const result = invoke(outfile, httpApiEvent('GET', '/health', {}), functionEnv());
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      status: 'ok',
      checks: { dynamodb: 'up', s3: 'up' },
      down: [],
    });
  });

  it('signs a patron in (scrypt PIN check, EdDSA token) and refuses a bad body with a problem', async () => {
    // Prepare
    const outfile = await bundle('api');
    const { patron, pin } = await createPatron(stack);
    const login = (body: unknown) =>
      httpApiEvent('POST', '/auth/login', { 'content-type': 'application/json' }, JSON.stringify(body));
    // Act
    const signedIn = invoke(outfile, login({ cardNumber: patron.cardNumber, pin }), functionEnv());
    const refused = invoke(outfile, login({ cardNumber: patron.cardNumber }), functionEnv());
    // Assess
    expect(signedIn.statusCode).toBe(200);
    const body = JSON.parse(signedIn.body) as { accessToken: string; patron: { id: string } };
    expect(body.patron.id).toBe(patron.id);
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('leaves out the credential providers Lambda never reaches, and nothing else', async () => {
    // Prepare
    const outfile = await bundle('api');
    // Act
    const code = readFileSync(outfile, 'utf8');
    const imports = [...code.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]);
    // Assess: the only modules the bundle loads from outside itself are Node built-ins and those providers
    const outside = imports.filter((name) => !name?.startsWith('node:'));
    expect(new Set(outside)).toEqual(new Set(lambdaBundle.credentialProvidersNeverReachedOnLambda));
  });

  it('serves the committed OpenAPI document, copied beside the bundle by the CDK bundling hook', async () => {
    // Prepare
    const outfile = await bundle('api');
    const committed = readFileSync(path.join(repoRoot, contractDocumentAsset), 'utf8');
    // Act
    const result = invoke(outfile, httpApiEvent('GET', '/openapi.json', {}), functionEnv());
    // Assess: the very document, not one generated in the function (the bundle carries no generator)
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toMatch(/^application\/(vnd\.oai\.openapi\+)?json/);
    expect(result.body).toBe(committed);
    expect(readFileSync(outfile, 'utf8')).not.toContain('OpenApiGeneratorV31');
  });

  it('serves the problem pages with the messages copied beside the bundle, which does not carry them', async () => {
    // Prepare
    const outfile = await bundle('api');
    const messages = JSON.parse(readFileSync(path.join(repoRoot, problemMessagesAsset), 'utf8')) as Record<
      string,
      { id: string; en: string }
    >;
    const indonesian = messages.LOAN_LIMIT_REACHED!.id;
    // Act
    const result = invoke(outfile, httpApiEvent('GET', '/problems/loan-limit-reached', {}), functionEnv());
    // Assess: the patron's message in the page, read from the copied file (not one bundled into index.mjs)
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain(escapeHtml(indonesian));
    expect(readFileSync(outfile, 'utf8')).not.toContain(indonesian);
    expect(bundledInputs.get('api')!.some((input) => input.endsWith('problem-messages.json'))).toBe(false);
  });

  it('validates with zod/mini: no module of classic zod is bundled', async () => {
    // Prepare
    await bundle('api');
    await bundle('admin');
    // Act
    const zodInputs = (name: string) =>
      (bundledInputs.get(name) ?? []).filter((input) => input.includes('node_modules/zod/'));
    // Assess: zod's core and mini are in; its classic API (500 KiB of methods on every schema) is not
    for (const name of ['api', 'admin']) {
      expect(zodInputs(name).some((input) => input.includes('/v4/mini/'))).toBe(true);
      expect(zodInputs(name).filter((input) => /\/v4\/classic\/|\/v3\//.test(input))).toEqual([]);
    }
  });

  it("carries neither the campus sign-in relying party nor the federation's key-set checks (the partner API does)", async () => {
    // Prepare
    const outfile = await bundle('api');
    // Act
    const inputs = bundledInputs.get('api')!;
    const code = readFileSync(outfile, 'utf8');
    // Assess: openid-client's own message, its packages and our adapters for them are all left out
    expect(code).not.toContain('discovered metadata issuer does not match the expected issuer');
    expect(inputs.filter((input) => /node_modules\/(openid-client|oauth4webapi)\//.test(input))).toEqual([]);
    expect(
      inputs.filter((input) =>
        /functions\/(adapters\/(campus-provider|assertion-verifier|replay-guard)|http\/routes\/(sushi|federation|campus-sign-in))\.ts$/.test(
          input,
        ),
      ),
    ).toEqual([]);
  });
});

describe('the partner API bundle', () => {
  it("answers SUSHI harvesters: /status publicly, an unknown requestor with COUNTER's Exception 2000 read from the table", async () => {
    // Prepare
    const outfile = await bundle('partner');
    const query = 'customer_id=library&requestor_id=nobody&api_key=not-a-key-at-all';
    // Act
    const status = invoke(outfile, httpApiEvent('GET', '/sushi/r51/status', {}), functionEnv());
    const members = invoke(
      outfile,
      { ...httpApiEvent('GET', '/sushi/r51/members', {}), rawQueryString: query },
      functionEnv(),
    );
    // Assess
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body)).toEqual([expect.objectContaining({ Service_Active: true })]);
    expect(members.statusCode).toBe(401);
    expect(JSON.parse(members.body)).toMatchObject({ Code: 2000 });
  });

  it('signs partner members in: a forged assertion is refused with a problem and its code', async () => {
    // Prepare
    const outfile = await bundle('partner');
    const body = JSON.stringify({
      assertion: 'eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJodHRwczovL25vd2hlcmUifQ.c2ln',
    });
    // Act
    const result = invoke(
      outfile,
      httpApiEvent('POST', '/auth/federated', { 'content-type': 'application/json' }, body),
      functionEnv(),
    );
    // Assess: the verifier and the pseudonym secret are wired (no 503): the unknown issuer is the answer
    expect(result.statusCode).toBe(401);
    expect(result.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body)).toMatchObject({ code: 'UNKNOWN_ISSUER' });
  });

  it('carries the campus sign-in relying party, and nothing of the local demo university', async () => {
    const code = readFileSync(await bundle('partner'), 'utf8');
    // openid-client's own message, and the demo provider's (oidc-provider) name and demo members
    expect(code).toContain('discovered metadata issuer does not match the expected issuer');
    expect(code).not.toContain('oidc-provider');
    expect(code).not.toContain('Universitas Contoh');
    expect(code).not.toContain('kampus-dosen');
  });

  it("serves none of the patron API's routes", async () => {
    // Prepare
    const outfile = await bundle('partner');
    // Act
    const titles = invoke(outfile, httpApiEvent('GET', '/titles', {}), functionEnv());
    // Assess: API Gateway never sends it /titles; were it to, it is a plain 404 problem
    expect(titles.statusCode).toBe(404);
    expect(JSON.parse(titles.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});

describe('the librarian API bundle', () => {
  it('serves a librarian (token checked, patron re-read) and refuses a patron', async () => {
    // Prepare
    const outfile = await bundle('admin');
    const librarian = await createPatron(stack, { roles: ['patron', 'librarian'] });
    const reader = await createPatron(stack);
    const list = (token: string) =>
      httpApiEvent('GET', '/admin/patrons', { authorization: `Bearer ${token}` });
    // Act
    const served = invoke(outfile, list(librarian.accessToken), functionEnv());
    const refused = invoke(outfile, list(reader.accessToken), functionEnv());
    // Assess
    expect(served.statusCode).toBe(200);
    const ids = (JSON.parse(served.body) as { data: { id: string }[] }).data.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([librarian.patron.id, reader.patron.id]));
    expect(refused.statusCode).toBe(403);
  });
});

describe('the default credential chain in a bundle', () => {
  it('takes the credentials Lambda puts in the environment without the left-out providers', async () => {
    // Prepare: just the DynamoDB client, bundled the Lambda way, asked for its credentials
    const entry = path.join(work, 'credentials-entry.mjs');
    writeFileSync(
      entry,
      `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'ap-southeast-3' });
try { const c = await client.config.credentials(); console.log('@@key ' + c.accessKeyId); }
catch (e) { console.log('@@error ' + (e.code ?? e.name)); }`,
    );
    const outfile = path.join(work, 'credentials', 'index.mjs');
    await build({ ...esbuildOptions(entry, outfile), nodePaths: [path.resolve('node_modules')] });
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [outfile], {
        cwd: work,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: work, ...env },
      }).stdout;
    // Act
    const onLambda = run({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEFROMENV',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    const elsewhere = run({});
    // Assess
    expect(onLambda).toContain('@@key ASIAEXAMPLEFROMENV');
    expect(elsewhere).toContain('@@error ERR_MODULE_NOT_FOUND');
  });
});

describe('each bundle with MODE=aws', () => {
  const cases = Object.entries(bundles).flatMap(([fn, name]) =>
    requiredOnAws[fn as LambdaFunctionName].map((variable) => ({ fn, name, variable })),
  );

  it.each(Object.entries(bundles))('starts the %s function with its configuration', async (_fn, name) => {
    // Prepare
    const outfile = await bundle(name);
    // Act
    const started = init(outfile, awsEnv);
    // Assess
    expect(started).toEqual({ status: 0 });
  });

  it.each(cases)(
    'refuses to start the $fn function without $variable, naming it',
    async ({ name, variable }) => {
      // Prepare
      const outfile = await bundle(name);
      const env = productionEnvWithout(variable, awsEnv);
      // Act
      const { status, error } = init(outfile, env);
      // Assess
      expect(status).not.toBe(0);
      expect(error).toBe(
        `ConfigError: Invalid configuration: MODE=aws needs ${variable} (no local default on AWS)`,
      );
    },
  );

  it('refuses to start the patron API with WEB_ORIGIN=*', async () => {
    // Prepare
    const outfile = await bundle('api');
    // Act
    const { status, error } = init(outfile, { ...awsEnv, WEB_ORIGIN: '*' });
    // Assess
    expect(status).not.toBe(0);
    expect(error).toMatch(/^ConfigError: Invalid configuration: WEB_ORIGIN: `\*` is refused/);
  });
});

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
