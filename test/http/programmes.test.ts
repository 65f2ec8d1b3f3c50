import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patron } from '../../functions/domain/patron';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { fakeClock } from '../helpers/clock';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Reading programmes over the real app and DynamoDB Local, with the fake clock: reading is counted from the
 * positions the reader saves (PUT /me/progress), as the web reader and OPDS apps do.
 */

// 09:00 in Kota Nusantara (UTC+7), so a library day lies ahead.
const clock = fakeClock('2026-12-01T02:00:00.000Z');
let stack: TestStack;
let librarian: Patron;
let siti: Patron;
let budi: Patron;
let dewi: Patron;
let outsider: Patron;
const titleIds = ['t-prog-1', 't-prog-2', 't-prog-3', 't-prog-4', 't-prog-5'];

/** A token issued at the fake clock's now: the clock moves by hours in these tests, tokens last minutes. */
async function as(patron: Patron, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const { token } = await stack.deps.tokens.issue(
    { patronId: patron.id, roles: patron.roles },
    { now: clock.now() },
  );
  return bearer(token, headers);
}

let saves = 0;
/** Saves a position as the reader does; `modified` is the device's clock (the fake one here). */
async function read(patron: Patron, titleId: string, totalProgression: number): Promise<void> {
  saves++;
  const response = await stack.app.request(
    `/me/progress/${titleId}`,
    json(
      'PUT',
      {
        locator: {
          href: 'EPUB/ch1.xhtml',
          type: 'application/xhtml+xml',
          locations: { totalProgression, position: saves },
        },
        modified: clock.now().toISOString(),
      },
      await as(patron),
    ),
  );
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Asks for a programme as the console does: this month's, open to everyone, four books, unless `body` says. */
async function postProgramme(body: Record<string, unknown>): Promise<Response> {
  return stack.app.request(
    '/admin/programmes',
    json(
      'POST',
      {
        name: { id: 'Tantangan Membaca', en: 'Reading Challenge' },
        description: { id: 'Baca buku.', en: 'Read books.' },
        startsAt: '2026-12-01T00:00:00+07:00',
        endsAt: '2027-01-01T00:00:00+07:00',
        audience: { kind: 'everyone' },
        goal: { kind: 'books', target: 4 },
        ...body,
      },
      await as(librarian),
    ),
  );
}

async function createProgramme(body: Record<string, unknown>): Promise<string> {
  const response = await postProgramme(body);
  const created = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(created)).toBe(201);
  return created.id;
}

interface Mine {
  progress: { value: number; target: number; percent: number };
  badges: number[];
  minutes: number;
  finishedTitles: string[];
  completedAt?: string;
  joinedAt: string;
}

async function mine(patron: Patron, programmeId: string): Promise<Mine> {
  const response = await stack.app.request(`/me/programmes/${programmeId}`, { headers: await as(patron) });
  expect(response.status).toBe(200);
  return (await response.json()) as Mine;
}

const join = async (patron: Patron, programmeId: string) =>
  stack.app.request(`/me/programmes/${programmeId}`, { method: 'POST', headers: await as(patron) });

let groupId: string;
let booksProgramme: string;
let classProgramme: string;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  [librarian, siti, budi, dewi, outsider] = (
    await Promise.all([
      createLibrarian(stack, { name: 'Ibu Pustakawan' }),
      createPatron(stack, { name: 'Siti Rahayu' }),
      createPatron(stack, { name: 'Budi Santoso' }),
      createPatron(stack, { name: 'Dewi Lestari' }),
      createPatron(stack, { name: 'Orang Luar' }),
    ])
  ).map((p) => p.patron) as [Patron, Patron, Patron, Patron, Patron];
  const now = clock.now().toISOString();
  for (const id of titleIds) {
    const title: Title = {
      id,
      title: `Buku ${id}`,
      sortTitle: sortTitleOf(`Buku ${id}`),
      authors: ['Penulis'],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'open',
      status: 'active',
      contentKey: `content/${id}/publication.epub`,
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    };
    await stack.deps.titles.create(title);
  }
  // A school class, as a teacher's spreadsheet exports it: names beside the cards, one card unknown.
  const csv = [
    'name,cardNumber',
    `"Rahayu, Siti",${siti.cardNumber}`,
    `Budi Santoso,${budi.cardNumber}`,
    `Dewi Lestari,${dewi.cardNumber}`,
    'Nobody,UNKNOWN-0001',
  ].join('\r\n');
  const group = await stack.app.request(
    '/admin/patron-groups',
    json('POST', { name: 'Kelas 5B', csv }, await as(librarian)),
  );
  const created = (await group.json()) as {
    group: { id: string; memberCount: number };
    unknownCards: string[];
  };
  expect(group.status, JSON.stringify(created)).toBe(201);
  expect(created.group.memberCount).toBe(3);
  expect(created.unknownCards).toEqual(['UNKNOWN-0001']);
  groupId = created.group.id;
  booksProgramme = await createProgramme({});
  classProgramme = await createProgramme({
    audience: { kind: 'group', groupId },
    goal: { kind: 'minutes', target: 600 },
  });
});
afterAll(() => stack.destroy());

