import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../functions/domain/dashboard';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

/**
 * The console's dashboard in Chromium at 360 × 740: after some use of the seeded library (loans, links, a
 * turnaway and a hold), every chart is drawn (its points or bars counted against the API's figures), has its
 * table, and downloads a CSV holding exactly the API's numbers; axe finds nothing; nothing overflows the page.
 */

const suite = useGatewayAndBrowser();
const librarian = { card: '90000001', pin: '9876' };
const patrons = ['20000001', '20000002', '20000003'];
const phone = { width: 360, height: 740 };

async function tokenOf(card: string, pin = '1234'): Promise<string> {
  const response = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
const call = (path: string, token: string, body?: unknown) =>
  fetch(`${suite.gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** RFC 4180, as the dashboard writes it (quoted cells may hold commas and quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

beforeAll(async () => {
  // Prepare: the licensed title with the fewest copies, borrowed until a patron is turned away.
  const borrowers = await Promise.all([
    ...patrons.map((card) => tokenOf(card)),
    tokenOf(librarian.card, librarian.pin),
  ]);
  const listing = (await (await fetch(`${suite.gateway.url}/titles?limit=100`)).json()) as {
    data: { id: string; access: string }[];
  };
  const licensed = await Promise.all(
    listing.data
      .filter((title) => title.access === 'licensed')
      .map(async (title) => {
        const detail = (await (await fetch(`${suite.gateway.url}/titles/${title.id}`)).json()) as {
          availability: { copies: number | null };
        };
        return { id: title.id, copies: detail.availability.copies };
      }),
  );
  const scarce = licensed
    .filter((t): t is { id: string; copies: number } => t.copies !== null && t.copies > 0)
    .sort((a, b) => a.copies - b.copies)[0]!;
  expect(scarce.copies).toBeLessThan(borrowers.length);
  let turnedAway: string | undefined;
  const reading: string[] = [];
  for (const token of borrowers) {
    const response = await call('/loans', token, { titleId: scarce.id });
    if (response.status === 201) reading.push(token);
    else {
      expect(response.status).toBe(409);
      turnedAway = token;
      break;
    }
  }
  expect(turnedAway).toBeDefined();
  expect((await call('/holds', turnedAway!, { titleId: scarce.id })).status).toBe(201);
  for (const token of reading)
    expect((await call(`/titles/${scarce.id}/access`, token, {})).status).toBe(200);
}, 120_000);

/** What each chart must show: its rows as the CSV has them, and how many points or bars it draws. */
function expectations(d: Dashboard) {
  const use = (r: { requests: number; loans: number }) => [r.requests, r.loans];
  const bars = (rows: (number | null)[][], drawn?: number[]) =>
    rows.reduce((n, row) => n + (drawn ?? row.map((_, i) => i)).filter((i) => row[i] !== null).length, 0);
  const charts = [
    { id: 'per-day', labels: d.perDay.map((r) => r.day), rows: d.perDay.map((r) => [r.loans, r.requests]) },
    {
      id: 'per-month',
      labels: d.perMonth.map((r) => r.month),
      rows: d.perMonth.map((r) => [r.loans, r.requests]),
    },
    {
      id: 'denials',
      labels: d.denials.map((r) => r.title),
      rows: d.denials.map((r) => [r.limitExceeded, r.noLicense]),
    },
    {
      id: 'holds',
      labels: d.holdsPerCopy.map((r) => r.title),
      rows: d.holdsPerCopy.map((r) => [r.holds, r.copies, r.ratio]),
      drawn: [2],
    },
    { id: 'top-titles', labels: d.topTitles.map((r) => r.title), rows: d.topTitles.map(use) },
    // Languages, subjects and formats are shown by name: their numbers are compared.
    { id: 'by-language', rows: d.byLanguage.map(use) },
    { id: 'by-subject', rows: d.bySubject.map(use) },
    { id: 'by-format', rows: d.byFormat.map(use) },
    {
      id: 'by-institution',
      labels: d.byInstitution.map((r) => r.name),
      rows: d.byInstitution.map((r) => [...use(r), r.denials]),
    },
  ];
  return charts.map((chart) => ({
    ...chart,
    marks: chart.id === 'per-day' ? chart.rows.length * 2 : bars(chart.rows, chart.drawn),
    mark: chart.id === 'per-day' ? '.ct-point' : '.ct-bar',
  }));
}

describe('the console dashboard', () => {
  it('draws every chart with its table and a CSV of the API’s numbers, at 360 px, axe clean', async () => {
    // Prepare
    const context = await newContext(suite.browser, phone);
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    // Act
    await page.getByRole('link', { name: 'Console', exact: true }).click();
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.locator('#dashboard-status', { hasText: 'Figures from' }).waitFor();
    const from = await page.getByLabel('From', { exact: true }).inputValue();
    const to = await page.getByLabel('To', { exact: true }).inputValue();
    const response = await call(
      `/admin/dashboard?from=${from}&to=${to}`,
      await tokenOf(librarian.card, librarian.pin),
    );
    expect(response.status).toBe(200);
    const data = (await response.json()) as Dashboard;
    // Assess: the default period is the last 30 days, with the use above in it
    expect(data.perDay).toHaveLength(30);
    expect(to).toBe(new Date().toISOString().slice(0, 10));
    expect(data.denials.length).toBeGreaterThan(0);
    expect(data.holdsPerCopy.length).toBeGreaterThan(0);
    for (const chart of expectations(data)) {
      const section = page.locator(`#${chart.id}`);
      expect(chart.rows.length, chart.id).toBeGreaterThan(0);
      // The chart, drawn with one mark per value
      await expect
        .poll(() => section.locator(`svg ${chart.mark}`).count(), { message: chart.id })
        .toBe(chart.marks);
      // Its table: a caption, column headings, a row per row
      const table = section.locator('table');
      expect(await table.locator('caption').textContent()).toBe(await section.locator('h3').textContent());
      expect(await table.locator('thead th[scope=col]').count()).toBe(chart.rows[0]!.length + 1);
      expect(await table.locator('tbody tr').count()).toBe(chart.rows.length);
      // Its CSV: the API's numbers, row by row
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        section.getByRole('button', { name: /^Download CSV/ }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${chart.id}_${from}_${to}.csv`);
      const [, ...rows] = parseCsv(await readFile((await download.path())!, 'utf8'));
      expect(
        rows.map((row) => row.slice(1)),
        chart.id,
      ).toEqual(chart.rows.map((row) => row.map((n) => (n === null ? '' : String(n)))));
      if (chart.labels)
        expect(
          rows.map((row) => row[0]),
          chart.id,
        ).toEqual(chart.labels);
    }
    expect(await accessibilityViolations(page)).toEqual([]);
    // At 360 px: no sideways scrolling of the page, every chart inside the viewport
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    for (const box of await page
      .locator('.dashboard-chart .chart svg')
      .evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(phone.width);
    }
    await screenshot(page, 'console-dashboard-360');
    await page.locator('#per-day').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-dashboard-360-per-day');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('refuses a period out of order with the API’s message', async () => {
    const context = await newContext(suite.browser, phone);
    const { page } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.goto(`${suite.gateway.url}/#/console/dashboard`);
    await page.locator('#dashboard-status', { hasText: 'Figures from' }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2026-03-10');
    await page.getByLabel('To', { exact: true }).fill('2026-03-01');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'the first not after the last' }).count())
      .toBe(1);
    await context.close();
  }, 120_000);
});
