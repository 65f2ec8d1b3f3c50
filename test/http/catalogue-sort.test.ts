import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../functions/domain/title';
import { bearer, createPatron, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addLicence, addTitle, day } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Sorting and browsing on a catalogue seeded here: titles added on different days, in two languages, with
 * subjects, and loans started at known times (some more than 30 days ago, which "most borrowed" must not count).
 */

const clock = new FakeClock('2026-03-01T09:00:00.000Z');
let stack: TestStack;
const seeded: Record<string, Title> = {};

const catalogue: { key: string; title: string; language: string; subjects: string[] }[] = [
  { key: 'laskar', title: 'Laskar Pelangi', language: 'id', subjects: ['Fiksi', 'Pendidikan'] },
  { key: 'bumi', title: 'Bumi Manusia', language: 'id', subjects: ['Fiksi', 'Sejarah'] },
  { key: 'moby', title: 'Moby-Dick', language: 'en', subjects: ['Fiction', 'Whaling'] },
  { key: 'alice', title: 'Alice in Wonderland', language: 'en-GB', subjects: ['fiksi', 'Children'] },
  { key: 'atlas', title: 'Atlas Nusantara', language: 'id', subjects: ['Geografi'] },
];

async function listed(query: string): Promise<string[]> {
  const response = await stack.app.request(`/titles?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { data: Title[] }).data.map((t) => t.title);
}

async function borrow(title: Title, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const patron = await createPatron(stack);
    const response = await stack.app.request(
      '/loans',
      json('POST', { titleId: title.id }, bearer(patron.accessToken)),
    );
    expect(response.status, await response.clone().text()).toBe(201);
  }
}

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  // Prepare: one title a day, in this order (so "newest" is the reverse)
  for (const entry of catalogue) {
    seeded[entry.key] = await addTitle(stack, {
      title: entry.title,
      language: entry.language,
      subjects: entry.subjects,
    });
    await addLicence(stack, seeded[entry.key]!.id, { concurrency: 10 });
    clock.advance(day);
  }
  // Loans: Atlas 3 times long ago (outside the 30 days), then Bumi twice and Moby once within them.
  await borrow(seeded.atlas!, 3);
  clock.advance(40 * day);
  await borrow(seeded.bumi!, 2);
  await borrow(seeded.moby!, 1);
  clock.advance(day);
});
afterAll(() => stack.destroy());

describe('GET /titles?sort=', () => {
  it('sorts by title, ignoring case and leading articles', async () => {
    expect(await listed('sort=title')).toEqual([
      'Alice in Wonderland',
      'Atlas Nusantara',
      'Bumi Manusia',
      'Laskar Pelangi',
      'Moby-Dick',
    ]);
  });

  it('lists new arrivals newest first', async () => {
    expect(await listed('sort=newest')).toEqual([
      'Atlas Nusantara',
      'Alice in Wonderland',
      'Moby-Dick',
      'Bumi Manusia',
      'Laskar Pelangi',
    ]);
  });

  it('puts the most borrowed in the last 30 days first; older loans do not count', async () => {
    const order = await listed('sort=borrowed');
    expect(order.slice(0, 2)).toEqual(['Bumi Manusia', 'Moby-Dick']);
    // Never borrowed in the window: title order after them (Atlas's loans are 41 days old).
    expect(order.slice(2)).toEqual(['Alice in Wonderland', 'Atlas Nusantara', 'Laskar Pelangi']);
  });

  it('keeps relevance for words, and sorts a search too', async () => {
    expect((await listed('q=bumi'))[0]).toBe('Bumi Manusia');
    expect(await listed('lang=id&sort=newest')).toEqual([
      'Atlas Nusantara',
      'Bumi Manusia',
      'Laskar Pelangi',
    ]);
    await expectProblem(await stack.app.request('/titles?sort=popular'), 400, 'VALIDATION_FAILED');
  });

  it('pages a sorted list without repeating or losing a title', async () => {
    const first = await stack.app.request('/titles?sort=newest&limit=3');
    const page = (await first.json()) as { data: Title[]; cursor: string };
    const rest = (await (
      await stack.app.request(`/titles?sort=newest&limit=3&cursor=${page.cursor}`)
    ).json()) as {
      data: Title[];
      cursor: string | null;
    };
    expect([...page.data, ...rest.data].map((t) => t.title)).toEqual(await listed('sort=newest'));
    expect(rest.cursor).toBeNull();
    // A cursor belongs to its sort.
    await expectProblem(
      await stack.app.request(`/titles?sort=title&cursor=${page.cursor}`),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('GET /browse', () => {
  it('counts titles per subject (case and accents folded) and per language (en-GB as en)', async () => {
    // Act
    const response = await stack.app.request('/browse');
    const body = (await response.json()) as {
      total: number;
      subjects: { value: string; count: number }[];
      languages: { value: string; count: number }[];
    };
    // Assess
    expect(response.status).toBe(200);
    expect(body.total).toBe(5);
    expect(body.languages).toEqual([
      { value: 'id', count: 3 },
      { value: 'en', count: 2 },
    ]);
    expect(body.subjects[0]).toEqual({ value: 'Fiksi', count: 3 });
    expect(body.subjects).toContainEqual({ value: 'Geografi', count: 1 });
  });

  it('counts each facet with the other filters applied, not its own', async () => {
    const body = (await (await stack.app.request('/browse?lang=id&subject=fiksi')).json()) as {
      total: number;
      subjects: { value: string; count: number }[];
      languages: { value: string; count: number }[];
    };
    expect(body.total).toBe(2);
    // Languages of the "fiksi" titles, whatever language was picked.
    expect(body.languages).toEqual([
      { value: 'id', count: 2 },
      { value: 'en', count: 1 },
    ]);
    // Subjects of the Indonesian titles.
    expect(body.subjects.map((s) => s.value)).toEqual(['Fiksi', 'Geografi', 'Pendidikan', 'Sejarah']);
    await expectProblem(await stack.app.request('/browse?lang=1'), 400, 'VALIDATION_FAILED');
  });
});