describe('creating a programme', () => {
  it('refuses one that ends before it starts, and a group that does not exist', async () => {
    // Act
    const backwards = await stack.app.request(
      '/admin/programmes',
      json(
        'POST',
        {
          name: { id: 'x', en: 'x' },
          description: { id: 'x', en: 'x' },
          startsAt: '2026-12-31T00:00:00Z',
          endsAt: '2026-12-01T00:00:00Z',
          audience: { kind: 'everyone' },
          goal: { kind: 'books', target: 1 },
        },
        await as(librarian),
      ),
    );
    const noGroup = await stack.app.request(
      '/admin/programmes',
      json(
        'POST',
        {
          name: { id: 'x', en: 'x' },
          description: { id: 'x', en: 'x' },
          startsAt: '2026-12-01T00:00:00Z',
          endsAt: '2026-12-31T00:00:00Z',
          audience: { kind: 'group', groupId: 'grp-none' },
          goal: { kind: 'books', target: 1 },
        },
        await as(librarian),
      ),
    );
    const byPatron = await stack.app.request('/admin/programmes', { headers: await as(siti) });
    // Assess
    await expectProblem(backwards, 400, 'VALIDATION_FAILED');
    await expectProblem(noGroup, 404, 'PATRON_GROUP_NOT_FOUND');
    await expectProblem(byPatron, 403, 'FORBIDDEN');
  });
});

describe('a programme over a collection', () => {
  it('counts the collection’s titles, taken when the programme is created, and refuses an unknown collection', async () => {
    // Prepare: a librarian's collection of two titles
    const collection = await stack.app.request(
      '/admin/collections',
      json(
        'POST',
        { name: { id: 'Bacaan Kelas 5', en: 'Year 5 reading' }, titleIds: [titleIds[2], titleIds[1]] },
        await as(librarian),
      ),
    );
    expect(collection.status, await collection.clone().text()).toBe(201);
    const { id: collectionId } = (await collection.json()) as { id: string };
    // Act
    const programme = await postProgramme({ goal: { kind: 'books', target: 2 }, collectionId });
    const unknown = await postProgramme({ collectionId: 'no-such-collection' });
    // Assess
    const created = (await programme.json()) as { id: string; titleIds?: string[] };
    expect(programme.status, JSON.stringify(created)).toBe(201);
    expect(created.titleIds).toEqual([titleIds[2], titleIds[1]]);
    await expectProblem(unknown, 400, 'VALIDATION_FAILED');
    await join(budi, created.id);
    clock.advance(60_000);
    await read(budi, titleIds[0]!, 1);
    clock.advance(60_000);
    await read(budi, titleIds[2]!, 1);
    expect(await mine(budi, created.id)).toMatchObject({
      finishedTitles: [titleIds[2]],
      progress: { value: 1, target: 2, percent: 50 },
    });
  });
});

