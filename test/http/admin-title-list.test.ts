import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTitleListing } from '../../functions/adapters/title-listing';
import { createApp } from '../../functions/http/app';
import { bearer, createLibrarian, createPatron } from '../helpers/auth';
import { addLicence, addTitle, day, FakeClock } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * GET /admin/titles (issue 17 item 6): the librarians' list of every title, over DynamoDB Local. The titles
 * and licences are written through the real adapters; each filter is asked through the HTTP API.
 */

let stack: TestStack;
const clock = new FakeClock('2026-06-01T09:00:00.000Z');
let librarian: Record<string, string>;
const ids: Record<string, string> = {};

interface Row {
  id: string;
  title: string;
  authors: string[];
  format: string;
  access: string;
  withdrawn: boolean;
  isbn: string[];
  licences: { active: number; total: number; soonestExpiry: string | null; checkoutsLeft: number | null };
  link: string;
}
interface ListBody {
  data: Row[];
  cursor: string | null;
}

const inDays = (n: number) => new Date(clock.now().getTime() + n * day).toISOString();

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarian = bearer((await createLibrarian(stack)).accessToken);
  const add = async (key: string, overrides: Parameters<typeof addTitle>[1]) => {
    ids[key] = (await addTitle(stack, { id: `t-${key}`, ...overrides })).id;
  };
  await add('cantik', {
    title: 'Cantik Itu Luka',
    authors: ['Eka Kurniawan'],
    identifiers: { isbn: ['9789792212561'] },
  });
  await add('bumi', { title: 'Bumi Manusia', authors: ['Pramoedya Ananta Toer'], format: 'pdf' });
  await add('ronggeng', { title: 'Ronggeng Dukuh Paruk', authors: ['Ahmad Tohari'], access: 'open' });
  await add('saman', { title: 'Sâman', authors: ['Ayu Utami'] });
  await add('laskar', { title: 'Laskar Pelangi', authors: ['Andréa Hirata'] });
  await add('gone', { title: 'Gadis Pantai', authors: ['Pramoedya Ananta Toer'] });
  // Licences: cantik expires in 20 days (5 checkouts of 5 left: nearly used up), bumi lends for ever with
  // 100 of 100 left, laskar's only licence has expired, saman has none.
  await addLicence(stack, ids.cantik!, { expires: inDays(20), checkouts: 5 });
  await addLicence(stack, ids.bumi!, { checkouts: 100 });
  await addLicence(stack, ids.bumi!, { expires: inDays(45) });
  await addLicence(stack, ids.laskar!, { expires: inDays(2) });
  clock.advance(3 * day);
  librarian = bearer((await createLibrarian(stack)).accessToken);
  const withdrawn = await stack.app.request(`/admin/titles/${ids.gone}`, {
    method: 'DELETE',
    headers: librarian,
  });
  expect(withdrawn.status).toBe(200);
});
afterAll(() => stack.destroy());

async function list(query: string, app = stack.app): Promise<ListBody> {
  const response = await app.request(`/admin/titles${query}`, { headers: librarian });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ListBody;
}
const idsOf = (body: ListBody) => body.data.map((r) => r.id);

