import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../functions/domain/csv';
import { newLicence } from '../../functions/domain/licence';
import { sortTitleOf } from '../../functions/domain/title';
import { accessibilityViolations, newContext, openPage, signIn, useGatewayAndBrowser } from './browser';

/**
 * Acquisition suggestions on a phone: a patron finds nothing, follows the link to suggest the title (a bad ISBN
 * is refused in words, a good one accepted); a librarian sees the suggestion in the console's acquisitions
 * list, sorts it by its column headers, and downloads the CSV, which is the API's list in the same order.
 */
const suite = useGatewayAndBrowser();
const phone = { width: 360, height: 740 };
const librarian = { card: '90000001', pin: '9876' };

async function tokenOf(card: string, pin: string): Promise<string> {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin }),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
}

describe('acquisition suggestions (360×740)', () => {
  it('a patron suggests a title; the librarian sees it, sorts the list and downloads it as CSV; axe-clean', async () => {
    // Prepare: another patron suggested a different title twice over (two patrons), through the API
    for (const card of ['20000001', '20000003']) {
      const response = await fetch(`${suite.gateway.url}/me/suggestions`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${await tokenOf(card, '1234')}`,
        },
        body: JSON.stringify({ title: 'Laskar Pelangi', author: 'Andrea Hirata' }),
      });
      expect(response.status).toBeLessThan(300);
    }
    // … and a title with one copy: on loan to the librarian, three patrons waiting (3:1)
    const { deps } = suite.gateway;
    const now = deps.clock.now().toISOString();
    await deps.titles.create({
      id: 't-e2e-queue',
      title: 'Antrean Panjang',
      sortTitle: sortTitleOf('Antrean Panjang'),
      authors: ['Penulis Uji'],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: 'content/t-e2e-queue/publication.epub',
      contentType: 'application/epub+zip',
      size: 1234,
      sha256: '0'.repeat(64),
      createdAt: now,
      updatedAt: now,
    });
    const terms = { concurrency: 1, checkouts: null, expires: null, loanLength: null };
    await deps.lending.addLicence(newLicence('lic-e2e-queue', 't-e2e-queue', terms, deps.clock.now()));
    const idOf = async (card: string) => (await deps.patrons.getByCard(card))!.id;
    await deps.lending.checkout({ patronId: await idOf(librarian.card), titleId: 't-e2e-queue' });
    for (const card of ['20000001', '20000002', '20000003'])
      await deps.lending.placeHold({ patronId: await idOf(card), titleId: 't-e2e-queue' });
    const patronContext = await newContext(suite.browser, { ...phone, language: 'en' });
    // The mistyped ISBN's 400 is expected (Chromium logs every refused request).
    const patron = await openPage(patronContext, { ignore: [/status of 400 \(Bad Request\)/] });
    await signIn(patron.page, suite.gateway.url, '20000002', '1234');

    // Act: a search that finds nothing offers the suggestion form, with the words searched for
    await patron.page.goto(`${suite.gateway.url}/#/?q=${encodeURIComponent('Cantik Itu Luka')}`);
    await patron.page.getByRole('link', { name: 'Suggest a title for the library to buy' }).click();
    await patron.page.getByRole('heading', { name: 'Suggest a title' }).waitFor();
    // Assess
    expect(await patron.page.getByLabel('Title', { exact: true }).inputValue()).toBe('Cantik Itu Luka');
    await noSidewaysScroll(patron.page);
    expect(await accessibilityViolations(patron.page)).toEqual([]);

    // Act: a mistyped ISBN, then the right one
    await patron.page.getByLabel('Author', { exact: true }).fill('Eka Kurniawan');
    await patron.page.getByLabel('ISBN (if you know it)').fill('978-602-03-1258-4');
    await patron.page.getByLabel(/^Note/).fill('For our book club');
    await patron.page.getByRole('button', { name: 'Send suggestion' }).click();
    // Assess
    await expect
      .poll(() => patron.page.locator('#suggest-error').textContent())
      .toBe('That ISBN is not valid: check its digits (ISBN-10 or ISBN-13).');
    await noSidewaysScroll(patron.page);
    expect(await accessibilityViolations(patron.page)).toEqual([]);
    // Act
    await patron.page.getByLabel('ISBN (if you know it)').fill('978-602-03-1258-3');
    await patron.page.getByRole('button', { name: 'Send suggestion' }).click();
    // Assess
    await expect
      .poll(() => patron.page.locator('#suggest-status').textContent())
      .toBe('Thank you! Your suggestion has been recorded.');
    expect(await patron.page.locator('#suggest-error').isHidden()).toBe(true);
    expect(await accessibilityViolations(patron.page)).toEqual([]);
    expect(patron.problems).toEqual([]);
    await patronContext.close();

    // Act: the librarian opens the acquisitions tab
    const context = await newContext(suite.browser, { ...phone, language: 'en' });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.getByRole('link', { name: 'Console', exact: true }).click();
    await page.getByRole('link', { name: 'Acquisitions' }).click();
    const suggested = page.locator('#acquisitions tbody tr', { hasText: 'Cantik Itu Luka' });
    await suggested.waitFor();
    // Assess: the patron's suggestion, counted once, with no one named
    expect(await suggested.getAttribute('data-kind')).toBe('suggestion');
    expect(await suggested.locator('td').last().textContent()).toBe('1');
    expect(await suggested.textContent()).not.toContain('20000002');
    await noSidewaysScroll(page);
    const box = page.locator('.table-scroll');
    expect(await box.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Assess: the title with three holds on one copy is listed at 3:1, linking to its page, and not at 4:1
    const queued = page.locator('#acquisitions tbody tr[data-id="t-e2e-queue"]');
    expect(await queued.locator('th a').getAttribute('href')).toBe('#/console/titles/t-e2e-queue');
    expect(await queued.locator('td').nth(3).textContent()).toBe('3 : 1');
    // Act
    await page.getByLabel('Holds per copy, at least').fill('4');
    await page.getByRole('button', { name: 'Apply' }).click();
    // Assess
    await expect.poll(() => queued.count()).toBe(0);
    await suggested.waitFor();
    // Act
    await page.getByLabel('Holds per copy, at least').fill('3');
    await page.getByRole('button', { name: 'Apply' }).click();
    await queued.waitFor();

    // Act: sort by suggestions (most first), then the other way
    const header = (name: string) => page.locator('#acquisitions thead th', { hasText: name });
    const firstTitles = () =>
      page
        .locator('#acquisitions tbody tr th')
        .evaluateAll((cells) =>
          cells.map((c) => c.querySelector('a, span')?.textContent?.replace(/\s*\(.*\)$/, '') ?? ''),
        );
    await header('Suggestions').getByRole('button').click();
    await expect.poll(() => header('Suggestions').getAttribute('aria-sort')).toBe('descending');
    // Assess
    expect((await firstTitles()).slice(0, 2)).toEqual(['Laskar Pelangi', 'Cantik Itu Luka']);
    expect(await header('Ratio').getAttribute('aria-sort')).toBeNull();
    // Act
    await header('Suggestions').getByRole('button').click();
    await expect.poll(() => header('Suggestions').getAttribute('aria-sort')).toBe('ascending');
    // Assess
    const ascending = await firstTitles();
    expect(ascending.indexOf('Cantik Itu Luka')).toBeLessThan(ascending.indexOf('Laskar Pelangi'));
    expect(await page.locator('#acq-sorted').textContent()).toBe('Sorted by Suggestions, ascending.');

    // Act: download the list as it is sorted
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    // Assess: the API's CSV for the same ratio and order
    expect(download.suggestedFilename()).toBe('acquisitions.csv');
    const file = await readFile((await download.path())!, 'utf8');
    const fromApi = await fetch(
      `${suite.gateway.url}/admin/acquisitions?ratio=3&sort=suggestions&order=asc&format=csv`,
      { headers: { Authorization: `Bearer ${await tokenOf(librarian.card, librarian.pin)}` } },
    );
    expect(fromApi.status).toBe(200);
    expect(file).toBe(await fromApi.text());
    const rows = readCsv(file).map((r) => r.cells);
    expect(rows[0]?.slice(0, 3)).toEqual(['kind', 'id', 'title']);
    const cantik = rows.find((r) => r[2] === 'Cantik Itu Luka')!;
    expect([cantik[0], cantik[4], cantik[11]]).toEqual(['suggestion', '9786020312583', '1']);
    expect(rows.find((r) => r[2] === 'Laskar Pelangi')?.[11]).toBe('2');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