describe('joining', () => {
  it('joins a patron once, shows them at 0 %, and lists them for the organisers', async () => {
    // Act
    const first = await join(siti, booksProgramme);
    const again = await join(siti, booksProgramme);
    const organisers = await stack.app.request(`/admin/programmes/${booksProgramme}/participants`, {
      headers: await as(librarian),
    });
    // Assess
    expect(first.status).toBe(200);
    const joined = (await first.json()) as Mine;
    expect(joined).toMatchObject({ progress: { value: 0, target: 4, percent: 0 }, badges: [] });
    expect(((await again.json()) as Mine).joinedAt).toBe(joined.joinedAt);
    const list = (await organisers.json()) as {
      totals: { participants: number; completed: number };
      data: { patronName: string; cardNumber: string }[];
    };
    expect(list.totals).toMatchObject({ participants: 1, completed: 0 });
    expect(list.data).toEqual([
      expect.objectContaining({ patronName: 'Siti Rahayu', cardNumber: siti.cardNumber }),
    ]);
  });

  it('refuses a patron outside the programme’s group, and takes a member', async () => {
    // Act
    const refused = await join(outsider, classProgramme);
    const member = await join(budi, classProgramme);
    const unknown = await join(budi, 'prog-none');
    // Assess
    await expectProblem(refused, 403, 'NOT_IN_PROGRAMME_GROUP');
    expect(member.status).toBe(200);
    await expectProblem(unknown, 404, 'PROGRAMME_NOT_FOUND');
    const outsiderView = await stack.app.request(`/me/programmes/${classProgramme}`, {
      headers: await as(outsider),
    });
    await expectProblem(outsiderView, 409, 'PROGRAMME_NOT_JOINED');
  });

  it('refuses joining once the programme has ended', async () => {
    // Prepare
    const ended = await createProgramme({
      startsAt: '2026-11-01T00:00:00Z',
      endsAt: '2026-11-30T00:00:00Z',
    });
    // Act
    const late = await join(dewi, ended);
    // Assess
    await expectProblem(late, 409, 'PROGRAMME_ENDED');
  });
});

