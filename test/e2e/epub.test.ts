import { strToU8, zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addOpenEpub } from './epub-books';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';
import { openTools } from './reader-chrome';

const suite = useGatewayAndBrowser();

/** Where the EPUB reader is: the CFI and resource it shows (set by the reader on every relocation). */
async function position(page: Page): Promise<{ cfi: string; href: string }> {
  return page.locator('#reader-stage').evaluate((stage: HTMLElement) => ({
    cfi: stage.dataset.cfi ?? '',
    href: stage.dataset.href ?? '',
  }));
}

async function waitForBook(page: Page): Promise<void> {
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.locator('#epub-view iframe').first().waitFor();
}

const progressSaved = (page: Page) =>
  page.waitForResponse((r) => r.url().includes('/me/progress/') && r.request().method() === 'PUT' && r.ok());

describe('EPUB reader', () => {
  it('borrows Moby-Dick, opens on its first page, turns a page, and resumes there after a reload and on another device', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: [/sandboxed and the 'allow-scripts'/] });
    await signIn(page, suite.gateway.url, '20000001', '1234');
    // Act: search, borrow, read
    await page.getByLabel('Search titles, authors, subjects').fill('moby');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Moby-Dick' }).click();
    await page.getByRole('radio', { name: '21 days' }).check();
    await page.getByRole('button', { name: 'Borrow' }).click();
    await page.getByRole('status').filter({ hasText: 'Borrowed until' }).waitFor();
    await page.getByRole('link', { name: 'Read' }).click();
    await waitForBook(page);
    // Assess: the first page of the book: page 1 of the first spine item in reading order (Moby-Dick's cover
    // is `linear="no"`, so reading starts at the title page, the second itemref: /6/4).
    const first = await position(page);
    expect(first.cfi).toMatch(/^epubcfi\(\/6\/4!/);
    expect(await page.locator('#reader-stage').getAttribute('data-page')).toBe('1');
    expect(await page.locator('#epub-view iframe').first().getAttribute('title')).toContain('Moby-Dick');
    // The title page is drawn in the frame (it is mostly an image).
    const frame = page.frameLocator('#epub-view iframe').first();
    expect(await frame.locator('body *').count()).toBeGreaterThan(0);
    // Act: next page by keyboard, wait until the position is saved
    const saved = progressSaved(page);
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await position(page)).cfi).not.toBe(first.cfi);
    const second = await position(page);
    await saved;
    await screenshot(page, 'epub-page');
    // Act: reload
    await page.reload();
    await waitForBook(page);
    // Assess
    expect((await position(page)).cfi).toBe(second.cfi);
    await page.getByText('Continuing where you left off.').waitFor();
    // Act: the same account in another browser context (another device)
    const otherContext = await newContext(suite.browser);
    const other = await openPage(otherContext, { ignore: [/sandboxed and the 'allow-scripts'/] });
    await signIn(other.page, suite.gateway.url, '20000001', '1234');
    const bookUrl = page.url();
    await other.page.goto(bookUrl);
    await waitForBook(other.page);
    // Assess
    expect((await position(other.page)).cfi).toBe(second.cfi);
    expect(problems).toEqual([]);
    expect(other.problems).toEqual([]);
    await Promise.all([context.close(), otherContext.close()]);
  });

  it('keeps a hostile chapter inert: it renders, but its scripts never run', async () => {
    // Prepare: an EPUB whose chapter tries to reach the app's window, written straight into the store
    const id = 't-hostile-e2e';
    await addOpenEpub(suite.gateway, id, 'Hostile Test Book', hostileEpub());
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    // Act
    await page.goto(`${suite.gateway.url}/#/read/${id}`);
    await waitForBook(page);
    const frame = page.frameLocator('#epub-view iframe');
    await frame.locator('#visible').waitFor();
    // Assess
    expect(await frame.locator('#visible').innerText()).toBe('This chapter renders.');
    const sandbox = await page.locator('#epub-view iframe').first().getAttribute('sandbox');
    expect(sandbox).not.toContain('allow-scripts');
    // Give any script every chance to run, then look for its marks.
    await page.locator('#next-page').click();
    await page.locator('#prev-page').click();
    const marks = await page.evaluate(() => ({
      parent: (window as unknown as { __pwned?: boolean }).__pwned,
      title: document.title.includes('PWNED'),
    }));
    expect(marks).toEqual({ parent: undefined, title: false });
    expect(await frame.locator('body[data-ran]').count()).toBe(0);
    await context.close();
  });

  it('lays out a right-to-left book right to left: the left arrow goes forward', async () => {
    // Prepare
    await addOpenEpub(suite.gateway, 't-rtl-e2e', 'كتاب تجريبي', rtlEpub(), 'ar');
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    await page.goto(`${suite.gateway.url}/#/read/t-rtl-e2e`);
    await waitForBook(page);
    const start = await position(page);
    // Act
    await page.keyboard.press('ArrowLeft');
    // Assess
    await expect.poll(async () => (await position(page)).cfi).not.toBe(start.cfi);
    expect(start.cfi).toMatch(/^epubcfi\(\/6\/2!/);
    expect((await position(page)).cfi).toMatch(/^epubcfi\(\/6\/4!/);
    expect(await page.locator('#epub-view .epub-container').getAttribute('dir')).toBe('rtl');
    // and the right arrow goes back
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await position(page)).cfi).toMatch(/^epubcfi\(\/6\/2!/);
    await context.close();
  });

  it('has reading tools: percent read, bookmarks, contents, search, theme, font size and layout', async () => {
    // Prepare: a signed-in patron opens an open-access book
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: [/sandboxed and the 'allow-scripts'/] });
    await signIn(page, suite.gateway.url, '20000002', '1234');
    await page.getByLabel('Search titles, authors, subjects').fill('georgia');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Georgia' }).click();
    await page.getByRole('link', { name: 'Read' }).click();
    await waitForBook(page);
    // Act / Assess, tool by tool
    // Percent read appears once locations are generated in the background; a bookmark lists in the panel;
    // the table of contents moves the reader.
    await expect
      .poll(() => page.locator('#reader-progress').innerText(), { timeout: 20_000 })
      .toMatch(/^\d+(\.\d)?% read$/);
    await openTools(page);
    await page.getByRole('button', { name: 'Bookmark this page' }).click();
    await page.locator('#status').filter({ hasText: 'Bookmark added.' }).waitFor();
    await page.getByRole('button', { name: 'Bookmarks', exact: true }).click();
    await expect.poll(() => page.locator('#bookmarks-panel li button.link').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Bookmarks', exact: true }).click();
    await page.getByRole('button', { name: 'Contents' }).click();
    const entries = page.locator('#epub-panel a');
    expect(await entries.count()).toBeGreaterThan(1);
    const before = await position(page);
    await entries.last().click();
    await expect.poll(async () => (await position(page)).cfi).not.toBe(before.cfi);
    // Search in the book: results list, and a result moves the reader there.
    await page.getByRole('button', { name: 'Search in book' }).click();
    await page.getByLabel('Search in book').fill('Georgia');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#book-search-results li a').first().waitFor();
    const beforeHit = await position(page);
    await page.locator('#book-search-results li a').first().click();
    await expect.poll(async () => (await position(page)).cfi).not.toBe(beforeHit.cfi);
    // Display: dark theme, larger text, scrolled layout — the book keeps rendering in each.
    await page.getByRole('button', { name: 'Display' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    const body = page.frameLocator('#epub-view iframe').first().locator('body');
    await expect
      .poll(() => body.evaluate((b) => getComputedStyle(b).backgroundColor))
      .toBe('rgb(18, 18, 18)');
    await page.getByRole('button', { name: 'Larger text' }).click();
    expect(await page.locator('#font-size-value').innerText()).toBe('110%');
    const overflow = () =>
      page.locator('#epub-view .epub-container').evaluate((el) => getComputedStyle(el).overflowY);
    expect(await overflow()).toBe('hidden'); // pages
    await page.getByRole('radio', { name: 'Scroll' }).check();
    await expect.poll(overflow).toBe('auto'); // scrolled: the chapter scrolls
    await page.frameLocator('#epub-view iframe').first().locator('body *').first().waitFor();
    await page.getByRole('radio', { name: 'Pages' }).check();
    await page.getByRole('radio', { name: 'Light' }).check();
    await context.close();
  }, 60_000);

  it('returning the loan from the shelf closes access with a clear message', async () => {
    // Prepare: a patron borrows The Waste Land and opens it
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, {
      ignore: [/sandboxed and the 'allow-scripts'/, /403|Forbidden/],
    });
    await signIn(page, suite.gateway.url, '20000003', '1234');
    await page.getByLabel('Search titles, authors, subjects').fill('waste land');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'The Waste Land' }).click();
    await page.getByRole('button', { name: 'Borrow' }).click();
    await page.getByRole('link', { name: 'Read' }).click();
    await waitForBook(page);
    const bookUrl = page.url();
    expect(await accessibilityViolations(page)).toEqual([]);
    // Act: return it from the shelf
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${suite.gateway.url}/#/shelf`);
    await page.getByRole('heading', { name: 'Loans' }).waitFor();
    await page.locator('li', { hasText: 'The Waste Land' }).getByRole('button', { name: 'Return' }).click();
    await page.getByRole('status').filter({ hasText: 'has been returned' }).waitFor();
    await page.goto(bookUrl);
    // Assess
    const message = page.locator('#reader-message');
    await message.waitFor();
    expect(await message.innerText()).toContain('You do not have this title on loan');
    expect(await page.getByRole('link', { name: 'Go to the title page' }).count()).toBe(1);
    expect(await page.locator('#epub-view iframe').count()).toBe(0);
    await context.close();
  });
});

