import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../functions/adapters/aws-clients';
import { DynamoLendingRepository } from '../../functions/adapters/lending-repository';
import type { RetryPolicy } from '../../functions/adapters/transactions';
import { createApp } from '../../functions/http/app';
import { bearer, createPatron } from '../helpers/auth';
import { addLicence, addTitle, FakeClock } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

/**
 * No patron is told about a change that rolled back: a return that would reserve the freed copy for the next
 * hold fails in its transaction (aws-sdk-client-mock on a second client to DynamoDB Local). Every other write
 * passes through to the real table, so a notice written beside the transaction rather than inside it would
 * be stored and seen here.
 */
const clock = new FakeClock('2026-06-01T10:00:00.000Z');
const quickRetry: RetryPolicy = { maxTransientFailures: 2, maxRounds: 20, baseDelayMs: 2, maxDelayMs: 10 };
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
  mock.on(PutCommand).callsFake((input) => real.send(new PutCommand(input)));
  mock.on(UpdateCommand).callsFake((input) => real.send(new UpdateCommand(input)));
  mock.on(DeleteCommand).callsFake((input) => real.send(new DeleteCommand(input)));
  const lending = new DynamoLendingRepository(faulty, stack.config.TABLE_NAME, clock, quickRetry);
  return { mock, app: createApp({ ...stack.deps, lending }), real };
}

describe('a return whose reservation rolls back', () => {
  it('answers an error and tells nobody; the retry that succeeds tells the next patron exactly once', async () => {
    // Prepare: one copy; A has it, B waits for it
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1, checkouts: null });
    const a = await createPatron(stack);
    const b = await createPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: a.patron.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: b.patron.id, titleId: title.id });
    const { mock, app, real } = faultyApp();
    mock.on(TransactWriteCommand).rejects(throttled());
    const before = await scanTable(stack);
    const bNotifications = async () => {
      const response = await app.request('/me/notifications', { headers: bearer(b.accessToken) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { data: { kind: string; titleId: string }[]; unread: number }).data;
    };

    // Act: A returns the book while every transaction fails
    const failed = await app.request(`/loans/${loan.id}`, {
      method: 'DELETE',
      headers: bearer(a.accessToken),
    });

    // Assess: an error, the table as it was, and nothing for B in the app or in the mail queue
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { code: string }).code).toBe('SERVICE_UNAVAILABLE');
    expect(mock.commandCalls(TransactWriteCommand).length).toBeGreaterThan(0);
    expect(await scanTable(stack)).toEqual(before);
    expect(await bNotifications()).toEqual([]);
    expect(await stack.deps.notifications.deliveriesOf(b.patron.id)).toEqual([]);
    expect((await stack.deps.lending.holdsOf(b.patron.id))[0]?.status).toBe('waiting');

    // Act: the database is back; A returns it again
    mock.on(TransactWriteCommand).callsFake((input) => real.send(new TransactWriteCommand(input)));
    const returned = await app.request(`/loans/${loan.id}`, {
      method: 'DELETE',
      headers: bearer(a.accessToken),
    });

    // Assess: B's hold is reserved, and B is told once, in the app and by one queued e-mail
    expect(returned.status, await returned.clone().text()).toBe(200);
    expect((await stack.deps.lending.holdsOf(b.patron.id))[0]?.status).toBe('reserved');
    expect(await bNotifications()).toEqual([
      expect.objectContaining({ kind: 'hold-reserved', titleId: title.id }),
    ]);
    const deliveries = await stack.deps.notifications.deliveriesOf(b.patron.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ kind: 'hold-reserved', state: 'pending' });
    expect(await stack.deps.notifications.deliveriesOf(a.patron.id)).toEqual([]);
  });
});