describe('GET /admin/titles', () => {
  it('lists every title, the catalogue in title order and then the withdrawn, each with its summary and link', async () => {
    // Act
    const body = await list('');
    // Assess
    expect(idsOf(body)).toEqual([ids.bumi, ids.cantik, ids.laskar, ids.ronggeng, ids.saman, ids.gone]);
    expect(body.cursor).toBeNull();
    const cantik = body.data.find((r) => r.id === ids.cantik)!;
    expect(cantik).toEqual({
      id: ids.cantik,
      title: 'Cantik Itu Luka',
      authors: ['Eka Kurniawan'],
      format: 'epub',
      access: 'licensed',
      withdrawn: false,
      isbn: ['9789792212561'],
      licences: { active: 1, total: 1, soonestExpiry: inDays(17), checkoutsLeft: 5 },
      link: `#/console/titles/${ids.cantik}`,
    });
    expect(body.data.find((r) => r.id === ids.bumi)!.licences).toEqual({
      active: 2,
      total: 2,
      soonestExpiry: inDays(42),
      checkoutsLeft: null,
    });
    expect(body.data.find((r) => r.id === ids.laskar)!.licences).toMatchObject({ active: 0, total: 1 });
    expect(body.data.find((r) => r.id === ids.gone)!.withdrawn).toBe(true);
  });

  it('searches title, author and ISBN, ignoring case and accents', async () => {
    // Act / Assess
    expect(idsOf(await list('?q=SAMAN'))).toEqual([ids.saman]);
    expect(idsOf(await list('?q=andrea'))).toEqual([ids.laskar]);
    expect(idsOf(await list('?q=pramoedya'))).toEqual([ids.bumi, ids.gone]);
    expect(idsOf(await list('?q=978-979-22-1256-1'))).toEqual([ids.cantik]);
    expect(idsOf(await list('?q=luka%20eka'))).toEqual([ids.cantik]);
    expect(idsOf(await list('?q=tidak%20ada'))).toEqual([]);
  });

  it('filters by access, format and withdrawn', async () => {
    // Act / Assess
    expect(idsOf(await list('?access=open'))).toEqual([ids.ronggeng]);
    expect(idsOf(await list('?format=pdf'))).toEqual([ids.bumi]);
    expect(idsOf(await list('?withdrawn=true'))).toEqual([ids.gone]);
    expect(idsOf(await list('?withdrawn=false&q=pramoedya'))).toEqual([ids.bumi]);
  });

  it('filters titles without a licence, with one expiring within 30 days, and with checkouts nearly used up', async () => {
    // Act / Assess
    expect(idsOf(await list('?withoutLicence=true&withdrawn=false'))).toEqual([ids.laskar, ids.saman]);
    expect(idsOf(await list('?licenceExpiringWithin=30'))).toEqual([ids.cantik]);
    expect(idsOf(await list('?licenceExpiringWithin=60'))).toEqual([ids.bumi, ids.cantik]);
    expect(idsOf(await list('?checkoutsNearlyUsedUp=true'))).toEqual([ids.cantik]);
    expect(idsOf(await list('?checkoutsNearlyUsedUp=true&format=pdf'))).toEqual([]);
  });

  it('pages with an opaque cursor across several DynamoDB pages, each title once', async () => {
    // Prepare: an app whose listing reads the index two titles at a time (so each page spans queries)
    const app = createApp({
      ...stack.deps,
      titleList: new DynamoTitleListing(stack.clients.documents, stack.config.TABLE_NAME, { chunk: 2 }),
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    // Act
    do {
      const body: ListBody = await list(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`, app);
      seen.push(...idsOf(body));
      cursor = body.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    const filtered: string[] = [];
    cursor = null;
    do {
      const body: ListBody = await list(
        `?limit=1&withoutLicence=true${cursor ? `&cursor=${cursor}` : ''}`,
        app,
      );
      filtered.push(...idsOf(body));
      cursor = body.cursor;
    } while (cursor);
    // Assess
    expect(seen).toEqual([ids.bumi, ids.cantik, ids.laskar, ids.ronggeng, ids.saman, ids.gone]);
    expect(pages).toBe(2);
    expect(filtered).toEqual([ids.laskar, ids.saman, ids.gone]);
  });

  it('refuses a cursor it did not issue, a bad filter, and anyone but a librarian', async () => {
    // Act / Assess
    await expectProblem(
      await stack.app.request('/admin/titles?cursor=bm90LWEtY3Vyc29y', { headers: librarian }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(
      await stack.app.request('/admin/titles?access=borrowed', { headers: librarian }),
      400,
      'VALIDATION_FAILED',
    );
    const patron = bearer((await createPatron(stack)).accessToken);
    await expectProblem(await stack.app.request('/admin/titles', { headers: patron }), 403, 'FORBIDDEN');
  });
});