function hostileEpub(): Uint8Array {
  const chapter = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Chapter 1</title>
<script>window.parent.__pwned = true; window.top.__pwned = true; window.top.document.title = 'PWNED';</script>
</head>
<body onload="window.parent.__pwned = true">
<script>document.body.setAttribute('data-ran', '1'); parent.__pwned = true;</script>
<h1>Chapter 1</h1>
<p id="visible">This chapter renders.</p>
<img src="missing.png" alt="" onerror="window.parent.__pwned = true" />
</body></html>`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Contents</title></head>
<body><nav epub:type="toc"><ol><li><a href="chapter1.xhtml">Chapter 1</a></li></ol></nav></body></html>`;
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:0b1e3d8a-2f5c-4f5e-9a53-1a2b3c4d5e6f</dc:identifier>
    <dc:title>Hostile Test Book</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml" properties="scripted"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>`;
  const container = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`;
  return zipSync(
    {
      mimetype: [strToU8('application/epub+zip'), { level: 0 }],
      'META-INF/container.xml': strToU8(container),
      'OEBPS/content.opf': strToU8(opf),
      'OEBPS/nav.xhtml': strToU8(nav),
      'OEBPS/chapter1.xhtml': strToU8(chapter),
    },
    { level: 6 },
  );
}

function rtlEpub(): Uint8Array {
  const chapter = (n: number) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" dir="rtl" lang="ar" xml:lang="ar">
<head><title>الفصل ${n}</title></head>
<body><h1>الفصل ${n}</h1><p>هذا نص تجريبي للفصل رقم ${n}.</p></body></html>`;
  const nav = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" dir="rtl">
<head><title>المحتويات</title></head>
<body><nav epub:type="toc"><ol><li><a href="c1.xhtml">الفصل 1</a></li><li><a href="c2.xhtml">الفصل 2</a></li><li><a href="c3.xhtml">الفصل 3</a></li></ol></nav></body></html>`;
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:7d0b7c3e-5b7e-4d64-9a6c-2f1f6f3e9a10</dc:identifier>
    <dc:title>كتاب تجريبي</dc:title>
    <dc:language>ar</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="c2.xhtml" media-type="application/xhtml+xml"/>
    <item id="c3" href="c3.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine page-progression-direction="rtl"><itemref idref="c1"/><itemref idref="c2"/><itemref idref="c3"/></spine>
</package>`;
  const container = `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`;
  return zipSync({
    mimetype: [strToU8('application/epub+zip'), { level: 0 }],
    'META-INF/container.xml': strToU8(container),
    'OEBPS/content.opf': strToU8(opf),
    'OEBPS/nav.xhtml': strToU8(nav),
    'OEBPS/c1.xhtml': strToU8(chapter(1)),
    'OEBPS/c2.xhtml': strToU8(chapter(2)),
    'OEBPS/c3.xhtml': strToU8(chapter(3)),
  });
}
