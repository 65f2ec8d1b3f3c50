import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chapter, containerXml, packageOpf, zip } from '../domain/publication/builders';
import { fixturesDir } from '../helpers/stack';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

// The project's shipped samples instead of ../shared/fixtures, so a real fixture can be uploaded as new.
const suite = useGatewayAndBrowser({ fixturesDir: join(tmpdir(), 'pustaka-no-fixtures-here') });

/** A small valid EPUB that is not in the sample library. */
function hikayatEpub(): Buffer {
  return Buffer.from(
    zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': containerXml(),
      'OEBPS/content.opf': packageOpf({
        metadata:
          '<dc:identifier id="uid">urn:uuid:6f1c2d1e-5b7a-4c1e-9d1e-2a7b3c4d5e6f</dc:identifier>' +
          '<dc:title>Hikayat Uji Konsol</dc:title><dc:creator>Penguji Konsol</dc:creator>' +
          '<dc:language>id</dc:language><dc:description>Buku uji untuk konsol pustakawan.</dc:description>' +
          '<dc:subject>Uji</dc:subject>',
      }),
      'OEBPS/chapter1.xhtml': chapter,
    }),
  );
}

const librarian = { card: '90000001', pin: '9876' };

async function openConsole(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Console', exact: true }).click();
  await page.getByRole('heading', { name: 'Librarian console' }).waitFor();
}

