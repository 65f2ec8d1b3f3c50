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
import { wishKeys } from '../../functions/adapters/keys';
import { DynamoLendingRepository } from '../../functions/adapters/lending-repository';
import { DynamoNotificationRepository } from '../../functions/adapters/notification-repository';
import type { RetryPolicy } from '../../functions/adapters/transactions';
import { createApp } from '../../functions/http/app';
import { sweep } from '../../functions/application/sweep';
import { bearer, createLibrarian, createPatron, json, type CreatedPatron } from '../helpers/auth';
import { addTitle, FakeClock } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

/**
 * "A wished-for title became available" is an outbox event: the licence change writes a marker in its own
 * transaction, the request tells the wishers right after (the fast path), and the sweeper tells whoever a
 * crash in between left untold. Faults are injected with aws-sdk-client-mock on a second client that passes
 * everything else through to DynamoDB Local.
 */
const clock = new FakeClock('2026-06-01T10:00:00.000Z');
const quickRetry: RetryPolicy = { maxTransientFailures: 2, maxRounds: 20, baseDelayMs: 2, maxDelayMs: 10 };
let stack: TestStack;
let librarian: CreatedPatron;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarian = await createLibrarian(stack);
});
afterAll(() => stack.destroy());

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/** A client whose transactions always fail; every other command reaches the real table. */
function failingTransactions() {
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
  mock.on(TransactWriteCommand).rejects(throttled());
  return { faulty, mock };
}

/** A title nobody can borrow yet, and two patrons who asked to be told when it can be. */
async function wishedForTitle() {
  const title = await addTitle(stack);
  const wishers = [await createPatron(stack), await createPatron(stack)];
  for (const w of wishers) await stack.deps.notifications.addWish(w.patron.id, title.id);
  return { title, wishers };
}

const addLicence = (app: ReturnType<typeof createApp>, titleId: string) =>
  app.request(
    `/admin/titles/${titleId}/licences`,
    json('POST', { terms: { concurrency: 1 } }, bearer(librarian.accessToken)),
  );

const toldOf = async (patronId: string) =>
  (await stack.deps.notifications.list(patronId, { limit: 10 })).data.map((n) => [n.kind, n.titleId]);

const markerOf = async (titleId: string) => {
  const { pk, sk } = wishKeys.toTell(titleId);
  return (await scanTable(stack)).filter((i) => i.pk === pk && i.sk === sk);
};

describe('the outbox marker of "a wished-for title became available"', () => {
  it('fast path: each wisher is told once by the request, and the marker is gone', async () => {
    // Prepare
    const { title, wishers } = await wishedForTitle();
    // Act
    const added = await addLicence(stack.app, title.id);
    const swept = await sweep(stack.deps);
    // Assess
    expect(added.status).toBe(201);
    for (const w of wishers) {
      expect(await toldOf(w.patron.id)).toEqual([['wish-available', title.id]]);
      expect(await stack.deps.notifications.deliveriesOf(w.patron.id)).toHaveLength(1);
    }
    expect(await markerOf(title.id)).toEqual([]);
    expect(swept.noticesRecorded).toBe(0);
  });

  it('a crash after the licence write: the sweep tells each wisher once and removes the marker', async () => {
    // Prepare: telling the wishers fails after the licence is in (every transaction of the teller fails)
    const { title, wishers } = await wishedForTitle();
    const { faulty, mock } = failingTransactions();
    const notifications = new DynamoNotificationRepository(faulty, stack.config.TABLE_NAME, clock);
    const app = createApp({ ...stack.deps, notifications });
    // Act
    const added = await addLicence(app, title.id);
    const untold = await Promise.all(wishers.map((w) => toldOf(w.patron.id)));
    const leftBehind = await markerOf(title.id);
    const first = await sweep(stack.deps);
    const second = await sweep(stack.deps);
    // Assess: the licence is in, nobody was told until the sweep, then each wisher once, and no marker
    expect(added.status).toBe(201);
    expect(mock.commandCalls(TransactWriteCommand).length).toBeGreaterThan(0);
    expect(untold).toEqual([[], []]);
    expect(leftBehind).toHaveLength(1);
    for (const w of wishers) {
      expect(await toldOf(w.patron.id)).toEqual([['wish-available', title.id]]);
      expect(await stack.deps.notifications.deliveriesOf(w.patron.id)).toHaveLength(1);
    }
    expect(first.noticesRecorded).toBe(2);
    expect(second.noticesRecorded).toBe(0);
    expect(await markerOf(title.id)).toEqual([]);
    expect(await stack.deps.notifications.wishesOf(wishers[0]!.patron.id)).toEqual([]);
  });

  it('a licence add that rolls back leaves no marker and tells nobody, not even after a sweep', async () => {
    // Prepare
    const { title, wishers } = await wishedForTitle();
    const { faulty } = failingTransactions();
    const lending = new DynamoLendingRepository(faulty, stack.config.TABLE_NAME, clock, quickRetry);
    const app = createApp({ ...stack.deps, lending });
    // The audit trail records the refused attempt, as it should: everything else is as it was.
    const state = async () => (await scanTable(stack)).filter((i) => i.sk !== 'AUDIT');
    const before = await state();
    // Act
    const failed = await addLicence(app, title.id);
    const unchanged = await state();
    await sweep(stack.deps);
    // Assess
    expect(failed.status).toBe(503);
    expect(unchanged).toEqual(before);
    expect(await markerOf(title.id)).toEqual([]);
    for (const w of wishers) {
      expect(await toldOf(w.patron.id)).toEqual([]);
      expect(await stack.deps.notifications.wishesOf(w.patron.id)).toHaveLength(1);
    }
  });
});
