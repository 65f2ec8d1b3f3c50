import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/adapters/aws-clients';
import { loadConfig, type Config } from '../../functions/config';
import { createDeps } from '../../functions/handlers/api-composition';
import { createPublishing } from '../../functions/handlers/publishing';
import { createApp } from '../../functions/http/app';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { addTitle } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { closedPortEndpoint, startSilentServer, type SilentServer } from '../helpers/unresponsive';

/**
 * A dependency that hangs (accepts and never answers: a frozen process) or is dead (refuses connections)
 * must give a quick 503 SERVICE_UNAVAILABLE problem with Retry-After, never a hung request or a 500.
 * The apps under test are built by the production wiring (createDeps, createAwsClients) over a config that
 * points one endpoint at the broken stand-in; the data they would read lives on the real emulators.
 */

let stack: TestStack;
let silent: SilentServer;
let closed: string;
const budgetMs = 5_000;

beforeAll(async () => {
  [stack, silent, closed] = await Promise.all([createTestStack(), startSilentServer(), closedPortEndpoint()]);
});

afterAll(async () => {
  await silent.close();
  await stack.destroy();
});

const destroyers: (() => void)[] = [];
afterEach(() => {
  for (const destroy of destroyers.splice(0)) destroy();
});

/** The limits an operator gets without setting anything (the test stack widens them for busy machines). */
const defaults = loadConfig({});
const defaultLimits = {
  REQUEST_DEADLINE_MS: defaults.REQUEST_DEADLINE_MS,
  ADMIN_REQUEST_DEADLINE_MS: defaults.ADMIN_REQUEST_DEADLINE_MS,
  DEPENDENCY_CONNECT_TIMEOUT_MS: defaults.DEPENDENCY_CONNECT_TIMEOUT_MS,
  DEPENDENCY_REQUEST_TIMEOUT_MS: defaults.DEPENDENCY_REQUEST_TIMEOUT_MS,
  DEPENDENCY_MAX_ATTEMPTS: defaults.DEPENDENCY_MAX_ATTEMPTS,
};

/**
 * The same deployment as `stack` (table, bucket, signing keys) with the default limits, and one dependency
 * somewhere else.
 */
function appWith(overrides: Partial<Config>) {
  const config: Config = { ...stack.config, ...defaultLimits, ...overrides };
  const clients = createAwsClients(config);
  destroyers.push(() => {
    clients.dynamo.destroy();
    clients.s3.destroy();
  });
  const deps = {
    ...createDeps(config, clients),
    publishing: createPublishing(clients.s3, config.CONTENT_BUCKET),
  };
  return createApp(deps);
}

async function timed(request: () => Response | Promise<Response>) {
  const started = performance.now();
  const response = await request();
  const body = await response.text();
  return { response, body, elapsedMs: performance.now() - started };
}

