import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

const suite = useGatewayAndBrowser();

describe('catalogue in the browser', () => {
  it('serves the app with a strict CSP and runs under it without violations or errors', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    // Act
    const response = await page.goto(`${suite.gateway.url}/`);
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    await page.locator('.results li').first().waitFor();
    // Assess
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('searches "moby", shows covers and never downloads a reading engine', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await page.goto(`${suite.gateway.url}/`);
    // Act
    await page.getByLabel('Search titles, authors, subjects').fill('moby');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Assess
    await expect.poll(() => page.locator('.results li h2').allTextContents()).toEqual(['Moby-Dick']);
    const cover = page.locator('.results li img.cover').first();
    await expect
      .poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    expect(page.url()).toContain('#/?q=moby');
    expect(scripts.some((url) => /\/(epub|pdf)-[\w-]+\.js/.test(url))).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('finds the Indonesian sample books by "buku", and a title page names its editor as editor, not author', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    await page.goto(`${suite.gateway.url}/`);
    // Act
    await page.getByLabel('Search titles, authors, subjects').fill('buku');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Assess
    await expect
      .poll(() => page.locator('.results li h2').allTextContents())
      .toEqual(
        expect.arrayContaining([
          'Panduan Singkat Perpustakaan Digital Kota Nusantara',
          'Kancil dan Buaya',
          'Penyu Kecil Mencari Laut',
        ]),
      );
    // Act
    await page
      .getByRole('link', { name: 'Panduan Singkat Perpustakaan Digital Kota Nusantara' })
      .first()
      .click();
    // Assess
    await expect.poll(() => page.locator('#title-authors').textContent()).toContain('Tim Pustaka');
    expect(await page.locator('#title-authors').textContent()).not.toContain('Pustakawan Utama');
    expect(await page.locator('dt', { hasText: 'Editor' }).count()).toBe(1);
    expect(await page.locator('dd.contributors-editor').textContent()).toBe('Pustakawan Utama');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters by format and open access', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    await page.goto(`${suite.gateway.url}/`);
    // Act
    await page.getByLabel('Format').selectOption('pdf');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Assess: the fixtures' two PDFs and the bilingual one the project ships
    await expect.poll(() => page.locator('.results li').count()).toBe(3);
    expect(await page.locator('.results .badge', { hasText: 'EPUB' }).count()).toBe(0);
    // Act: open access only
    await page.getByLabel('Format').selectOption('');
    await page.getByLabel('Access').selectOption('open');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Assess
    await expect.poll(() => page.locator('.results li h2').allTextContents()).toHaveLength(1);
    expect(await page.locator('.results .badge', { hasText: 'Open access' }).count()).toBe(1);
    await context.close();
  });

  it('passes axe (WCAG 2.1 AA) on the catalogue, a title page and the sign-in page, and writes a screenshot', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    // Act / Assess
    await page.goto(`${suite.gateway.url}/`);
    await page.locator('.results li').first().waitFor();
    // Covers drawn and the availability of every licensed title filled in
    await expect
      .poll(() =>
        page.locator('img.cover').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete)),
      )
      .toBe(true);
    await expect
      .poll(() =>
        page.locator('.results .availability').evaluateAll((els) => els.every((e) => e.textContent)),
      )
      .toBe(true);
    await screenshot(page, 'catalogue');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('.results li h2 a').first().click();
    await page.locator('.title-page h1').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${suite.gateway.url}/#/signin`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  it('is usable at 360 px: nothing scrolls sideways, search works by keyboard alone', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page } = await openPage(context);
    await page.goto(`${suite.gateway.url}/`);
    await page.locator('.results li').first().waitFor();
    // Act: the skip link is first, then the navigation; type a search and press Enter.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent);
    await page.getByLabel('Search titles, authors, subjects').focus();
    await page.keyboard.type('waste');
    await page.keyboard.press('Enter');
    // Assess
    expect(first).toBe('Skip to content');
    await expect.poll(() => page.locator('.results li h2').allTextContents()).toEqual(['The Waste Land']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'catalogue-360px');
    await context.close();
  });

  it('shows Indonesian labels on every page visited after switching to Bahasa Indonesia, and remembers it', async () => {
    // Prepare
    const context = await newContext(suite.browser, { language: 'en' });
    const { page } = await openPage(context);
    await page.goto(`${suite.gateway.url}/`);
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    // Act
    await page.getByLabel('Language', { exact: true }).selectOption('id');
    // Assess: catalogue
    await page.getByRole('heading', { name: 'Katalog' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('id');
    expect(await page.getByLabel('Cari judul, pengarang, subjek').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Cari', exact: true }).count()).toBe(1);
    // title page
    await page.locator('.results li h2 a', { hasText: 'Moby-Dick' }).click();
    await page.locator('.title-page h1').waitFor();
    expect(await page.getByRole('heading', { name: 'Rincian' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Masuk untuk meminjam' }).count()).toBe(1);
    // sign-in page, then the shelf
    await signIn(page, suite.gateway.url, '20000002', '1234');
    await page.goto(`${suite.gateway.url}/#/shelf`);
    await page.getByRole('heading', { name: 'Pinjaman' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Pesanan' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Keluar' }).count()).toBe(1);
    // an open-access book in the reader
    await page.goto(`${suite.gateway.url}/#/?q=georgia`);
    await page.getByRole('link', { name: 'Georgia' }).click();
    await page.getByRole('link', { name: 'Baca' }).click();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Daftar isi' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Tampilan' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Halaman berikutnya' }).count()).toBe(1);
    await page.goto(`${suite.gateway.url}/#/shelf`);
    // A reload keeps the language.
    await page.reload();
    await page.getByRole('heading', { name: 'Rak saya' }).waitFor();
    const english = await page.evaluate(() =>
      ['Catalogue', 'My shelf', 'Sign out', 'Loans', 'Holds'].filter((word) =>
        document.body.innerText.includes(word),
      ),
    );
    expect(english).toEqual([]);
    await context.close();
  });
});
