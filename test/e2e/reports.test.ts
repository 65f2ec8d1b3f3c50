import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

/** The console's COUNTER screen: a librarian issues a SUSHI credential and downloads a TSV report. */

const suite = useGatewayAndBrowser();
const librarian = { card: '90000001', pin: '9876' };

async function librarianToken(): Promise<string> {
  const response = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: librarian.card, pin: librarian.pin }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

const lastCompleteMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

/** Rows and cells of a TSV, without its byte order mark and the Created stamp (it is the second it was made). */
const cells = (text: string) =>
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((row) => row[0] !== 'Created');

describe('COUNTER reports in the console', () => {
  it('issues a SUSHI credential that harvests, and downloads TR_B1 as TSV for the last complete month', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.getByRole('link', { name: 'Console', exact: true }).click();
    await page.getByRole('link', { name: 'COUNTER reports' }).click();
    await page.getByRole('heading', { name: 'SUSHI credentials' }).waitFor();
    await page.locator('#sushi-credentials li.empty').waitFor();
    // Act: issue
    await page.getByLabel('Institution', { exact: true }).first().selectOption('library');
    await page.getByLabel('Who harvests with it').fill('Consortium ERM');
    await page.getByRole('button', { name: 'Issue credential' }).click();
    await page.locator('#sushi-issued code[data-field=api_key]').waitFor();
    // Assess: the key works with the COUNTER API, and is shown once
    const read = (field: string) => page.locator(`#sushi-issued code[data-field=${field}]`).textContent();
    const credential = {
      customer_id: (await read('customer_id'))!,
      requestor_id: (await read('requestor_id'))!,
      api_key: (await read('api_key'))!,
    };
    const members = await fetch(`${suite.gateway.url}/sushi/r51/members?${new URLSearchParams(credential)}`);
    expect(members.status).toBe(200);
    expect(((await members.json()) as { Customer_ID: string }[])[0]!.Customer_ID).toBe('library');
    expect(await page.locator('#sushi-credentials li', { hasText: 'Consortium ERM' }).count()).toBe(1);
    expect(await page.locator('#sushi-credentials').textContent()).not.toContain(credential.api_key);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-counter-360');

    // Act: download
    const month = lastCompleteMonth();
    expect(await page.getByLabel('First month').inputValue()).toBe(month);
    expect(await page.getByLabel('Last month').inputValue()).toBe(month);
    await page.getByLabel('Report', { exact: true }).selectOption('TR_B1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download TSV' }).click(),
    ]);
    // Assess: the file is the API's TSV of the same report and period
    expect(download.suggestedFilename()).toBe(`TR_B1_library_${month}_${month}.tsv`);
    const file = await readFile((await download.path())!, 'utf8');
    const fromApi = await fetch(
      `${suite.gateway.url}/admin/counter/reports/tr_b1?institution=library&begin_date=${month}&end_date=${month}`,
      { headers: { Authorization: `Bearer ${await librarianToken()}` } },
    );
    expect(fromApi.status).toBe(200);
    const rows = cells(file);
    expect(rows).toEqual(cells(await fromApi.text()));
    expect(rows[0]!.slice(0, 2)).toEqual(['Report_Name', 'Book Requests (Controlled)']);
    expect(rows[12]!.every((cell) => cell === '')).toBe(true); // row 14 of the file (Created left out above)
    expect(rows[13]!.slice(0, 4)).toEqual(['Title', 'Publisher', 'Publisher_ID', 'Platform']);

    // Act: revoke
    await page.getByRole('button', { name: 'Revoke: Consortium ERM' }).click();
    await page.locator('#sushi-credentials li', { hasText: 'Consortium ERM' }).waitFor({ state: 'detached' });
    // Assess
    const after = await fetch(`${suite.gateway.url}/sushi/r51/members?${new URLSearchParams(credential)}`);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { Code: number }).Code).toBe(2000);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
