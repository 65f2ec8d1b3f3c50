import { describe, expect, it } from 'vitest';
import { newContext, openPage, useGatewayAndBrowser } from './browser';

const suite = useGatewayAndBrowser();

describe('routes and problem messages in the browser', () => {
  it('shows the not-found page for a route with a broken escape, on load and on a hash change, without a page error', async () => {
    // Prepare
    const context = await newContext(suite.browser, { language: 'id' });
    const { page, problems } = await openPage(context);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Act: opened directly
    await page.goto(`${suite.gateway.url}/#/titles/%E0`);
    // Assess
    await page.getByRole('heading', { name: 'Halaman tidak ditemukan.' }).waitFor();
    expect(await page.evaluate(() => document.body.dataset.route)).toBe('not-found');

    // Act: reached from another page
    await page.goto(`${suite.gateway.url}/#/`);
    await page.getByRole('heading', { name: 'Katalog' }).waitFor();
    await page.evaluate(() => {
      location.hash = '#/read/%E0%A4';
    });
    // Assess
    await page.getByRole('heading', { name: 'Halaman tidak ditemukan.' }).waitFor();
    expect(await page.evaluate(() => document.body.dataset.route)).toBe('not-found');
    expect(pageErrors).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says a title does not exist in the UI language, from the problem code, never with the English detail', async () => {
    // Prepare
    const indonesian = await newContext(suite.browser, { language: 'id' });
    const english = await newContext(suite.browser, { language: 'en' });
    // Chromium logs the 404 of the title's fetch itself; that is the answer under test, not a fault of the app.
    const ignore = [/status of 404/];
    const pages = { id: await openPage(indonesian, { ignore }), en: await openPage(english, { ignore }) };

    // Act
    for (const { page } of Object.values(pages))
      await page.goto(`${suite.gateway.url}/#/titles/does-not-exist`);

    // Assess
    await pages.id.page.getByRole('heading', { name: 'Halaman tidak ditemukan.' }).waitFor();
    expect(await pages.id.page.locator('#page-problem').textContent()).toBe(
      'Judul ini tidak ada di katalog.',
    );
    await pages.en.page.getByRole('heading', { name: 'Page not found.' }).waitFor();
    expect(await pages.en.page.locator('#page-problem').textContent()).toBe(
      'This title is not in the catalogue.',
    );
    for (const { page, problems } of Object.values(pages)) {
      expect(await page.locator('main').textContent()).not.toContain('was not found');
      expect(problems).toEqual([]);
    }
    await indonesian.close();
    await english.close();
  });
});
