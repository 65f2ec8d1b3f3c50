import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterReport } from '../../functions/domain/counter';
import type { Title } from '../../functions/domain/title';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addLicence, addTitle } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';
import { partnerInput, registerPartner } from './federation/fixtures';

/**
 * A scripted stretch of use (January and February 2026: two patrons, licensed and open books, double clicks
 * inside and outside 30 s, a mid-book link renewal, both kinds of denial, searches, /go redirects), then the
 * COUNTER reports of March: every count below is worked out by hand from the script.
 */

const samples = resolve(import.meta.dirname, '../../../shared/specs/counter-r51/samples');

let stack: TestStack;
const clock = new FakeClock('2026-01-05T09:00:00.000Z');
let librarianId: string;
let a: string;
let b: string;
const patronIds: string[] = [];
let alpha: Title;
let beta: Title;
let gamma: Title;
let delta: Title;
let sushi: { customer_id: string; requestor_id: string; api_key: string };

const at = (iso: string) => clock.set(iso);
/** A token issued now (the clock jumps by hours and months; tokens live 15 minutes). */
async function tokenOf(patronId: string): Promise<string> {
  const roles = patronId === librarianId ? (['patron', 'librarian'] as const) : (['patron'] as const);
  return (await stack.deps.tokens.issue({ patronId, roles: [...roles] }, { now: clock.now() })).token;
}
const authOf = async (patronId: string) => bearer(await tokenOf(patronId));
const access = async (titleId: string, patronId: string, renewal = false) =>
  stack.app.request(`/titles/${titleId}/access${renewal ? '?renewal=true' : ''}`, {
    method: 'POST',
    headers: await authOf(patronId),
  });
const borrow = async (titleId: string, patronId: string) =>
  stack.app.request('/loans', json('POST', { titleId }, await authOf(patronId)));
const go = async (url: string, patronId: string) =>
  stack.app.request(`/go?url=${encodeURIComponent(url)}`, { headers: await authOf(patronId) });