function expectUnavailable(result: Awaited<ReturnType<typeof timed>>) {
  expect(result.response.status, result.body).toBe(503);
  expect(result.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(result.body)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(Number(result.response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(result.body).not.toMatch(/ECONNREFUSED|TimeoutError|at .*\.ts/);
  expect(result.elapsedMs).toBeLessThan(budgetMs);
}

const stores = [
  { state: 'frozen (accepts, never answers)', endpoint: () => silent.endpoint },
  { state: 'dead (connection refused)', endpoint: () => closed },
];

describe.each(stores)('DynamoDB $state', ({ endpoint }) => {
  it('GET /me/loans answers 503 SERVICE_UNAVAILABLE with Retry-After within 5 s', async () => {
    // Prepare: a patron whose loans the live store answers for
    const { accessToken } = await createPatron(stack);
    const live = await stack.app.request('/me/loans', { headers: bearer(accessToken) });
    expect(live.status).toBe(200);
    const app = appWith({ DYNAMODB_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() => app.request('/me/loans', { headers: bearer(accessToken) }));
    // Assess
    expectUnavailable(result);
  });

  it('GET /titles/{id} answers 503 within 5 s', async () => {
    // Prepare
    const title = await addTitle(stack);
    expect((await stack.app.request(`/titles/${title.id}`)).status).toBe(200);
    const app = appWith({ DYNAMODB_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() => app.request(`/titles/${title.id}`));
    // Assess
    expectUnavailable(result);
  });

  it('POST /auth/login answers 503 within 5 s', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const app = appWith({ DYNAMODB_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() =>
      app.request('/auth/login', json('POST', { cardNumber: patron.cardNumber, pin })),
    );
    // Assess
    expectUnavailable(result);
  });

  it('GET /health names dynamodb (and only it) within 5 s', async () => {
    // Prepare
    const app = appWith({ DYNAMODB_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() => app.request('/health'));
    // Assess
    expect(result.response.status).toBe(503);
    expect(JSON.parse(result.body)).toEqual({
      status: 'unavailable',
      checks: { dynamodb: 'down', s3: 'up' },
      down: ['dynamodb'],
    });
    // Well before the 4 s request deadline: the probe does not wait for a data call's timeout and retry.
    expect(result.elapsedMs).toBeLessThan(2_500);
  });
});

describe.each(stores)('S3 $state', ({ endpoint }) => {
  it('GET /health names s3 (and only it) within 5 s', async () => {
    // Prepare
    const app = appWith({ S3_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() => app.request('/health'));
    // Assess
    expect(result.response.status).toBe(503);
    expect(JSON.parse(result.body)).toEqual({
      status: 'unavailable',
      checks: { dynamodb: 'up', s3: 'down' },
      down: ['s3'],
    });
    expect(result.elapsedMs).toBeLessThan(2_500);
  });

  it('POST /admin/uploads/{id}/complete (which asks S3 for the object) answers 503 within 5 s', async () => {
    // Prepare: an upload started on the live deployment (signing its link needs no S3 call)
    const { accessToken } = await createLibrarian(stack);
    const created = await stack.app.request(
      '/admin/uploads',
      json('POST', { fileName: 'book.epub', size: 2048 }, bearer(accessToken)),
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const app = appWith({ S3_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() =>
      app.request(`/admin/uploads/${id}/complete`, json('POST', {}, bearer(accessToken))),
    );
    // Assess
    expectUnavailable(result);
  });

  it('POST /titles/{id}/access still issues the link at once: the patron API never calls S3 itself', async () => {
    // Prepare
    const title = await addTitle(stack, { access: 'open' });
    const { accessToken } = await createPatron(stack);
    const app = appWith({ S3_ENDPOINT: endpoint() });
    // Act
    const result = await timed(() =>
      app.request(`/titles/${title.id}/access`, { method: 'POST', headers: bearer(accessToken) }),
    );
    // Assess: the reader finds S3 down when it follows the link, not the API
    expect(result.response.status, result.body).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ url: expect.stringContaining(endpoint()) });
    expect(result.elapsedMs).toBeLessThan(1_000);
  });
});

it('the frozen store was really reached (the requests did not fail before connecting)', () => {
  expect(silent.connections).toBeGreaterThan(0);
});

it('on Lambda the deadline is cut to what the invocation has left, so the 503 leaves before Lambda times out', async () => {
  // Prepare: an invocation with 1.5 s left (hono/aws-lambda passes its context as the env)
  const { accessToken } = await createPatron(stack);
  const app = appWith({ DYNAMODB_ENDPOINT: silent.endpoint });
  const lambdaContext = { getRemainingTimeInMillis: () => 1_500 };
  // Act
  const result = await timed(() =>
    app.request('/me/loans', { headers: bearer(accessToken) }, { lambdaContext }),
  );
  // Assess: 1.5 s minus the 0.5 s kept back to answer, not the 4 s REQUEST_DEADLINE_MS
  expectUnavailable(result);
  expect(result.elapsedMs).toBeGreaterThanOrEqual(900);
  expect(result.elapsedMs).toBeLessThan(2_000);
});
