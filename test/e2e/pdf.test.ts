import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  launchChromium,
  newContext,
  openPage,
  screenshot,
  signIn,
  startGateway,
  type E2eGateway,
} from './browser';
import { openTools } from './reader-chrome';

let gateway: E2eGateway;
let shortLinks: E2eGateway;
let browser: Browser;

beforeAll(async () => {
  // A second gateway whose signed links live 3 seconds, to read past their expiry.
  [gateway, shortLinks, browser] = await Promise.all([
    startGateway(),
    startGateway({ LINK_TTL_SECONDS: '3' }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([gateway?.stop(), shortLinks?.stop()]);
});

async function borrowAndOpen(page: Page, base: string, card: string, query: string, name: string) {
  await signIn(page, base, card, '1234');
  await page.getByLabel('Search titles, authors, subjects').fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name }).first().click();
  await page.getByRole('button', { name: 'Borrow' }).click();
  await page.getByRole('link', { name: 'Read' }).click();
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
}

const shownPage = (page: Page) => page.locator('#reader-stage').getAttribute('data-page');

describe('PDF reader', () => {
  it('opens gnuplot.pdf, jumps to page 100, its text is selectable, and find highlights a word', async () => {
    // Prepare
    const context = await newContext(browser);
    const { page, problems } = await openPage(context);
    await borrowAndOpen(page, gateway.url, '20000001', 'gnuplot', 'gnuplot');
    expect(await shownPage(page)).toBe('1');
    // Act: page 100
    await openTools(page);
    await page.getByLabel('Page', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Go to page' }).click();
    await expect.poll(() => shownPage(page), { timeout: 20_000 }).toBe('100');
    await page.locator('#pdf-page .textLayer span').first().waitFor();
    // Act: select text with the mouse, as a reader would
    const spans = page.locator('#pdf-page .textLayer span');
    const from = (await spans.nth(0).boundingBox())!;
    const to = (await spans.nth(Math.min(5, (await spans.count()) - 1)).boundingBox())!;
    await page.mouse.move(from.x + 1, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width - 1, to.y + to.height / 2, { steps: 5 });
    await page.mouse.up();
    const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '');
    // Assess
    expect(selected.trim().length).toBeGreaterThan(3);
    const pageText = (await spans.allTextContents()).join(' ');
    expect(pageText).toContain(selected.trim().split(/\s+/)[0]!);
    await screenshot(page, 'pdf-page');
    // Act: find a word from this page
    const word = pageText.split(/[^A-Za-z]+/).find((w) => w.length >= 6)!;
    await page.getByRole('button', { name: 'Find in document' }).click();
    await page.getByLabel('Find in document').fill(word);
    await page.getByRole('button', { name: 'Find next' }).click();
    // Assess
    await page.getByText('Found on page 100.').waitFor();
    await expect.poll(() => page.locator('#pdf-page .textLayer .match').count()).toBeGreaterThan(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    // The outline is the table of contents: an entry takes the reader to its page.
    await page.getByRole('button', { name: 'Contents' }).click();
    const entries = page.locator('#pdf-panel a');
    await entries.nth(3).waitFor();
    await entries.nth(3).click();
    await expect.poll(() => shownPage(page)).not.toBe('100');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps rendering pages after its signed link expired, by asking for a fresh one', async () => {
    // Prepare
    const context = await newContext(browser);
    const { page } = await openPage(context);
    // The newest signed link the reader was given (POST /titles/{id}/access answers {url, expiresAt, ...})
    let link: Promise<string> | undefined;
    page.on('response', (response) => {
      if (response.ok() && /\/titles\/[^/]+\/access$/.test(new URL(response.url()).pathname)) {
        const url = response.json().then((body) => (body as { url: string }).url);
        // A link answered as the context closes is never read: its failure must not surface as an unhandled
        // rejection (one that is read still fails the test where it is awaited).
        url.catch(() => undefined);
        link = url;
      }
    });
    await borrowAndOpen(page, shortLinks.url, '20000002', 'gnuplot', 'gnuplot');
    const renewals = () => page.locator('#reader-stage').getAttribute('data-link-renewals');
    /** Status the store gives the reader's current link now: 403 once its 3 seconds are over. */
    const linkStatus = async () => (await fetch(await link!, { headers: { Range: 'bytes=0-0' } })).status;
    // Act: jump through the book, each time once the store refuses the link the reader holds
    const visited: string[] = [];
    for (const target of [40, 80, 120, 160]) {
      await expect.poll(linkStatus, { timeout: 10_000 }).toBe(403);
      await openTools(page);
      await page.getByLabel('Page', { exact: true }).fill(String(target));
      await page.getByRole('button', { name: 'Go to page' }).click();
      await expect.poll(() => shownPage(page), { timeout: 20_000 }).toBe(String(target));
      await page.locator('#pdf-page .textLayer span').first().waitFor();
      visited.push((await shownPage(page))!);
    }
    // Assess: every page drew, with fresh links fetched along the way, and no error message appeared
    expect(visited).toEqual(['40', '80', '120', '160']);
    expect(Number(await renewals())).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#reader-message').count()).toBe(0);
    await context.close();
  });
});