describe('librarian console in the browser', () => {
  it('uploads an EPUB to 100 %, confirms its metadata, adds a licence, and the title is in the catalogue', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    const beforeConsole = scripts.length;
    await openConsole(page);
    // Act: upload
    await page.getByLabel('Files (one or more)').setInputFiles({
      name: 'hikayat-uji-konsol.epub',
      mimeType: 'application/epub+zip',
      buffer: hikayatEpub(),
    });
    await page.getByLabel('Access for the new titles').selectOption('licensed');
    await page.getByRole('button', { name: 'Upload and publish' }).click();
    // Assess: the progress reaches 100 % and the file becomes a title
    const row = page.locator('#upload-list > li').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 20_000 }).toBe('published');
    expect(await row.locator('.upload-percent').textContent()).toBe('100 %');
    const bar = row.getByRole('progressbar', { name: 'Upload progress of hikayat-uji-konsol.epub' });
    expect(await bar.evaluate((p: HTMLProgressElement) => p.value === p.max && p.max > 1)).toBe(true);
    expect(await row.locator('.upload-state').textContent()).toBe('Published as “Hikayat Uji Konsol”.');
    expect(scripts.length).toBeGreaterThan(beforeConsole); // the console came as its own chunk
    await screenshot(page, 'console-upload');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: review the extracted metadata and confirm it with a correction
    await row.getByRole('link', { name: 'Review the metadata of “Hikayat Uji Konsol”' }).click();
    await page.locator('#review-form').waitFor();
    // Assess: pre-filled from the file
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Hikayat Uji Konsol');
    expect(await page.getByLabel('Authors (one per line)').inputValue()).toBe('Penguji Konsol');
    expect(await page.getByLabel('Language (a code such as id or en)').inputValue()).toBe('id');
    expect(await page.getByLabel('Description').inputValue()).toBe('Buku uji untuk konsol pustakawan.');
    await page.getByLabel('Subjects (one per line)').fill('Uji\nKonsol');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.locator('#review-form [role=status]', { hasText: 'Metadata saved.' }).waitFor();

    // Act: add a licence of two concurrent loans
    await page.locator('#licence-list li', { hasText: 'No licences yet' }).waitFor();
    await page.getByLabel('Concurrent loans (empty = unlimited)').fill('2');
    await page.getByLabel('Supplier licence ID').fill('SUP-UJI-001');
    await page.getByLabel('Note', { exact: true }).fill('Uji konsol');
    await page.getByRole('button', { name: 'Add a licence' }).click();
    // Assess
    const licence = page.locator('#licence-list li', { hasText: 'SUP-UJI-001' });
    await licence.waitFor();
    expect(await licence.textContent()).toContain('Concurrent: 2 · free: 2');
    await expect
      .poll(() => page.locator('#licence-availability').textContent())
      .toBe('2 of 2 copies available');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-title');

    // Act: find it in the catalogue
    await page.getByRole('link', { name: 'Catalogue', exact: true }).click();
    await page.getByLabel('Search titles, authors, subjects').fill('Hikayat Uji Konsol');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Assess
    await expect.poll(() => page.locator('.results li h2').allTextContents()).toEqual(['Hikayat Uji Konsol']);
    await expect
      .poll(() => page.locator('.results li .availability').first().textContent())
      .toContain('2 of 2 copies available');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('uploads a real fixture (wasteland.epub) that becomes a borrowable title in the catalogue', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsole(page);
    // Act
    await page.getByLabel('Files (one or more)').setInputFiles(join(fixturesDir, 'epub', 'wasteland.epub'));
    await page.getByLabel('Access for the new titles').selectOption('licensed');
    await page.getByRole('button', { name: 'Upload and publish' }).click();
    // Assess: 100 %, published with the title and author read from the file
    const row = page.locator('#upload-list > li').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('published');
    expect(await row.locator('.upload-percent').textContent()).toBe('100 %');
    expect(await row.locator('.upload-state').textContent()).toBe('Published as “The Waste Land”.');
    await row.getByRole('link', { name: 'Review the metadata of “The Waste Land”' }).click();
    await page.locator('#review-form').waitFor();
    expect(await page.getByLabel('Authors (one per line)').inputValue()).toBe('T.S. Eliot');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.locator('#review-form [role=status]').waitFor();
    await page.getByLabel('Concurrent loans (empty = unlimited)').fill('1');
    await page.getByRole('button', { name: 'Add a licence' }).click();
    await expect
      .poll(() => page.locator('#licence-availability').textContent())
      .toBe('1 of 1 copies available');
    await page.getByRole('link', { name: 'Catalogue', exact: true }).click();
    await page.getByLabel('Search titles, authors, subjects').fill('waste land');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // The catalogue index notices a new title within a few seconds (it re-checks the catalogue version at most
    // every 5 s), so the search is asked again (a reload of the same search page) until it is there.
    await expect
      .poll(
        async () => {
          const searched = page.waitForResponse(
            (r) => r.url().includes('/titles?') && r.url().includes('q='),
          );
          await page.reload();
          await searched;
          await page.waitForLoadState('networkidle');
          return page.locator('.results li h2').allTextContents();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toEqual(['The Waste Land']);
    await expect
      .poll(() => page.locator('.results li .availability').first().textContent())
      .toContain('1 of 1 copies available');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a refusal with its code and message for a file that is not an EPUB', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsole(page);
    // Act: a PDF header named .epub
    await page.getByLabel('Files (one or more)').setInputFiles({
      name: 'palsu.epub',
      mimeType: 'application/epub+zip',
      buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
    });
    await page.getByRole('button', { name: 'Upload and publish' }).click();
    // Assess
    const row = page.locator('#upload-list > li', { hasText: 'palsu.epub' });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 20_000 }).toBe('refused');
    expect(await row.locator('.upload-state').textContent()).toMatch(/^Refused \([A-Z_]+\): .+/);
    await context.close();
  });

  it('sends a multipart upload part by part and retries only the failed part with a fresh link', async () => {
    // Prepare: the upload API and the store answered by the test (a real multipart file is over 64 MiB)
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: [/net::ERR_FAILED/] });
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    const uploadId = `u-${'a'.repeat(32)}`;
    const partUrl = (n: number, attempt: number) =>
      `${suite.gateway.url}/fake-store/part-${n}?attempt=${attempt}`;
    const puts: string[] = [];
    let renewed: unknown;
    let completed: unknown;
    const json = (body: unknown, status = 200) => ({
      status,
      contentType: 'application/json',
      body: JSON.stringify(body),
    });
    await page.route(`${suite.gateway.url}/admin/uploads`, (route) =>
      route.fulfill(
        json(
          {
            id: uploadId,
            mode: 'multipart',
            state: 'pending',
            fileName: 'besar.pdf',
            contentType: 'application/pdf',
            size: 30,
            partSize: 10,
            partCount: 3,
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            parts: [1, 2, 3].map((n) => ({
              partNumber: n,
              url: partUrl(n, 1),
              start: (n - 1) * 10,
              end: n * 10,
            })),
          },
          201,
        ),
      ),
    );
    await page.route(`${suite.gateway.url}/fake-store/**`, (route) => {
      const url = route.request().url();
      puts.push(url.replace(suite.gateway.url, ''));
      if (url === partUrl(2, 1)) return route.abort('failed');
      const part = /part-(\d)/.exec(url)![1];
      return route.fulfill({ status: 200, headers: { ETag: `"etag-${part}"` }, body: '' });
    });
    await page.route(`${suite.gateway.url}/admin/uploads/${uploadId}/parts`, (route) => {
      renewed = route.request().postDataJSON();
      return route.fulfill(json({ parts: [{ partNumber: 2, url: partUrl(2, 2), start: 10, end: 20 }] }));
    });
    await page.route(`${suite.gateway.url}/admin/uploads/${uploadId}/complete`, (route) => {
      completed = route.request().postDataJSON();
      return route.fulfill(json({ id: uploadId, state: 'uploaded' }));
    });
    await page.route(`${suite.gateway.url}/admin/titles`, (route) =>
      route.fulfill(json({ id: 't-besar', title: 'Buku Besar', authors: [], subjects: [] }, 201)),
    );
    await openConsole(page);
    // Act
    await page.getByLabel('Files (one or more)').setInputFiles({
      name: 'besar.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(30, 0x25),
    });
    await page.getByRole('button', { name: 'Upload and publish' }).click();
    const row = page.locator('#upload-list > li', { hasText: 'besar.pdf' });
    // Assess: part 2 failed, the others are sent; a progress bar per part
    await expect.poll(() => row.getAttribute('data-state')).toBe('failed');
    expect(await row.getByRole('progressbar', { name: /^Part \d of 3$/ }).count()).toBe(3);
    expect(await row.locator('.upload-percent').textContent()).toBe('66 %');
    // Act: retry only part 2
    await row.getByRole('button', { name: 'Retry part 2' }).click();
    // Assess
    await expect.poll(() => row.getAttribute('data-state')).toBe('published');
    expect(await row.locator('.upload-percent').textContent()).toBe('100 %');
    expect(renewed).toEqual({ partNumbers: [2] });
    expect([...puts].sort()).toEqual(
      [
        '/fake-store/part-1?attempt=1',
        '/fake-store/part-2?attempt=1',
        '/fake-store/part-2?attempt=2',
        '/fake-store/part-3?attempt=1',
      ].sort(),
    );
    expect(completed).toEqual({
      parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `"etag-${n}"` })),
    });
    await context.close();
  });

  it('lists patrons, blocks and unblocks one, pages the audit trail, and works at 360 px in Indonesian', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740, language: 'id' });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.getByRole('link', { name: 'Konsol', exact: true }).click();
    await page.getByRole('heading', { name: 'Konsol pustakawan' }).waitFor();
    // Act: patrons
    await page.getByRole('link', { name: 'Anggota', exact: true }).click();
    await page.getByLabel('Cari nomor kartu atau awal nama').fill('Dewi');
    await page.getByRole('button', { name: 'Cari', exact: true }).click();
    const dewi = page.locator('#patron-list li', { hasText: 'Dewi Lestari' });
    await dewi.getByRole('button', { name: 'Blokir Dewi Lestari' }).click();
    // Assess
    await page.locator('#patron-list li', { hasText: 'Diblokir' }).waitFor();
    await dewi.getByRole('button', { name: 'Buka blokir Dewi Lestari' }).click();
    await dewi.getByRole('button', { name: 'Blokir Dewi Lestari' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'console-patrons-360px');
    // Act: audit trail
    await page.getByRole('link', { name: 'Jejak audit', exact: true }).click();
    const entries = page.locator('#audit-list li');
    // Assess: newest first
    await expect.poll(() => entries.first().textContent()).toContain('patron.unblock');
    expect(await page.locator('#audit-list li', { hasText: 'patron.block ' }).count()).toBeGreaterThan(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows no console link to a patron, and refuses the console page', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    await signIn(page, suite.gateway.url, '20000002', '1234');
    // Act
    await page.goto(`${suite.gateway.url}/#/console`);
    // Assess
    await page.getByText('The console is for librarians only.').waitFor();
    expect(await page.getByRole('link', { name: 'Console', exact: true }).count()).toBe(0);
    await context.close();
  });
});