async function report(id: string, query: Record<string, string> = {}) {
  const params = new URLSearchParams({ ...sushi, begin_date: '2026-01', end_date: '2026-02', ...query });
  const response = await stack.app.request(`/sushi/r51/reports/${id}?${params}`);
  const body = (await response.json()) as CounterReport;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

function sample(name: string): CounterReport {
  return JSON.parse(readFileSync(resolve(samples, name), 'utf8')) as CounterReport;
}

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarianId = (await createLibrarian(stack)).patron.id;
  for (const created of [await createPatron(stack), await createPatron(stack)])
    patronIds.push(created.patron.id);
  [a, b] = patronIds as [string, string];
  const book = { publisher: 'Penerbit Nusantara', format: 'epub' as const };
  alpha = await addTitle(stack, {
    ...book,
    title: 'Alpha Book',
    published: '2020-05-01',
    identifiers: { isbn: ['978-602-0000-01-1'], doi: ['10.5555/alpha'] },
  });
  beta = await addTitle(stack, { ...book, title: 'Beta Book', published: '2019', identifiers: {} });
  gamma = await addTitle(stack, { ...book, title: 'Gamma Book', published: '2021', access: 'open' });
  delta = await addTitle(stack, { ...book, title: 'Delta Book', published: '2018' });
  await addLicence(stack, alpha.id, { concurrency: 1 });
  await addLicence(stack, beta.id, { concurrency: 1 });
  const idp = {
    issuer: 'https://idp.example.edu',
    jwksUri: 'https://idp.example.edu/jwks',
    audience: 'pustaka',
  };
  await registerPartner(
    stack,
    await tokenOf(librarianId),
    partnerInput(idp, {
      id: 'lic-partner',
      name: 'Universitas Lautan',
      databases: [{ name: 'LIC Journals', domain: 'lic.com', startUrl: 'https://www.lic.com/' }],
    }),
  );
  await registerPartner(
    stack,
    await tokenOf(librarianId),
    partnerInput(
      { ...idp, issuer: 'https://idp.old.example.net' },
      {
        id: 'old-partner',
        name: 'Institut Lama',
        status: 'suspended',
        databases: [
          {
            name: 'Old Archive',
            host: 'archive.old.example.net',
            startUrl: 'https://archive.old.example.net/',
          },
        ],
      },
    ),
  );

  // ---- January 2026, 09:00 (one user-session per patron and hour) ----
  expect((await borrow(alpha.id, a)).status).toBe(201);
  at('2026-01-05T09:00:00Z');
  expect((await access(alpha.id, a)).status).toBe(200); // Alpha request 1 (unique 1)
  at('2026-01-05T09:00:10Z');
  expect((await access(alpha.id, a)).status).toBe(200); // 10 s later: a double click, not counted
  at('2026-01-05T09:00:50Z');
  expect((await access(alpha.id, a)).status).toBe(200); // 40 s after the last click: request 2, same session
  at('2026-01-05T09:10:00Z');
  expect((await access(alpha.id, a, true)).status).toBe(200); // mid-book renewal: not counted
  at('2026-01-05T09:11:00Z');
  expect((await borrow(alpha.id, b)).status).toBe(409); // no free copy: Limit_Exceeded 1
  at('2026-01-05T09:11:05Z');
  expect((await borrow(alpha.id, b)).status).toBe(409); // 5 s later: a double click, not counted
  at('2026-01-05T09:13:00Z');
  expect((await borrow(alpha.id, b)).status).toBe(409); // Limit_Exceeded 2
  expect((await borrow(delta.id, b)).status).toBe(409); // no licence at all: No_License 1
  at('2026-01-05T09:20:00Z');
  expect((await access(gamma.id, a)).status).toBe(200); // open book: Gamma request 1
  at('2026-01-05T09:21:00Z');
  expect((await access(gamma.id, b)).status).toBe(200); // Gamma request 2 (another user)
  at('2026-01-05T09:22:00Z');
  expect((await stack.app.request(`/titles/${gamma.id}`)).status).toBe(200); // the title's record: not counted (every page reads it)
  at('2026-01-05T09:30:00Z');
  expect((await stack.app.request('/titles?q=alpha')).status).toBe(200); // search 1
  const page = (await (await stack.app.request('/titles?q=book&limit=1')).json()) as { cursor: string };
  expect(page.cursor).toEqual(expect.any(String)); // search 2
  expect((await stack.app.request(`/titles?q=book&limit=1&cursor=${page.cursor}`)).status).toBe(200); // next page
  expect((await stack.app.request('/titles')).status).toBe(200); // the plain listing: no search
  at('2026-01-05T09:40:00Z');
  expect((await go('https://www.lic.com/', a)).status).toBe(302); // database investigation 1
  at('2026-01-05T09:40:10Z');
  expect((await go('https://www.lic.com/', a)).status).toBe(302); // double click
  at('2026-01-05T09:41:20Z');
  expect((await go('https://www.lic.com/', a)).status).toBe(302); // investigation 2, same session
  await expectProblem(await go('https://archive.old.example.net/x', a), 400, 'GO_TARGET_REFUSED'); // No_License
  at('2026-01-05T11:00:00Z');
  // Asked as a renewal, but the last link of Alpha was 110 minutes ago: a new reading, request 3 (unique 2).
  expect((await access(alpha.id, a, true)).status).toBe(200);

  // ---- February 2026 ----
  at('2026-02-14T08:00:00Z');
  expect((await borrow(beta.id, b)).status).toBe(201);
  expect((await access(beta.id, b)).status).toBe(200); // Beta request 1

  // ---- reports are asked for in March ----
  at('2026-03-10T12:00:00Z');
  const issued = await stack.app.request(
    '/admin/counter/credentials',
    json('POST', { customerId: 'library', label: 'Consortium ERM' }, await authOf(librarianId)),
  );
  const credential = (await issued.json()) as { customerId: string; requestorId: string; apiKey: string };
  expect(issued.status).toBe(201);
  sushi = {
    customer_id: credential.customerId,
    requestor_id: credential.requestorId,
    api_key: credential.apiKey,
  };
}, 120_000);

afterAll(async () => {
  await stack?.destroy();
});

const alphaItem = () => ({
  Title: 'Alpha Book',
  Publisher: 'Penerbit Nusantara',
  Platform: 'Pustaka',
  Item_ID: { DOI: '10.5555/alpha', Proprietary: `Pustaka:${alpha.id}`, ISBN: '978-602-0000-01-1' },
});
const plainItem = (title: Title) => ({
  Title: title.title,
  Publisher: 'Penerbit Nusantara',
  Platform: 'Pustaka',
  Item_ID: { Proprietary: `Pustaka:${title.id}` },
});

