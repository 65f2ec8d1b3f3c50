import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../functions/domain/csv';
import { bearer, createLibrarian, createPatron, json, type CreatedPatron } from '../helpers/auth';
import { addLicence, addTitle } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

interface Row {
  kind: 'title' | 'suggestion';
  id: string;
  title: string;
  author: string;
  isbn?: string;
  reasons: string[];
  holds: number;
  copies: number | null;
  ratio: number | null;
  denials30d: number;
  wishes: number;
  suggestions: number;
  notes?: string[];
  link: string;
}
interface List {
  ratio: number;
  sort: string;
  order: string;
  denialsFrom: string;
  denialsTo: string;
  data: Row[];
}

let stack: TestStack;
let librarian: CreatedPatron;
let patrons: CreatedPatron[];
const ids = { busy: '', quiet: '', turned: '', unlicensed: '', held: '' };
let suggestionId = '';

const suggest = (who: CreatedPatron, body: unknown) =>
  stack.app.request('/me/suggestions', json('POST', body, bearer(who.accessToken)));

const list = async (query = '') => {
  const response = await stack.app.request(`/admin/acquisitions${query}`, {
    headers: bearer(librarian.accessToken),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as List;
};

beforeAll(async () => {
  stack = await createTestStack();
  librarian = await createLibrarian(stack);
  patrons = await Promise.all(Array.from({ length: 6 }, () => createPatron(stack)));
  const [p0, p1, p2, p3, p4] = patrons as [
    CreatedPatron,
    CreatedPatron,
    CreatedPatron,
    CreatedPatron,
    CreatedPatron,
  ];
  const lending = stack.deps.lending;

  // Busy: one copy on loan, four holds waiting (4:1).
  ids.busy = (await addTitle(stack, { title: 'Busy Book' })).id;
  await addLicence(stack, ids.busy, { concurrency: 1 });
  await lending.checkout({ patronId: p0.patron.id, titleId: ids.busy });
  for (const p of [p1, p2, p3, p4]) await lending.placeHold({ patronId: p.patron.id, titleId: ids.busy });

  // Quiet: two copies, one on loan, nobody waiting.
  ids.quiet = (await addTitle(stack, { title: 'Quiet Book' })).id;
  await addLicence(stack, ids.quiet, { concurrency: 2 });
  await lending.checkout({ patronId: p0.patron.id, titleId: ids.quiet });

  // Turned away: its one copy is out; two patrons try to borrow it (Limit_Exceeded twice).
  ids.turned = (await addTitle(stack, { title: 'Turned Away' })).id;
  await addLicence(stack, ids.turned, { concurrency: 1 });
  await lending.checkout({ patronId: p0.patron.id, titleId: ids.turned });
  for (const p of [p1, p2]) {
    const refused = await stack.app.request(
      '/loans',
      json('POST', { titleId: ids.turned }, bearer(p.accessToken)),
    );
    await expectProblem(refused, 409, 'NO_COPY_AVAILABLE');
  }

  // Unlicensed: no licence; one patron tries (No_License), two wish for it.
  ids.unlicensed = (await addTitle(stack, { title: 'Unlicensed' })).id;
  const noLicence = await stack.app.request(
    '/loans',
    json('POST', { titleId: ids.unlicensed }, bearer(p3.accessToken)),
  );
  expect(noLicence.status).toBe(409);
  for (const p of [p1, p2]) {
    const wished = await stack.app.request(
      '/me/wishes',
      json('POST', { titleId: ids.unlicensed }, bearer(p.accessToken)),
    );
    expect(wished.status).toBe(201);
  }

  // Held: in the collection with an ISBN; a patron suggests it by title and author only.
  ids.held = (
    await addTitle(stack, {
      title: 'The Held Book',
      authors: ['Ada Writer'],
      identifiers: { isbn: ['978-3-16-148410-0'] },
    })
  ).id;
  await addLicence(stack, ids.held, { concurrency: 5 });
});
afterAll(() => stack.destroy());

describe('POST /me/suggestions', () => {
  it('deduplicates by ISBN and by normalised title and author, counting each patron once', async () => {
    const [, p1, p2, p3] = patrons as CreatedPatron[];
    // Act
    const first = await suggest(p1!, {
      title: 'Cantik Itu Luka',
      author: 'Eka Kurniawan',
      isbn: '978-602-03-1258-3',
      note: 'For the book club',
    });
    const byTitle = await suggest(p2!, { title: 'CANTIK  itu luka!', author: 'Kurniawan, Eka' });
    const byIsbn = await suggest(p3!, {
      title: 'Beauty Is a Wound',
      author: 'E. Kurniawan',
      isbn: '9786020312583',
    });
    const again = await suggest(p1!, { title: 'Cantik itu Luka', author: 'Eka Kurniawan' });
    // Assess
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; isbn: string; outcome: string };
    expect(created).toMatchObject({ outcome: 'created', isbn: '9786020312583', title: 'Cantik Itu Luka' });
    suggestionId = created.id;
    expect(byTitle.status).toBe(200);
    expect(await byTitle.json()).toMatchObject({ id: suggestionId, outcome: 'counted' });
    expect(byIsbn.status).toBe(200);
    expect(await byIsbn.json()).toMatchObject({ id: suggestionId, outcome: 'counted' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: suggestionId, outcome: 'already-suggested' });

    const row = (await list()).data.find((r) => r.id === suggestionId);
    expect(row).toMatchObject({
      kind: 'suggestion',
      title: 'Cantik Itu Luka',
      reasons: ['not-in-collection', 'suggestions'],
      suggestions: 3,
      notes: ['For the book club'],
    });
  });

  it('makes one suggestion of one title suggested by several patrons at once, counting each', async () => {
    // Act: four patrons send the same new title at the same moment, spelled differently
    const spellings = [
      'Ronggeng Dukuh Paruk',
      'ronggeng dukuh paruk',
      'RONGGENG  DUKUH PARUK.',
      'Ronggeng Dukuh Paruk',
    ];
    const answers = await Promise.all(
      patrons.slice(0, 4).map((p, i) => suggest(p, { title: spellings[i], author: 'Ahmad Tohari' })),
    );
    // Assess
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { id: string; outcome: string }[];
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.filter((b) => b.outcome === 'created')).toHaveLength(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    const row = (await list()).data.find((r) => r.id === bodies[0]!.id);
    expect(row).toMatchObject({ suggestions: 4, title: expect.stringMatching(/ronggeng dukuh paruk/i) });
  });

  it('stores no patron id in clear and shows none to librarians', async () => {
    // Prepare
    const [, p1, p2, p3] = patrons as CreatedPatron[];
    const suggesters = [p1!, p2!, p3!].map((p) => p.patron.id);
    // Act
    const items = (await scanTable(stack)).filter((i) => /^SUGGEST/.test(String(i.pk)));
    const listed = JSON.stringify(await list());
    const csv = await (
      await stack.app.request('/admin/acquisitions?format=csv', { headers: bearer(librarian.accessToken) })
    ).text();
    // Assess: three votes under the suggestion, named by hashes only.
    const votes = items.filter(
      (i) => i.pk === `SUGGESTION#${suggestionId}` && String(i.sk).startsWith('VOTE#'),
    );
    expect(votes).toHaveLength(3);
    const stored = JSON.stringify(items);
    for (const id of suggesters) {
      expect(stored).not.toContain(id);
      expect(stored).not.toContain(id.slice(2));
      expect(listed).not.toContain(id);
      expect(csv).not.toContain(id);
    }
  });

  it('refuses bad input with stable codes', async () => {
    const p = patrons[4]!;
    await expectProblem(
      await suggest(p, { title: 'A Book', author: 'Someone', isbn: '978-602-03-1258-4' }),
      400,
      'ISBN_INVALID',
    );
    await expectProblem(
      await suggest(p, { title: 'A Book', author: 'Someone', isbn: '12345' }),
      400,
      'ISBN_INVALID',
    );
    await expectProblem(
      await suggest(p, { title: '?!…', author: 'Someone' }),
      400,
      'SUGGESTION_TITLE_INVALID',
    );
    await expectProblem(
      await suggest(p, { title: 'A Book', author: 'Someone', note: 'x'.repeat(501) }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(await suggest(p, { title: 'A Book' }), 400, 'VALIDATION_FAILED');
    await expectProblem(
      await suggest(p, { title: 'A Book', author: 'Someone', patronId: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(
      await stack.app.request('/me/suggestions', json('POST', { title: 'A Book', author: 'Someone' })),
      401,
      'UNAUTHORIZED',
    );
    // Nothing was stored by the refusals.
    const titles = (await list()).data.map((r) => r.title);
    expect(titles).not.toContain('A Book');
  });
});

describe('GET /admin/acquisitions', () => {
  it('lists a title at 4 holds on 1 copy at ratio 3, not at ratio 5, and never the quiet one', async () => {
    const at3 = await list('?ratio=3');
    const busy = at3.data.find((r) => r.id === ids.busy);
    expect(busy).toMatchObject({
      kind: 'title',
      title: 'Busy Book',
      reasons: ['holds-ratio'],
      holds: 4,
      copies: 1,
      ratio: 4,
      link: `/#/console/titles/${ids.busy}`,
    });
    expect(at3.ratio).toBe(3);
    const at5 = await list('?ratio=5');
    expect(at5.data.map((r) => r.id)).not.toContain(ids.busy);
    expect([...at3.data, ...at5.data].map((r) => r.id)).not.toContain(ids.quiet);
    // The default is 3:1.
    expect((await list()).data.map((r) => r.id)).toContain(ids.busy);
  });

  it('counts turnaways of both kinds, wishes, and suggestions of titles held', async () => {
    const { data, denialsFrom, denialsTo } = await list();
    const byId = Object.fromEntries(data.map((r) => [r.id, r]));
    expect(byId[ids.turned]).toMatchObject({ reasons: ['denials'], denials30d: 2, holds: 0, copies: 1 });
    expect(byId[ids.unlicensed]).toMatchObject({
      reasons: ['denials', 'wishes'],
      denials30d: 1,
      wishes: 2,
      copies: 0,
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(denialsTo).toBe(today);
    expect(Date.parse(denialsTo) - Date.parse(denialsFrom)).toBe(29 * 86_400_000);
    // Suggested by title and author only, matched to the title held (ISBN 978-3-16-148410-0).
    const [, , p2] = patrons as CreatedPatron[];
    expect((await suggest(p2!, { title: 'held book', author: 'Writer, Ada' })).status).toBe(201);
    const after = (await list()).data;
    expect(after.find((r) => r.id === ids.held)).toMatchObject({
      kind: 'title',
      reasons: ['suggestions'],
      suggestions: 1,
    });
    expect(after.filter((r) => r.title === 'held book')).toEqual([]);
  });

  it('sorts by any column, either way', async () => {
    const order = async (query: string) =>
      (await list(query)).data
        .filter((r) => Object.values(ids).includes(r.id) || r.id === suggestionId)
        .map((r) => r.id);
    expect((await order('?sort=ratio'))[0]).toBe(ids.busy);
    expect(await order('?sort=denials30d')).toEqual(expect.arrayContaining([ids.turned, ids.unlicensed]));
    const byDenials = await order('?sort=denials30d');
    expect(byDenials.slice(0, 2)).toEqual([ids.turned, ids.unlicensed]);
    expect((await order('?sort=suggestions'))[0]).toBe(suggestionId);
    expect((await order('?sort=wishes'))[0]).toBe(ids.unlicensed);
    const byTitle = await list('?sort=title');
    expect(byTitle.order).toBe('asc');
    const titles = byTitle.data.map((r) => r.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, 'id', { sensitivity: 'base' })));
    const desc = (await list('?sort=title&order=desc')).data.map((r) => r.title);
    expect(desc).toEqual([...titles].reverse());
  });

  it('exports the same list as CSV', async () => {
    // Act
    const response = await stack.app.request('/admin/acquisitions?format=csv&sort=denials30d', {
      headers: bearer(librarian.accessToken),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('acquisitions.csv');
    const records = readCsv(await response.text()).map((r) => r.cells);
    const [headings, ...rows] = records;
    expect(headings).toEqual([
      'kind',
      'id',
      'title',
      'author',
      'isbn',
      'reasons',
      'holds',
      'copies',
      'ratio',
      'denials30d',
      'wishes',
      'suggestions',
      'link',
    ]);
    const json = (await list('?sort=denials30d')).data;
    expect(rows.map((r) => r[1])).toEqual(json.map((r) => r.id));
    expect(rows[0]).toEqual([
      'title',
      ids.turned,
      'Turned Away',
      'Test Author',
      '',
      'denials',
      '0',
      '1',
      '',
      '2',
      '0',
      '0',
      `/#/console/titles/${ids.turned}`,
    ]);
    const busy = rows.find((r) => r[1] === ids.busy)!;
    expect(busy.slice(5, 12)).toEqual(['holds-ratio', '4', '1', '4', '0', '0', '0']);
  });

  it('is for librarians only, and refuses bad parameters', async () => {
    await expectProblem(
      await stack.app.request('/admin/acquisitions', { headers: bearer(patrons[0]!.accessToken) }),
      403,
      'FORBIDDEN',
    );
    await expectProblem(await stack.app.request('/admin/acquisitions'), 401, 'UNAUTHORIZED');
    for (const query of ['?ratio=abc', '?ratio=0', '?sort=bogus', '?order=up', '?format=xml']) {
      await expectProblem(
        await stack.app.request(`/admin/acquisitions${query}`, { headers: bearer(librarian.accessToken) }),
        400,
        'VALIDATION_FAILED',
      );
    }
  });
});
