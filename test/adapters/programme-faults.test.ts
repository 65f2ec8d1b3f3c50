import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localCredentials } from '../../functions/adapters/aws-clients';
import { DynamoProgrammeRepository } from '../../functions/adapters/programme-repository';
import { sortTitleOf } from '../../functions/domain/title';
import { createApp } from '../../functions/http/app';
import { bearer, createPatron, json } from '../helpers/auth';
import { fakeClock } from '../helpers/clock';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Counting towards programmes never fails a position save: the programme store throttled (aws-sdk-client-mock
 * on a second client; the rest of the app on DynamoDB Local), the save still answers 200 and is stored, and
 * the failure to count is logged.
 */
const clock = fakeClock('2026-12-05T03:00:00.000Z');
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

describe('a position saved while the programme store fails', () => {
  it('is saved (200), and the failure to count is logged', async () => {
    // Prepare: a joined programme, and a programme store whose reads are throttled
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
    mock.on(PutCommand).callsFake((input) => real.send(new PutCommand(input)));
    mock.on(TransactWriteCommand).callsFake((input) => real.send(new TransactWriteCommand(input)));
    mock.on(QueryCommand).rejects(throttled());
    const { patron, accessToken } = await createPatron(stack, { name: 'Siti Rahayu' });
    const now = clock.now().toISOString();
    await stack.deps.titles.create({
      id: 't-fault-1',
      title: 'Buku',
      sortTitle: sortTitleOf('Buku'),
      authors: [],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'open',
      status: 'active',
      contentKey: 'content/t-fault-1/publication.epub',
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    });
    const programme = {
      id: 'prog-fault',
      name: { id: 'x', en: 'x' },
      description: { id: 'x', en: 'x' },
      startsAt: '2026-12-01T00:00:00.000Z',
      endsAt: '2026-12-31T00:00:00.000Z',
      audience: { kind: 'everyone' as const },
      goal: { kind: 'books' as const, target: 1 },
      createdAt: now,
    };
    await stack.deps.programmes.create(programme);
    await stack.deps.programmes.join(programme, {
      programmeId: programme.id,
      patronId: patron.id,
      displayName: 'S. R.',
      patronName: patron.name,
      cardNumber: patron.cardNumber,
      joinedAt: now,
      finishedTitles: [],
      seconds: 0,
      badges: [],
    });
    const programmes = new DynamoProgrammeRepository(faulty, stack.config.TABLE_NAME);
    const deps = { ...stack.deps, programmes };
    const warn = vi.spyOn(deps.logger, 'warn');
    const app = createApp(deps);
    // Act
    const response = await app.request(
      '/me/progress/t-fault-1',
      json(
        'PUT',
        {
          locator: {
            href: 'EPUB/ch1.xhtml',
            type: 'application/xhtml+xml',
            locations: { totalProgression: 1 },
          },
          modified: now,
        },
        bearer(accessToken),
      ),
    );
    // Assess
    expect(response.status).toBe(200);
    expect((await stack.deps.reading.getProgress(patron.id, 't-fault-1'))?.locator.locations).toEqual({
      totalProgression: 1,
    });
    expect(warn).toHaveBeenCalledWith(
      'reading not counted towards programmes',
      expect.objectContaining({ titleId: 't-fault-1' }),
    );
    expect((await stack.deps.programmes.getParticipation(programme.id, patron.id))?.finishedTitles).toEqual(
      [],
    );
    warn.mockRestore();
    mock.restore();
  });
});