describe('the scripted usage, as COUNTER reports', () => {
  it('TR_B1: licensed book requests, double clicks and the renewal left out, unique per user-session', async () => {
    const body = await report('tr_b1');
    expect(body.Report_Items).toEqual([
      {
        ...alphaItem(),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2020',
            Performance: { Total_Item_Requests: { '2026-01': 3 }, Unique_Title_Requests: { '2026-01': 2 } },
          },
        ],
      },
      {
        ...plainItem(beta),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2019',
            Performance: { Total_Item_Requests: { '2026-02': 1 }, Unique_Title_Requests: { '2026-02': 1 } },
          },
        ],
      },
    ]);
    expect(body.Report_Header.Exceptions).toBeUndefined();
  });

  it('TR_B2: Limit_Exceeded twice (a double click dropped), No_License once', async () => {
    const body = await report('tr_b2');
    expect(body.Report_Items).toEqual([
      {
        ...alphaItem(),
        Attribute_Performance: [
          { Data_Type: 'Book', YOP: '2020', Performance: { Limit_Exceeded: { '2026-01': 2 } } },
        ],
      },
      {
        ...plainItem(delta),
        Attribute_Performance: [
          { Data_Type: 'Book', YOP: '2018', Performance: { No_License: { '2026-01': 1 } } },
        ],
      },
    ]);
  });

  it('TR_B3: investigations and requests by access type, the open book included', async () => {
    const body = await report('tr_b3');
    const all = (n: number, month = '2026-01') => ({ [month]: n });
    expect(body.Report_Items).toEqual([
      {
        ...alphaItem(),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2020',
            Access_Type: 'Controlled',
            Performance: {
              Total_Item_Investigations: all(3),
              Total_Item_Requests: all(3),
              Unique_Item_Investigations: all(2),
              Unique_Item_Requests: all(2),
              Unique_Title_Investigations: all(2),
              Unique_Title_Requests: all(2),
            },
          },
        ],
      },
      {
        ...plainItem(beta),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2019',
            Access_Type: 'Controlled',
            Performance: {
              Total_Item_Investigations: all(1, '2026-02'),
              Total_Item_Requests: all(1, '2026-02'),
              Unique_Item_Investigations: all(1, '2026-02'),
              Unique_Item_Requests: all(1, '2026-02'),
              Unique_Title_Investigations: all(1, '2026-02'),
              Unique_Title_Requests: all(1, '2026-02'),
            },
          },
        ],
      },
      {
        ...plainItem(gamma),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2021',
            Access_Type: 'Open',
            Performance: {
              // Two requests by two patrons (reading the title's record counts nothing).
              Total_Item_Investigations: all(2),
              Total_Item_Requests: all(2),
              Unique_Item_Investigations: all(2),
              Unique_Item_Requests: all(2),
              Unique_Title_Investigations: all(2),
              Unique_Title_Requests: all(2),
            },
          },
        ],
      },
    ]);
  });

  it('PR_P1: the platform’s requests (licensed and open) and its searches (a next page is no search)', async () => {
    const body = await report('pr_p1');
    expect(body.Report_Items).toEqual([
      {
        Platform: 'Pustaka',
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            Performance: {
              Total_Item_Requests: { '2026-01': 5, '2026-02': 1 },
              Unique_Item_Requests: { '2026-01': 4, '2026-02': 1 },
              Unique_Title_Requests: { '2026-01': 4, '2026-02': 1 },
            },
          },
          { Data_Type: 'Platform', Performance: { Searches_Platform: { '2026-01': 2 } } },
        ],
      },
    ]);
  });

  it('DR_D1: the partner database reached through /go, a double click dropped', async () => {
    const body = await report('dr_d1');
    expect(body.Report_Items).toEqual([
      {
        Database: 'LIC Journals',
        Publisher: 'Universitas Lautan',
        Platform: 'Pustaka',
        Item_ID: { Proprietary: 'Pustaka:lic-partner/LIC Journals' },
        Attribute_Performance: [
          {
            Performance: {
              Total_Item_Investigations: { '2026-01': 2 },
              Unique_Item_Investigations: { '2026-01': 1 },
            },
          },
        ],
      },
    ]);
  });

  it('DR_D2: the suspended partner’s database refused as No_License', async () => {
    const body = await report('dr_d2');
    expect(body.Report_Items).toEqual([
      {
        Database: 'Old Archive',
        Publisher: 'Institut Lama',
        Platform: 'Pustaka',
        Item_ID: { Proprietary: 'Pustaka:old-partner/Old Archive' },
        Attribute_Performance: [{ Performance: { No_License: { '2026-01': 1 } } }],
      },
    ]);
  });

  it('only months with usage appear: January alone has no February keys', async () => {
    const body = await report('tr_b1', { end_date: '2026-01' });
    expect(body.Report_Header.Report_Filters.End_Date).toBe('2026-01-31');
    expect(body.Report_Items).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain('2026-02');
  });

  it('keeps no patron id: markers hold hashes only and aggregates hold numbers', async () => {
    const items = await scanTable(stack);
    const counterItems = items.filter((i) => /^COUNTER/.test(String(i.pk)));
    expect(counterItems.length).toBeGreaterThan(0);
    const text = JSON.stringify(counterItems);
    for (const id of patronIds) expect(text).not.toContain(id);
    expect(text).not.toContain('patron:');
    for (const marker of counterItems.filter((i) => /^COUNTER(CLICK|SESSION|READING)#/.test(String(i.pk))))
      expect(marker.ttl).toEqual(expect.any(Number));
  });
});

