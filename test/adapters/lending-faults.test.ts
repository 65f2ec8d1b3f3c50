import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../functions/adapters/aws-clients';
import { DynamoLendingRepository } from '../../functions/adapters/lending-repository';
import type { RetryPolicy } from '../../functions/adapters/transactions';
import { createApp } from '../../functions/http/app';
import { bearer, createPatron, json } from '../helpers/auth';
import { addLicence, addTitle, FakeClock } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

/**
 * Fault injection: a document client whose reads go to DynamoDB Local but whose transactions fail as told
 * (aws-sdk-client-mock), under the real repository and the real app.
 */
const clock = new FakeClock('2026-06-01T10:00:00.000Z');
const quickRetry: RetryPolicy = { maxTransientFailures: 4, maxRounds: 20, baseDelayMs: 2, maxDelayMs: 10 };
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
});
afterAll(() => stack.destroy());

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
const conflicted = () =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });

/** A second client to the same table, its transactions scripted; reads pass through to DynamoDB Local. */
function faultyApp() {
  const real = stack.clients.documents;
  const faulty = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: localCredentials,
    }),
  );
  const mock = mockClient(faulty);
  mock.on(GetCommand).callsFake((input) => real.send(new GetCommand(input)));
  mock.on(QueryCommand).callsFake((input) => real.send(new QueryCommand(input)));
  const lending = new DynamoLendingRepository(faulty, stack.config.TABLE_NAME, clock, quickRetry);
  return { mock, app: createApp({ ...stack.deps, lending }), real };
}

let currentToken = '';

async function lendingSetup() {
  const title = await addTitle(stack);
  await addLicence(stack, title.id, { concurrency: 1, checkouts: 3 });
  const { patron, accessToken } = await createPatron(stack);
  currentToken = accessToken;
  return { title, patron };
}

describe('transient failures', () => {
  it('retries throttling and transaction conflicts with backoff, then lends once', async () => {
    // Prepare
    const { title, patron } = await lendingSetup();
    const { mock, app, real } = faultyApp();
    let calls = 0;
    mock.on(TransactWriteCommand).callsFake((input) => {
      calls += 1;
      if (calls === 1) throw throttled();
      if (calls === 2) throw conflicted();
      return real.send(new TransactWriteCommand(input));
    });
    // Act
    const response = await app.request(
      '/loans',
      json('POST', { titleId: title.id }, bearer(currentToken, { 'Idempotency-Key': 'retry-me' })),
    );
    // Assess
    expect(response.status, await response.clone().text()).toBe(201);
    expect(calls).toBe(3);
    expect(await stack.deps.lending.loansOf(patron.id)).toHaveLength(1);
    expect((await stack.deps.lending.titleLending(title.id))?.licences[0]).toMatchObject({
      available: 0,
      checkoutsLeft: 2,
    });
  });

  it('gives 503 when the failures persist, and the table is unchanged', async () => {
    // Prepare
    const { title } = await lendingSetup();
    const { mock, app } = faultyApp();
    mock.on(TransactWriteCommand).rejects(throttled());
    const before = await scanTable(stack);
    // Act
    const response = await app.request('/loans', json('POST', { titleId: title.id }, bearer(currentToken)));
    // Assess
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('SERVICE_UNAVAILABLE');
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(quickRetry.maxTransientFailures + 1);
    expect(await scanTable(stack)).toEqual(before);
  });
});
