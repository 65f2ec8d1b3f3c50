import { describe, expect, it } from 'vitest';
import { featuredCollectionId } from '../../functions/local/seed';
import { accessibilityViolations, newContext, openPage, screenshot, useGatewayAndBrowser } from './browser';

/**
 * The featured collections on a phone (360×740), in both languages: the catalogue home opens with the demo's
 * shelf ("Pilihan Pustakawan / Librarians' picks", seeded on first start) on the first screen, and its
 * heading leads to the collection's own page, whose address can be shared and opened as it is.
 */

const suite = useGatewayAndBrowser();
const phone = { width: 360, height: 740 };

const names = { id: 'Pilihan Pustakawan', en: "Librarians' picks" } as const;
const headings = { id: 'Katalog', en: 'Catalogue' } as const;

async function collectionOrder(): Promise<string[]> {
  const response = await fetch(`${suite.gateway.url}/collections/${featuredCollectionId}`);
  return ((await response.json()) as { titles: { title: string }[] }).titles.map((t) => t.title);
}

describe.each(['en', 'id'] as const)('collections on a 360×740 phone (%s)', (language) => {
  it('shows the featured shelf on the first screen, and opens the collection’s own page from it', async () => {
    // Prepare
    const context = await newContext(suite.browser, { ...phone, language });
    const { page, problems } = await openPage(context);
    const order = await collectionOrder();
    expect(order.length).toBeGreaterThanOrEqual(2);
    // Act
    await page.goto(`${suite.gateway.url}/`);
    await page.getByRole('heading', { name: headings[language], level: 1 }).waitFor();
    const shelf = page.locator(`.shelf[data-collection-id="${featuredCollectionId}"]`);
    await shelf.waitFor();
    // Assess: the shelf (heading and its row of covers) lies within the first screen, the page does not scroll
    // sideways (the row does), and the first covers are on screen.
    await expect.poll(() => shelf.getByRole('heading', { level: 2 }).textContent()).toBe(names[language]);
    const box = (await shelf.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(phone.height);
    expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    const covers = shelf.locator('.shelf-item');
    expect(await covers.count()).toBe(order.length);
    for (const index of [0, 1]) {
      const cover = (await covers.nth(index).boundingBox())!;
      expect(cover.x + cover.width).toBeLessThanOrEqual(phone.width);
      expect(cover.y + cover.height).toBeLessThanOrEqual(phone.height);
    }
    expect(await shelf.locator('.shelf-title').allTextContents()).toEqual(order);
    await screenshot(page, `collections-home-${language}-360`);

    // Act: the shelf's heading leads to the collection's page
    await shelf.getByRole('link', { name: names[language] }).click();
    await page.getByRole('heading', { name: names[language], level: 1 }).waitFor();
    // Assess: its titles in the librarian's order, an address to share that opens the same page
    expect(page.url()).toContain(`#/collections/${featuredCollectionId}`);
    await expect.poll(() => page.locator('.results li h2').allTextContents()).toEqual(order);
    const shared = await page.locator('#share-link').inputValue();
    expect(shared).toBe(page.url());
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await screenshot(page, `collection-page-${language}-360`);
    const other = await context.newPage();
    await other.goto(shared);
    await other.getByRole('heading', { name: names[language], level: 1 }).waitFor();
    await other.close();
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
