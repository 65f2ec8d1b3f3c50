import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chapter, containerXml, packageOpf, zip } from '../domain/publication/builders';
import { fixturesDir, requireFixtures } from '../helpers/fixtures';
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

/** Calls the gateway as a client outside the browser would (to prepare a test or to check its outcome). */
async function callApi(
  path: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${suite.gateway.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function tokenOf(cardNumber: string, pin: string): Promise<string> {
  const { status, body } = await callApi('/auth/login', { method: 'POST', body: { cardNumber, pin } });
  expect(status).toBe(200);
  return body.accessToken as string;
}

function borrow(token: string, titleId: string) {
  return callApi('/loans', {
    method: 'POST',
    token,
    body: { titleId },
    headers: { 'Idempotency-Key': `e2e-${titleId}-${token.slice(-12)}` },
  });
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

  it.skipIf(!requireFixtures('uploading wasteland.epub'))(
    'uploads a real fixture (wasteland.epub) that becomes a borrowable title in the catalogue',
    async () => {
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
    },
  );

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
    // The search has answered when every row listed is a Dewi (the first page lists everyone)
    await expect
      .poll(async () => {
        const rows = await page.locator('#patron-list li').allTextContents();
        return rows.length > 0 && rows.every((row) => row.includes('Dewi'));
      })
      .toBe(true);
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

  it('withdraws a title after an in-page confirmation: shown as withdrawn, no licence form, nobody can borrow it', async () => {
    // Prepare: a seeded licensed title that Siti has on loan
    const found = await callApi(`/titles?q=${encodeURIComponent('The Library That Never Sleeps')}`);
    const title = (found.body.data as { id: string; title: string; status: string }[]).find(
      (t) => t.title === 'The Library That Never Sleeps',
    )!;
    expect(title.status).toBe('active');
    const siti = await tokenOf('20000001', '1234');
    const loan = await borrow(siti, title.id);
    expect(loan.status).toBe(201);
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    page.on('dialog', (dialog) => problems.push(`unexpected dialog: ${dialog.message()}`));
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await page.goto(`${suite.gateway.url}/#/console/titles/${title.id}`);
    await page.locator('#licence-form').waitFor();
    const section = page.locator('#withdraw-section');

    // Act: ask, then think better of it
    await section.getByRole('button', { name: 'Withdraw this title' }).click();
    // Assess: a question in the page, focus on the safe answer, nothing withdrawn yet
    const question = section.getByRole('group', { name: /^Withdraw “The Library That Never Sleeps”/ });
    await question.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    expect(await section.getByRole('button', { name: 'Withdraw this title' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-withdraw-confirm');
    await question.getByRole('button', { name: 'Cancel' }).click();
    expect(await question.isHidden()).toBe(true);
    expect((await callApi(`/titles/${title.id}`)).body.status).toBe('active');

    // Act: withdraw for real
    await section.getByRole('button', { name: 'Withdraw this title' }).click();
    await question.getByRole('button', { name: 'Yes, withdraw it' }).click();
    // Assess: the page says so and offers no licence form (the API refuses licences for withdrawn titles)
    await section
      .getByRole('status')
      .filter({ hasText: '“The Library That Never Sleeps” has been withdrawn.' })
      .waitFor();
    expect(await page.locator('#withdrawn-note').textContent()).toMatch(
      /^Withdrawn on .+\. It cannot be borrowed/,
    );
    expect(await page.locator('#title-withdrawn').textContent()).toBe('Withdrawn');
    expect(await page.locator('#licence-form').count()).toBe(0);
    expect(await page.locator('#licence-closed').textContent()).toBe(
      'Licences cannot be added to a withdrawn title.',
    );
    expect(await section.getByRole('button', { name: 'Withdraw this title' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-withdrawn');
    // Assess: a patron can no longer borrow it; the loan already out runs on
    const dewi = await tokenOf('20000003', '1234');
    const refused = await borrow(dewi, title.id);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('TITLE_WITHDRAWN');
    const sitiLoans = await callApi('/me/loans', { token: siti });
    expect(JSON.stringify(sitiLoans.body)).toContain(loan.body.id as string);
    // Assess: a fresh load of the page shows the withdrawal from the server
    await page.reload();
    await page.locator('#withdrawn-note').waitFor();
    expect(await page.locator('#title-withdrawn').isVisible()).toBe(true);
    expect(await page.locator('#licence-form').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("resets a patron's PIN at 360 px: a bad PIN is refused in the page, then the new PIN signs in and the old does not", async () => {
    // Prepare: a patron of this test's own
    const librarianToken = await tokenOf(librarian.card, librarian.pin);
    const enrolled = await callApi('/admin/patrons', {
      method: 'POST',
      token: librarianToken,
      body: { cardNumber: '30000777', name: 'Wulan Sari', pin: '1111' },
    });
    expect(enrolled.status).toBe(201);
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    const patches: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.postData() ?? '');
    });
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsole(page);
    await page.getByRole('link', { name: 'Patrons', exact: true }).click();
    await page.getByLabel('Search by card number or start of name').fill('30000777');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const wulan = page.locator('#patron-list li', { hasText: 'Wulan Sari' });
    await wulan.getByRole('button', { name: 'Reset PIN of Wulan Sari' }).click();
    const pin = wulan.getByLabel('New PIN for Wulan Sari (4–12 digits)');

    // Act: letters in the PIN
    await pin.fill('12ab');
    await wulan.getByRole('button', { name: 'Save new PIN' }).click();
    // Assess: refused before asking the server
    await wulan.getByText('A PIN has 4 to 12 digits and nothing else.').waitFor();
    expect(await pin.getAttribute('aria-invalid')).toBe('true');
    expect(patches).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-reset-pin-360px');

    // Act: a good PIN
    await pin.fill('24680');
    await wulan.getByRole('button', { name: 'Save new PIN' }).click();
    // Assess
    await page
      .locator('.console-body p[role=status]', { hasText: 'The PIN of Wulan Sari has been reset.' })
      .waitFor();
    expect(await wulan.locator('.pin-form').count()).toBe(0);
    expect(patches).toEqual(['{"pin":"24680"}']);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const oldPin = await callApi('/auth/login', {
      method: 'POST',
      body: { cardNumber: '30000777', pin: '1111' },
    });
    expect(oldPin.status).toBe(401);
    const patronContext = await newContext(suite.browser);
    const patronPage = (await openPage(patronContext)).page;
    await signIn(patronPage, suite.gateway.url, '30000777', '24680');
    expect(await patronPage.getByText('Signed in as Wulan Sari').count()).toBe(1);
    expect(problems).toEqual([]);
    await patronContext.close();
    await context.close();
  });

  it('imports patrons from a CSV file and reports each refused row with its line and reason', async () => {
    // Prepare: two good rows; a card already in use, a missing name, a bad e-mail, a card repeated in the file,
    // a quote inside a quoted name that is not doubled
    const csv = [
      'cardNumber,name,email,pin',
      '30000101,Ayu Pertiwi,ayu@example.org,1357',
      '30000102,Bayu Nugroho,,',
      '20000001,Siti Kembar,siti2@example.org,',
      '30000103,,tanpa.nama@example.org,',
      '30000104,Citra Surel,bukan-surel,',
      '30000101,Ayu Lagi,,',
      '30000105,"Dewi "Dewa" Lestari",,',
    ].join('\r\n');
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsole(page);
    await page.getByRole('link', { name: 'Patrons', exact: true }).click();
    await page.locator('#patron-list li').first().waitFor();
    expect(await page.locator('#patron-list li', { hasText: 'Ayu Pertiwi' }).count()).toBe(0);

    // Act: the browser calls it a spreadsheet, as some systems do for .csv
    await page.getByLabel('CSV file').setInputFiles({
      name: 'anggota-baru.csv',
      mimeType: 'application/vnd.ms-excel',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    // Assess: the report
    await page.locator('#import-summary').waitFor();
    expect(await page.locator('#import-summary').textContent()).toBe('2 of 7 rows imported, 5 refused.');
    expect(await page.getByRole('list', { name: 'Refused rows' }).locator('li').allTextContents()).toEqual([
      'Line 4 (card 20000001): the card number is already used (earlier in the file or by a patron)',
      'Line 5 (card 30000103): the name is missing',
      'Line 6 (card 30000104): not a valid e-mail address',
      'Line 7 (card 30000101): the card number is already used (earlier in the file or by a patron)',
      'Line 8 (card 30000105): the quoted value of name is followed by more text; a quote inside a quoted value is written twice ("")',
    ]);
    // Assess: the list is refreshed with the good rows, and only those
    await page.locator('#patron-list li', { hasText: 'Ayu Pertiwi' }).waitFor();
    expect(await page.locator('#patron-list li', { hasText: 'Bayu Nugroho' }).count()).toBe(1);
    expect(
      await page.locator('#patron-list li', { hasText: /Citra Surel|Siti Kembar|Ayu Lagi/ }).count(),
    ).toBe(0);
    expect(await page.locator('#patron-list li', { hasText: 'Card 30000101' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#import-report').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-import');
    // Assess: an imported patron can sign in with the PIN from the file
    expect(
      (await callApi('/auth/login', { method: 'POST', body: { cardNumber: '30000101', pin: '1357' } }))
        .status,
    ).toBe(200);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters the audit trail by action and keeps the filter while loading more, at 360 px', async () => {
    // Prepare: more patron.edit entries than one page (25) holds, among entries of other actions
    const token = await tokenOf(librarian.card, librarian.pin);
    const enrolled = await callApi('/admin/patrons', {
      method: 'POST',
      token,
      body: { cardNumber: '30000888', name: 'Joko Audit' },
    });
    expect(enrolled.status).toBe(201);
    const id = enrolled.body.id as string;
    for (let i = 0; i < 27; i++) {
      const edited = await callApi(`/admin/patrons/${id}`, {
        method: 'PATCH',
        token,
        body: { loanLimit: i % 10 },
      });
      expect(edited.status).toBe(200);
      if (i === 13) {
        expect(
          (await callApi(`/admin/patrons/${id}`, { method: 'PATCH', token, body: { status: 'blocked' } }))
            .status,
        ).toBe(200);
        expect(
          (await callApi(`/admin/patrons/${id}`, { method: 'PATCH', token, body: { status: 'active' } }))
            .status,
        ).toBe(200);
      }
    }
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsole(page);
    await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
    const entries = page.locator('#audit-list > li');
    const actions = () => page.locator('#audit-list > li strong').allTextContents();
    await expect.poll(async () => (await actions()).length).toBe(25);
    expect(new Set(await actions()).size).toBeGreaterThan(1);

    // Act: only patron.edit
    await page.getByLabel('Action (e.g. patron.block)').fill('patron.edit');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Assess: a first page of 25, every one a patron.edit
    await expect.poll(async () => new Set(await actions())).toEqual(new Set(['patron.edit']));
    await expect.poll(() => entries.count()).toBe(25);
    // Act: load the rest
    await page.getByRole('button', { name: 'Load more' }).click();
    // Assess: the next page keeps the filter, and there is no more
    await expect.poll(() => entries.count()).toBe(27);
    expect(new Set(await actions())).toEqual(new Set(['patron.edit']));
    expect(await page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#audit-filters').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-audit-filters-360px');

    // Act: by target instead, then a date range where nothing happened
    await page.getByLabel('Action (e.g. patron.block)').fill('');
    await page.getByLabel('Target type').selectOption('patron');
    await page.getByLabel('Target ID').fill(id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Assess: everything done to that patron (enrolment, edits, the block and unblock), and nothing else
    await expect.poll(() => entries.count()).toBe(25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => entries.count()).toBe(30);
    expect(new Set(await actions())).toEqual(
      new Set(['patron.enrol', 'patron.edit', 'patron.block', 'patron.unblock']),
    );
    expect(await page.locator('#audit-list > li', { hasNotText: id }).count()).toBe(0);
    // Act
    await page.getByLabel('From date').fill('2999-01-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Assess
    await expect.poll(() => entries.allTextContents()).toEqual(['No entries match these filters.']);
    // Act: clear them all
    await page.getByRole('button', { name: 'Clear filters' }).click();
    // Assess
    await expect.poll(async () => (await actions()).length).toBe(25);
    expect(new Set(await actions()).size).toBeGreaterThan(1);
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
