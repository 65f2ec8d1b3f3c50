import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chapter, containerXml, packageOpf, zip } from '../domain/publication/builders';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

/**
 * The console's list of all titles and its duplicate check (issue 17 item 6), in Chromium against the local
 * gateway with the sample library seeded.
 */

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

interface Row {
  id: string;
  title: string;
  access: string;
}

/** The list as the API gives it (one page of up to 100), to compare the screen with. */
async function listed(query: string): Promise<Row[]> {
  const response = await fetch(`${suite.gateway.url}/admin/titles?limit=100${query}`, {
    headers: { Authorization: `Bearer ${await librarianToken()}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Row[] }).data;
}

const shownIds = (page: Page) =>
  page.locator('#title-list-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title-id')));

async function openTitles(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Console', exact: true }).click();
  await page.getByRole('heading', { name: 'Librarian console' }).waitFor();
  await page.getByRole('link', { name: 'Titles', exact: true }).click();
  await page.getByRole('heading', { name: 'All titles' }).waitFor();
}

/** A small EPUB not in the sample library (its own title, so the test names it). */
function uniqueEpub(title: string): Buffer {
  return Buffer.from(
    zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': containerXml(),
      'OEBPS/content.opf': packageOpf({
        metadata: `<dc:title>${title}</dc:title><dc:creator>Penguji Daftar</dc:creator><dc:language>id</dc:language>`,
      }),
      'OEBPS/chapter1.xhtml': chapter,
    }),
  );
}

describe('the console list of titles', () => {
  it('lists every title, narrows by search and by filter, links each row to its page, at 360 px', async () => {
    // Prepare
    const all = await listed('');
    expect(all.length).toBeGreaterThan(1);
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);

    // Act
    await openTitles(page);

    // Assess: every title, in the API's order, each with its name
    await expect.poll(() => shownIds(page)).toEqual(all.map((r) => r.id));
    const first = all[0]!;
    expect(await page.locator(`#title-list-rows tr[data-title-id="${first.id}"] th a`).textContent()).toBe(
      first.title,
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#title-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-titles-360px');

    // Act: search by a word of one title, in other case
    const target = all.at(-1)!;
    const word = target.title.split(/\s+/).sort((a, b) => b.length - a.length)[0]!;
    await page.getByLabel('Search title, author or ISBN').fill(word.toUpperCase());
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    // Assess
    const expected = (await listed(`&q=${encodeURIComponent(word)}`)).map((r) => r.id);
    expect(expected).toContain(target.id);
    expect(expected.length).toBeLessThan(all.length);
    await expect.poll(() => shownIds(page)).toEqual(expected);

    // Act: a filter instead (open access only)
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => shownIds(page)).toEqual(all.map((r) => r.id));
    const access = all.some((r) => r.access === 'open') ? 'open' : 'licensed';
    await page.getByLabel('Access', { exact: true }).selectOption(access);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    // Assess
    const filtered = all.filter((r) => r.access === access).map((r) => r.id);
    expect(filtered.length).toBeLessThan(all.length);
    await expect.poll(() => shownIds(page)).toEqual(filtered);
    // A filter nothing matches says so.
    await page.getByLabel('Status', { exact: true }).selectOption('true');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#title-list-empty', { hasText: 'No titles match.' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: follow a row's link
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator(`#title-list-rows tr[data-title-id="${target.id}"] th a`).click();
    // Assess: the title's management page
    await page.locator('#review-form').waitFor();
    expect(page.url()).toContain(`#/console/titles/${target.id}`);
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(target.title);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a file already published, naming the title with a link, and publishes it anyway on request', async () => {
    // Prepare: the file published once
    const bytes = uniqueEpub('Cerita Dua Kali');
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: [/409/] });
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.getByRole('link', { name: 'Console', exact: true }).click();
    const upload = async () => {
      await page.getByLabel('Files (one or more)').setInputFiles({
        name: 'cerita.epub',
        mimeType: 'application/epub+zip',
        buffer: bytes,
      });
      await page.getByRole('button', { name: 'Upload and publish' }).click();
    };
    await upload();
    const firstRow = page.locator('#upload-list > li').first();
    await expect.poll(() => firstRow.getAttribute('data-state'), { timeout: 20_000 }).toBe('published');
    const existing = (await listed('&q=cerita%20dua%20kali'))[0]!;

    // Act: the same file again
    await upload();
    // Assess: stopped, naming the title, with a link to it
    const row = page.locator('#upload-list > li[data-state=duplicate]');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.upload-state').textContent()).toBe(
      'This file is already published as “Cerita Dua Kali”.',
    );
    const link = row.getByRole('link', { name: 'Open “Cerita Dua Kali”' });
    expect(await link.getAttribute('href')).toBe(`#/console/titles/${existing.id}`);
    expect(await listed('&q=cerita%20dua%20kali')).toHaveLength(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: publish anyway
    await row.getByRole('button', { name: 'Publish anyway as a second title' }).click();
    // Assess: a second title
    await expect
      .poll(() => page.locator('#upload-list > li[data-state=published]').count(), { timeout: 20_000 })
      .toBe(2);
    expect(await listed('&q=cerita%20dua%20kali')).toHaveLength(2);
    expect(problems).toEqual([]);
    await context.close();
  });
});