describe('COUNTER’s shape, field by field against the samples', () => {
  it.each([
    ['tr_b1', 'TRB1_sample_r51.json'],
    ['tr_b2', 'TRB2_sample_r51.json'],
    ['tr_b3', 'TRB3_sample_r51.json'],
    ['pr_p1', 'PRP1_sample_r51.json'],
    ['dr_d1', 'DRD1_sample_r51.json'],
    ['dr_d2', 'DRD2_sample_r51.json'],
    ['tr_j1', 'TRJ1_sample_r51.json'],
    ['tr_j3', 'TRJ3_sample_r51.json'],
    ['pr', 'PR_sample_r51.json'],
    ['dr', 'DRD1_sample_r51.json'],
    ['tr', 'TR_sample_r51.json'],
  ])('%s has the header of %s, and the request’s own dates', async (id, file) => {
    const body = await report(id);
    const expected = sample(file).Report_Header;
    const header = body.Report_Header;
    const withoutOptional = (keys: string[]) =>
      keys.filter((k) => !['Report_Attributes', 'Exceptions'].includes(k));
    expect(withoutOptional(Object.keys(header))).toEqual(withoutOptional(Object.keys(expected)));
    expect(header.Release).toBe('5.1');
    expect(header.Report_ID).toBe(id.toUpperCase());
    if (id !== 'dr') expect(header.Report_Name).toBe(expected.Report_Name);
    expect(header.Created).toBe('2026-03-10T12:00:00Z');
    expect(header.Institution_ID).toEqual({ Proprietary: ['Pustaka:library'] });
    expect(header.Institution_Name).toBe('Perpustakaan Kota Nusantara');
    // The standard views' filters are COUNTER's, in COUNTER's order; only the dates are the request's.
    const filters = { ...expected.Report_Filters, Begin_Date: '2026-01-01', End_Date: '2026-02-28' };
    if (['pr', 'dr', 'tr'].includes(id)) {
      expect(header.Report_Filters).toEqual({ Begin_Date: '2026-01-01', End_Date: '2026-02-28' });
    } else {
      expect(header.Report_Filters).toEqual(filters);
      expect(Object.keys(header.Report_Filters)).toEqual(Object.keys(filters));
    }
    // Items: only element names COUNTER's sample item uses, in its order; attribute names likewise.
    const sampleItem = sample(file).Report_Items[0]!;
    for (const item of body.Report_Items) {
      const names = Object.keys(item).filter((k) => k !== 'Publisher_ID');
      expect(Object.keys(sampleItem).filter((k) => names.includes(k))).toEqual(names);
      for (const performance of item.Attribute_Performance) {
        const sampleAttributes = Object.keys(sampleItem.Attribute_Performance[0]!);
        if (!['pr', 'tr'].includes(id)) expect(Object.keys(performance)).toEqual(sampleAttributes);
        for (const series of Object.values(
          performance.Performance as Record<string, Record<string, number>>,
        )) {
          for (const [month, n] of Object.entries(series)) {
            expect(month).toMatch(/^2026-0[12]$/);
            expect(n).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('the master TR with attributes_to_show and filters echoes them, as the TR sample does', async () => {
    const body = await report('tr', {
      attributes_to_show: 'YOP|Access_Type|Access_Method',
      access_type: 'Open',
      metric_type: 'Total_Item_Requests',
    });
    expect(body.Report_Header.Report_Attributes).toEqual({
      Attributes_To_Show: ['YOP', 'Access_Type', 'Access_Method'],
    });
    expect(body.Report_Header.Report_Filters).toEqual({
      Begin_Date: '2026-01-01',
      End_Date: '2026-02-28',
      Metric_Type: ['Total_Item_Requests'],
      Access_Type: ['Open'],
    });
    expect(body.Report_Items).toEqual([
      {
        ...plainItem(gamma),
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            YOP: '2021',
            Access_Type: 'Open',
            Access_Method: 'Regular',
            Performance: { Total_Item_Requests: { '2026-01': 2 } },
          },
        ],
      },
    ]);
    expect(Object.keys(body.Report_Items[0]!.Attribute_Performance[0]!)).toEqual(
      Object.keys(sample('TR_sample_r51.json').Report_Items[0]!.Attribute_Performance[0]!),
    );
  });
});

describe('TR_B1 as TSV from the console', () => {
  it('matches COUNTER’s tabular layout cell by cell', async () => {
    // Act
    const response = await stack.app.request(
      '/admin/counter/reports/tr_b1?institution=library&begin_date=2026-01&end_date=2026-02',
      { headers: await authOf(librarianId) },
    );
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/tab-separated-values; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="TR_B1_library_2026-01_2026-02.tsv"',
    );
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    const rows = text
      .slice(1, -1)
      .split('\n')
      .map((line) => line.split('\t'));
    const headings = [
      'Title',
      'Publisher',
      'Publisher_ID',
      'Platform',
      'DOI',
      'Proprietary_ID',
      'ISBN',
      'Print_ISSN',
      'Online_ISSN',
      'URI',
      'Data_Type',
      'YOP',
      'Metric_Type',
      'Reporting_Period_Total',
      'Jan-2026',
      'Feb-2026',
    ];
    const wide = (...cells: string[]) => [
      ...cells,
      ...Array<string>(headings.length - cells.length).fill(''),
    ];
    const alphaCells = [
      'Alpha Book',
      'Penerbit Nusantara',
      '',
      'Pustaka',
      '10.5555/alpha',
      `Pustaka:${alpha.id}`,
      '978-602-0000-01-1',
      '',
      '',
      '',
      'Book',
      '2020',
    ];
    const betaCells = [
      'Beta Book',
      'Penerbit Nusantara',
      '',
      'Pustaka',
      '',
      `Pustaka:${beta.id}`,
      '',
      '',
      '',
      '',
      'Book',
      '2019',
    ];
    expect(rows).toEqual([
      wide('Report_Name', 'Book Requests (Controlled)'),
      wide('Report_ID', 'TR_B1'),
      wide('Release', '5.1'),
      wide('Institution_Name', 'Perpustakaan Kota Nusantara'),
      wide('Institution_ID', 'Proprietary:Pustaka:library'),
      wide('Metric_Types', 'Total_Item_Requests; Unique_Title_Requests'),
      wide('Report_Filters', 'Data_Type=Book|Reference_Work; Access_Type=Controlled; Access_Method=Regular'),
      wide('Report_Attributes', ''),
      wide('Exceptions', ''),
      wide('Reporting_Period', 'Begin_Date=2026-01-01; End_Date=2026-02-28'),
      wide('Created', '2026-03-10T12:00:00Z'),
      wide('Created_By', 'Pustaka (Perpustakaan Kota Nusantara)'),
      wide('Registry_Record', ''),
      wide(),
      headings,
      [...alphaCells, 'Total_Item_Requests', '3', '3', '0'],
      [...alphaCells, 'Unique_Title_Requests', '2', '2', '0'],
      [...betaCells, 'Total_Item_Requests', '1', '0', '1'],
      [...betaCells, 'Unique_Title_Requests', '1', '0', '1'],
    ]);
    // Row 14 is the blank one, row 15 the headings, as in COUNTER's sample file.
    const sampleRows = readFileSync(resolve(samples, 'TRB1_sample_r51.tsv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\n');
    expect(sampleRows.slice(0, 13).map((r) => r.split('\t')[0])).toEqual(rows.slice(0, 13).map((r) => r[0]));
    expect(sampleRows[14]!.split('\t').slice(0, 14)).toEqual(headings.slice(0, 14));
  });
});
