import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection } from '../../functions/domain/collection';
import type { Participation, PatronGroup, Programme } from '../../functions/domain/programme';
import {
  collectionKeys,
  counterKeys,
  programmeKeys,
  sushiCredentialKeys,
} from '../../functions/adapters/keys';
import { FakeClock } from '../helpers/clock';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

// The collection, programme, COUNTER and SUSHI adapters moved from their own casts and hand-written index
// attributes to entity codecs: what they store must stay exactly as before. The expected items below are
// written out by attribute name, as the adapters built them before the codecs, not through the codecs.

const clock = new FakeClock(new Date('2026-03-10T08:00:00.000Z'));
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
});
afterAll(() => stack.destroy());

const storedAt = async (key: { pk: string; sk: string }) =>
  (await scanTable(stack)).find((i) => i.pk === key.pk && i.sk === key.sk);

describe('stored layout of collections, programmes, COUNTER aggregates and SUSHI credentials', () => {
  it('a collection is its record, its key and its place on gsi1', async () => {
    // Prepare
    const collection: Collection = {
      id: 'c-layout',
      name: { id: 'Pilihan', en: 'Picks' },
      description: { id: 'Buku', en: 'Books' },
      titleIds: ['t-1', 't-2'],
      featuredFrom: '2026-03-01T00:00:00.000Z',
      version: 1,
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    };
    // Act
    await stack.deps.collections.create(collection);
    // Assess
    expect(await storedAt(collectionKeys.item(collection.id))).toEqual({
      ...collection,
      pk: 'COLLECTION#c-layout',
      sk: 'COLLECTION',
      gsi1pk: 'COLLECTIONS',
      gsi1sk: '2026-03-01T00:00:00.000Z#c-layout',
    });
    expect(await stack.deps.collections.list()).toEqual([collection]);
  });

  it('a programme, a group with its members, and a participation with its joined marker', async () => {
    // Prepare
    const programme: Programme = {
      id: 'p-layout',
      name: { id: 'Tantangan', en: 'Challenge' },
      description: { id: 'Baca', en: 'Read' },
      startsAt: '2026-03-01T00:00:00.000Z',
      endsAt: '2026-04-01T00:00:00.000Z',
      audience: { kind: 'everyone' },
      goal: { kind: 'books', target: 3 },
      titleIds: ['t-1'],
      createdAt: '2026-02-20T00:00:00.000Z',
    };
    const group: PatronGroup = {
      id: 'g-layout',
      name: 'Kelas 5B',
      memberCount: 1,
      createdAt: programme.createdAt,
    };
    const participation: Participation = {
      programmeId: programme.id,
      patronId: 'pat-layout',
      displayName: 'D. S.',
      patronName: 'Dewi Sartika',
      cardNumber: '0001',
      joinedAt: '2026-03-02T00:00:00.000Z',
      finishedTitles: [],
      seconds: 0,
      badges: [],
    };
    // Act
    await stack.deps.programmes.create(programme);
    await stack.deps.programmes.createGroup(group, ['pat-layout']);
    await stack.deps.programmes.join(programme, participation);
    // Assess
    expect(await storedAt(programmeKeys.item(programme.id))).toEqual({
      ...programme,
      pk: 'PROGRAMME#p-layout',
      sk: 'PROGRAMME',
      gsi1pk: 'PROGRAMMES',
      gsi1sk: '2026-03-01T00:00:00.000Z#p-layout',
    });
    expect(await storedAt(programmeKeys.group(group.id))).toEqual({
      ...group,
      pk: 'PGROUP#g-layout',
      sk: 'PGROUP',
      gsi1pk: 'PGROUPS',
      gsi1sk: 'kelas 5b#g-layout',
    });
    expect(await storedAt(programmeKeys.groupMember(group.id, 'pat-layout'))).toEqual({
      pk: 'PGROUP#g-layout',
      sk: 'MEMBER#pat-layout',
      patronId: 'pat-layout',
    });
    // No empty lists: the first ADD makes the finished titles and badges sets.
    const { finishedTitles: _f, badges: _b, ...written } = participation;
    expect(await storedAt(programmeKeys.participant(programme.id, 'pat-layout'))).toEqual({
      ...written,
      pk: 'PROGRAMME#p-layout',
      sk: 'PARTICIPANT#pat-layout',
    });
    expect(await storedAt(programmeKeys.joined('pat-layout', programme.id))).toEqual({
      pk: 'PROGRAMMES_OF#pat-layout',
      sk: 'PROGRAMME#p-layout',
      programmeId: programme.id,
      startsAt: programme.startsAt,
      endsAt: programme.endsAt,
      goal: programme.goal,
      titleIds: programme.titleIds,
    });
    expect(await stack.deps.programmes.getParticipation(programme.id, 'pat-layout')).toEqual(participation);
    expect(await stack.deps.programmes.isMember(group.id, 'pat-layout')).toBe(true);
  });

  it('a SUSHI credential keeps its hash beside the record and is listed on gsi1', async () => {
    // Prepare
    const credential = {
      customerId: 'lib',
      requestorId: 'req-layout',
      label: 'ERM',
      createdAt: '2026-03-03T00:00:00.000Z',
      createdBy: 'admin',
    };
    // Act
    await stack.deps.sushiCredentials.issue(credential, 'secret-key');
    // Assess
    const stored = await storedAt(sushiCredentialKeys.item(credential.requestorId));
    expect(stored).toEqual({
      ...credential,
      pk: 'SUSHICRED#req-layout',
      sk: 'SUSHICRED',
      gsi1pk: 'SUSHICREDS',
      gsi1sk: '2026-03-03T00:00:00.000Z#req-layout',
      apiKeyHash: expect.any(String),
    });
    expect(await stack.deps.sushiCredentials.list()).toEqual([credential]);
    expect(await stack.deps.sushiCredentials.check('req-layout', 'secret-key')).toEqual({
      credential,
      keyMatches: true,
    });
  });

  it('a COUNTER aggregate is listed on gsi1 under its institution, by month', async () => {
    // Act
    await stack.deps.counter.recordSearch({ institution: 'inst-layout', at: clock.now() });
    // Assess
    expect(await storedAt(counterKeys.platform('inst-layout', '2026-03'))).toEqual({
      pk: 'COUNTER#inst-layout#2026-03',
      sk: 'PLATFORM',
      gsi1pk: 'COUNTERMONTHS#inst-layout',
      gsi1sk: '2026-03#PLATFORM',
      month: '2026-03',
      kind: 'platform',
      Searches_Platform: 1,
    });
    expect(await stack.deps.counter.monthsWithUsage('inst-layout')).toEqual({
      first: '2026-03',
      last: '2026-03',
    });
  });
});