describe('progress from saved positions', () => {
  it('counts a book as finished at 95 %, not at 94 %, and once however often it is saved', async () => {
    // Act
    await read(siti, titleIds[0]!, 0.5);
    await read(siti, titleIds[0]!, 0.94);
    const before = await mine(siti, booksProgramme);
    clock.advance(60_000);
    await read(siti, titleIds[0]!, 0.95);
    clock.advance(60_000);
    await read(siti, titleIds[0]!, 1);
    const after = await mine(siti, booksProgramme);
    // Assess
    expect(before.progress.value).toBe(0);
    expect(after.progress).toEqual({ value: 1, target: 4, percent: 25 });
    expect(after.finishedTitles).toEqual([titleIds[0]]);
  });

  it('gives a badge at each milestone and a certificate only at the goal', async () => {
    // Prepare: one book finished already (25 %)
    const seen: number[][] = [(await mine(siti, booksProgramme)).badges];
    const early = await stack.app.request(`/me/programmes/${booksProgramme}/certificate`, {
      headers: await as(siti),
    });
    // Act
    for (const titleId of titleIds.slice(1, 4)) {
      clock.advance(60_000);
      await read(siti, titleId, 0.97);
      seen.push((await mine(siti, booksProgramme)).badges);
    }
    const certificate = await stack.app.request(`/me/programmes/${booksProgramme}/certificate`, {
      headers: await as(siti),
    });
    // Assess
    await expectProblem(early, 409, 'PROGRAMME_GOAL_NOT_REACHED');
    expect(seen).toEqual([[25], [25, 50], [25, 50, 75], [25, 50, 75, 100]]);
    expect(certificate.status).toBe(200);
    expect(await certificate.json()).toEqual({
      programmeId: booksProgramme,
      programmeName: { id: 'Tantangan Membaca', en: 'Reading Challenge' },
      patronName: 'Siti Rahayu',
      goal: { kind: 'books', target: 4 },
      completedAt: clock.now().toISOString(),
    });
  });

  it('gives no certificate to a participant who did not reach the goal, nor to one who did not join', async () => {
    // Prepare
    await join(dewi, booksProgramme);
    clock.advance(60_000);
    await read(dewi, titleIds[0]!, 0.99);
    // Act
    const dewis = await stack.app.request(`/me/programmes/${booksProgramme}/certificate`, {
      headers: await as(dewi),
    });
    const outsiders = await stack.app.request(`/me/programmes/${booksProgramme}/certificate`, {
      headers: await as(outsider),
    });
    // Assess
    const problem = await expectProblem(dewis, 409, 'PROGRAMME_GOAL_NOT_REACHED');
    expect(problem).toMatchObject({ value: 1, target: 4, percent: 25 });
    await expectProblem(outsiders, 409, 'PROGRAMME_NOT_JOINED');
  });

  it('credits minutes only between saves a few minutes apart, capped per title and per day', async () => {
    // Prepare: Budi reads a title in 5-minute page turns for 3 hours (the title's cap is 2 hours a day)
    const start = await mine(budi, classProgramme);
    clock.advance(5 * 60_000);
    await read(budi, titleIds[0]!, 0.01); // the first save of a title starts the count, credits nothing
    for (let turn = 1; turn <= 36; turn++) {
      clock.advance(5 * 60_000);
      await read(budi, titleIds[0]!, 0.01 + turn / 100);
    }
    const oneTitle = await mine(budi, classProgramme);
    // Act: the book left open (a save 20 minutes later) earns nothing; another title earns until 3 hours a day
    clock.advance(20 * 60_000);
    await read(budi, titleIds[0]!, 0.4);
    const leftOpen = await mine(budi, classProgramme);
    await read(budi, titleIds[1]!, 0.01);
    for (let turn = 1; turn <= 18; turn++) {
      clock.advance(5 * 60_000);
      await read(budi, titleIds[1]!, 0.01 + turn / 100);
    }
    const dayCapped = await mine(budi, classProgramme);
    // The next library day (after midnight in Kota Nusantara), reading counts again.
    clock.set('2026-12-01T17:10:00.000Z');
    await read(budi, titleIds[1]!, 0.3);
    clock.advance(4 * 60_000);
    await read(budi, titleIds[1]!, 0.31);
    const nextDay = await mine(budi, classProgramme);
    // Assess
    expect(start.minutes).toBe(0);
    expect(oneTitle.minutes).toBe(120);
    expect(leftOpen.minutes).toBe(120);
    expect(dayCapped.minutes).toBe(180);
    expect(nextDay.minutes).toBe(184);
    expect(nextDay.progress).toEqual({ value: 184, target: 600, percent: 30 });
    expect(nextDay.badges).toEqual([25]);
  });

  it('counts only the programme’s own titles, and nothing before the programme starts', async () => {
    // Prepare: a reading list of one title, and a programme that starts next month; Dewi joins both
    const readingList = await createProgramme({
      titleIds: [titleIds[4]],
      goal: { kind: 'books', target: 1 },
    });
    const nextMonth = await createProgramme({
      startsAt: '2027-01-01T00:00:00+07:00',
      endsAt: '2027-02-01T00:00:00+07:00',
    });
    await join(dewi, readingList);
    expect((await join(dewi, nextMonth)).status).toBe(200);
    // Act: a title off the list, then the listed one
    clock.advance(60_000);
    await read(dewi, titleIds[3]!, 1);
    const offList = await mine(dewi, readingList);
    clock.advance(60_000);
    await read(dewi, titleIds[4]!, 1);
    // Assess
    expect(offList.progress.value).toBe(0);
    expect(await mine(dewi, readingList)).toMatchObject({
      finishedTitles: [titleIds[4]],
      progress: { value: 1, percent: 100 },
      badges: [25, 50, 75, 100],
    });
    expect((await mine(dewi, nextMonth)).progress.value).toBe(0);
  });
});

describe('what other patrons see', () => {
  it('shows totals and a leaderboard with initials, never a full name or card', async () => {
    // Act
    const response = await stack.app.request(`/programmes/${booksProgramme}`, { headers: await as(budi) });
    const anonymous = await stack.app.request(`/programmes/${booksProgramme}`);
    // Assess
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(await anonymous.text()).toBe(text);
    const body = JSON.parse(text) as {
      participants: number;
      completed: number;
      leaderboard: { displayName: string; progress: { value: number } }[];
    };
    expect(body).toMatchObject({ participants: 2, completed: 1 });
    expect(body.leaderboard).toEqual([
      expect.objectContaining({ displayName: 'S. R.', completed: true }),
      expect.objectContaining({ displayName: 'D. L.', completed: false }),
    ]);
    for (const patron of [siti, dewi]) {
      for (const word of [...patron.name.split(' '), patron.cardNumber, patron.id]) {
        expect(text).not.toContain(word);
      }
    }
  });
});
