import { readFileSync } from 'node:fs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fixturesDir, requireFixtures } from '../helpers/fixtures';
import { newContext, openPage, screenshot, useGatewayAndBrowser } from './browser';
import { openTools } from './reader-chrome';
import {
  addOpenEpub,
  buildEpub,
  obfuscateAdobe,
  obfuscateIdpf,
  solidPng,
  xhtml,
  type BookFile,
} from './epub-books';

/**
 * The EPUB reader on books as they come: opened by range reads from one signed link (links here live 4 seconds,
 * so renewal is exercised), resources resolved per document, Contents from a navigation document in a
 * subfolder, non-XHTML spine items, broken books, MathML fences, obfuscated fonts, and pages that hide no line.
 */
const suite = useGatewayAndBrowser({ env: { LINK_TTL_SECONDS: '4' } });

const fixture = (name: string) => readFileSync(join(fixturesDir, 'epub', name));
/** The tests on real books need the shared fixtures (fail under CI without them, else skip with a notice). */
const withFixtures = requireFixtures('The EPUB reader tests on real books (Moby-Dick, The Waste Land, …)');

/** A JPEG's width, from its start-of-frame segment (what the browser must decode it to). */
function jpegWidth(bytes: Uint8Array): number {
  for (let at = 2; at + 9 < bytes.length;) {
    const marker = bytes[at + 1]!;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return (bytes[at + 7]! << 8) | bytes[at + 8]!;
    at += 2 + length;
  }
  throw new Error('not a JPEG: no start-of-frame segment');
}
const storeOrigin = () => new URL(suite.gateway.config.S3_ENDPOINT!).origin;
const sandboxNote = [/sandboxed and the 'allow-scripts'/];

async function openReader(page: Page, id: string): Promise<void> {
  await page.goto(`${suite.gateway.url}/#/read/${id}`);
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.locator('#epub-view iframe').first().waitFor();
}

const frame = (page: Page) => page.frameLocator('#epub-view iframe').first();
const shownHref = (page: Page) => page.locator('#reader-stage').getAttribute('data-href');
const shownCfi = (page: Page) => page.locator('#reader-stage').getAttribute('data-cfi');

/** Bytes of the book the browser received from the store (response bodies), counted as requests finish. */
function countBookBytes(page: Page, titleId: string) {
  const state = { bytes: 0, requests: 0, ranged: 0, urls: [] as string[], pending: [] as Promise<void>[] };
  page.on('requestfinished', (request) => {
    if (!request.url().startsWith(storeOrigin()) || !request.url().includes(`/content/${titleId}/`)) return;
    state.requests += 1;
    state.urls.push(request.url());
    if (request.headers().range) state.ranged += 1;
    state.pending.push(
      request.sizes().then((sizes) => {
        state.bytes += sizes.responseBodySize;
      }),
    );
  });
  return {
    state,
    settled: async () => {
      await Promise.all(state.pending);
      return state;
    },
  };
}

/** The rendition has taken the stage's final size (after the loading bar went away). */
async function layoutSettled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const stage = document.querySelector<HTMLElement>('#reader-stage');
    const container = document.querySelector<HTMLElement>('#epub-view .epub-container');
    if (!stage || !container) return false;
    const size = `${stage.clientWidth}x${stage.clientHeight}`;
    return (
      stage.dataset.layoutSize === size &&
      Math.abs(container.getBoundingClientRect().height - stage.clientHeight) < 2 &&
      document.querySelector('#reader-loading')?.hasAttribute('hidden') === true
    );
  });
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The line boxes of every text node in the reading frames, in the page's coordinates (`node` numbers the text
 * nodes), with the stage and the part of it the book's container covers (the page's visible area).
 */
async function textLineBoxes(page: Page) {
  return page.evaluate(() => {
    const box = (r: DOMRect | { left: number; right: number; top: number; bottom: number }) => ({
      left: r.left,
      right: r.right,
      top: r.top,
      bottom: r.bottom,
    });
    const stage = document.querySelector('#reader-stage')!.getBoundingClientRect();
    const container = document.querySelector('#epub-view .epub-container')!.getBoundingClientRect();
    const lines: { node: number; text: string; box: Box }[] = [];
    let node = 0;
    for (const iframe of Array.from(document.querySelectorAll<HTMLIFrameElement>('#epub-view iframe'))) {
      const doc = iframe.contentDocument;
      if (!doc?.body) continue;
      const offset = iframe.getBoundingClientRect();
      const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        if (!text.textContent?.trim()) continue;
        node += 1;
        const range = doc.createRange();
        range.selectNodeContents(text);
        for (const r of Array.from(range.getClientRects())) {
          if (r.width < 1 || r.height < 1) continue;
          lines.push({
            node,
            text: text.textContent.trim(),
            box: {
              left: offset.left + r.left,
              right: offset.left + r.right,
              top: offset.top + r.top,
              bottom: offset.top + r.bottom,
            },
          });
        }
      }
    }
    const visible = {
      left: Math.max(stage.left, container.left),
      right: Math.min(stage.right, container.right),
      top: Math.max(stage.top, container.top),
      bottom: Math.min(stage.bottom, container.bottom),
    };
    return { stage: box(stage), visible, lines };
  });
}

/**
 * Every text line box in the shown frame, against the page's visible area: lines inside it, lines that cross its
 * bottom edge, and lines in the shown column(s) that lie below it (never shown on any page).
 */
async function lineGeometry(page: Page) {
  const { visible, lines } = await textLineBoxes(page);
  const result = { inside: 0, straddling: [] as string[], below: [] as string[] };
  for (const { text, box } of lines) {
    // Only the column(s) shown now; the others are other pages.
    if (box.right <= visible.left + 1 || box.left >= visible.right - 1) continue;
    const excerpt = text.slice(0, 40);
    if (box.top >= visible.bottom - 1) result.below.push(excerpt);
    else if (box.bottom > visible.bottom + 1)
      result.straddling.push(`${excerpt} (${box.top}-${box.bottom} > ${visible.bottom})`);
    else result.inside += 1;
  }
  return result;
}

/** Text of the text nodes whose boxes intersect the visible stage (at least one real line box). */
async function visibleText(page: Page): Promise<string[]> {
  const { stage, lines } = await textLineBoxes(page);
  const shown = new Map<number, string>();
  for (const { node, text, box } of lines) {
    const inside =
      box.right > stage.left + 1 &&
      box.left < stage.right - 1 &&
      box.bottom > stage.top + 1 &&
      box.top < stage.bottom - 1;
    if (inside && !shown.has(node)) shown.set(node, text.slice(0, 12));
  }
  return [...shown.values()];
}

/** Markers of the fixed-layout pages whose frame is on screen. */
async function shownPages(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const stage = document.querySelector('#reader-stage')!.getBoundingClientRect();
    return Array.from(document.querySelectorAll<HTMLIFrameElement>('#epub-view iframe'))
      .filter((iframe) => {
        const r = iframe.getBoundingClientRect();
        return r.width > 0 && r.right > stage.left + 1 && r.left < stage.right - 1;
      })
      .map((iframe) => iframe.contentDocument?.querySelector('#marker')?.textContent ?? '?');
  });
}

/** The visible box of the shown page's content (its marker), in viewport pixels, and the stage's sides. */
async function frameBox(page: Page) {
  return page.evaluate(() => {
    const stage = document.querySelector('#reader-stage')!.getBoundingClientRect();
    const iframe = Array.from(document.querySelectorAll<HTMLIFrameElement>('#epub-view iframe')).find((f) => {
      const r = f.getBoundingClientRect();
      return r.width > 0 && r.right > stage.left + 1 && r.left < stage.right - 1;
    })!;
    const offset = iframe.getBoundingClientRect();
    const marker = iframe.contentDocument!.querySelector('#marker')!.getBoundingClientRect();
    // The marker's box inside the frame already includes the page's scaling.
    return {
      left: offset.left + marker.left,
      right: offset.left + marker.right,
      top: offset.top + marker.top,
      bottom: offset.top + marker.bottom,
      stageLeft: stage.left,
      stageRight: stage.right,
    };
  });
}

const chapter = (n: number, extra = '') =>
  xhtml(
    `Chapter ${n}`,
    `<h1 id="c${n}">Chapter ${n}</h1><p id="text-${n}">Text of chapter ${n}.</p>${extra}`,
  );

describe('EPUB reader on real-world books', () => {
  it.skipIf(!withFixtures)(
    'opens Moby-Dick by range reads: the first page after ≤ 20 % of its bytes, and after the link expired the next chapter still opens',
    async () => {
      // Prepare
      const bytes = fixture('moby-dick.epub');
      await addOpenEpub(suite.gateway, 't-range-moby', 'Moby-Dick (range)', bytes);
      const context = await newContext(suite.browser);
      // The store's refusal of the expired link shows in the console; the reader then renews it.
      const { page, problems } = await openPage(context, { ignore: [...sandboxNote, /status of 403/] });
      const counter = countBookBytes(page, 't-range-moby');
      // Act
      await openReader(page, 't-range-moby');
      // What had come when the first page was shown (background work starts later).
      const first = { ...(await counter.settled()), urls: [...counter.state.urls] };
      await frame(page).locator('body *').first().waitFor();
      // Assess: only ranges, and few bytes
      expect(first.ranged).toBe(first.requests);
      expect(first.bytes).toBeGreaterThan(0);
      expect(first.bytes / bytes.byteLength).toBeLessThanOrEqual(0.2);
      // Act: wait until the store refuses the link the book was opened with, then open a later chapter
      const firstLink = first.urls[0]!;
      await expect
        .poll(async () => (await fetch(firstLink, { headers: { Range: 'bytes=0-0' } })).status, {
          timeout: 20_000,
          interval: 500,
        })
        .toBe(403);
      await openTools(page);
      await page.getByRole('button', { name: 'Contents' }).click();
      const before = await shownHref(page);
      await page.locator('#epub-panel a', { hasText: 'Loomings' }).first().click();
      // Assess: the chapter is shown, on a fresh link, with no error
      await expect.poll(() => shownHref(page), { timeout: 20_000 }).not.toBe(before);
      await frame(page).getByText('Call me Ishmael', { exact: false }).first().waitFor();
      expect(
        Number(await page.locator('#reader-stage').getAttribute('data-link-renewals')),
      ).toBeGreaterThanOrEqual(1);
      expect(await page.locator('#reader-message').count()).toBe(0);
      expect(problems).toEqual([]);
      await context.close();
    },
    90_000,
  );

  it.skipIf(!withFixtures)(
    'still opens a book when the store ignores Range and answers 200 with the whole file',
    async () => {
      // Prepare: every request to the store goes out without its Range header
      const bytes = fixture('accessible_epub_3.epub');
      await addOpenEpub(suite.gateway, 't-range-200', 'Accessible EPUB 3 (no ranges)', bytes);
      const context = await newContext(suite.browser);
      const { page, problems } = await openPage(context, { ignore: sandboxNote });
      await page.route(`${storeOrigin()}/**`, async (route) => {
        const headers = { ...route.request().headers() };
        delete headers.range;
        const response = await route.fetch({ headers });
        await route.fulfill({ response });
      });
      const counter = countBookBytes(page, 't-range-200');
      // Act
      await openReader(page, 't-range-200');
      await frame(page).locator('body *').first().waitFor();
      // Assess: the book is shown, from one whole download
      const seen = await counter.settled();
      expect(seen.requests).toBe(1);
      expect(seen.bytes).toBeGreaterThan(0.99 * bytes.byteLength);
      expect(await page.locator('#reader-stage').getAttribute('data-bytes-fetched')).toBe(
        String(bytes.byteLength),
      );
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('opens every Contents entry of a book whose navigation document sits in a subfolder', async () => {
    // Prepare: nav in OEBPS/nav/, chapters in OEBPS/text/ (the first one is spine item 0)
    const files: BookFile[] = [
      {
        path: 'OEBPS/nav/toc.xhtml',
        id: 'nav',
        mediaType: 'application/xhtml+xml',
        properties: 'nav',
        content: xhtml(
          'Contents',
          `<nav epub:type="toc"><ol>${[1, 2, 3]
            .map((n) => `<li><a href="../text/c${n}.xhtml#c${n}">Chapter ${n}</a></li>`)
            .join('')}</ol></nav>`,
        ),
      },
      ...[1, 2, 3].map((n) => ({
        path: `OEBPS/text/c${n}.xhtml`,
        id: `c${n}`,
        mediaType: 'application/xhtml+xml',
        content: chapter(n),
      })),
    ];
    await addOpenEpub(
      suite.gateway,
      't-nav-sub',
      'Nav in a subfolder',
      buildEpub({ title: 'Nav in a subfolder', files, spine: ['c1', 'c2', 'c3'] }),
    );
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    await openReader(page, 't-nav-sub');
    // Act / Assess: each entry, last to first, shows its own chapter
    for (const n of [3, 2, 1]) {
      await openTools(page);
      await page.getByRole('button', { name: 'Contents' }).click();
      await page.locator('#epub-panel a', { hasText: `Chapter ${n}` }).click();
      await expect.poll(() => shownHref(page)).toBe(`text/c${n}.xhtml`);
      await frame(page).locator(`#text-${n}`).waitFor();
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('loads each image from its own entry: 4 beside 14, 1 beside 11, sibling folders, encoded and non-ASCII names', async () => {
    // Prepare: five distinct colours under names that share substrings
    const colours: Record<string, [number, number, number]> = {
      '1.png': [255, 0, 0],
      '11.png': [0, 255, 0],
      '4.png': [0, 0, 255],
      '14.png': [255, 255, 0],
      'gambar satu.png': [0, 255, 255],
      'ñandú.png': [255, 0, 255],
    };
    const images: BookFile[] = Object.entries(colours).map(([name, rgb], i) => ({
      path: `OEBPS/images/${name}`,
      id: `img${i}`,
      mediaType: 'image/png',
      content: solidPng(8, 8, rgb),
    }));
    const body = `<h1>Plates</h1>
<p><img id="i1" src="../images/1.png" alt="one"/><img id="i11" src="../images/11.png" alt="eleven"/>
<img id="i4" src="../images/4.png" alt="four"/><img id="i14" src="../images/14.png" alt="fourteen"/>
<img id="ienc" src="../images/gambar%20satu.png" alt="encoded"/><img id="iutf" src="../images/ñandú.png" alt="non-ASCII"/></p>
<p id="bg">Background from CSS.</p>`;
    const files: BookFile[] = [
      {
        path: 'OEBPS/text/plates.xhtml',
        id: 'plates',
        mediaType: 'application/xhtml+xml',
        content: xhtml('Plates', body, '<link rel="stylesheet" type="text/css" href="../styles/book.css"/>'),
      },
      {
        path: 'OEBPS/styles/book.css',
        id: 'css',
        mediaType: 'text/css',
        content: '#bg { background-image: url("../images/14.png"); }',
      },
      {
        path: 'OEBPS/nav.xhtml',
        id: 'nav',
        mediaType: 'application/xhtml+xml',
        properties: 'nav',
        content: xhtml(
          'Contents',
          '<nav epub:type="toc"><ol><li><a href="text/plates.xhtml">Plates</a></li></ol></nav>',
        ),
      },
      ...images,
    ];
    await addOpenEpub(
      suite.gateway,
      't-images',
      'Plates',
      buildEpub({ title: 'Plates', files, spine: ['plates'] }),
    );
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, 't-images');
    const pixel = (selector: string) =>
      frame(page)
        .locator(selector)
        .evaluate(async (img: HTMLImageElement) => {
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = 1;
          canvas.height = 1;
          const ctx = canvas.getContext('2d')!;
          ctx.drawImage(img, 0, 0, 1, 1);
          return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
        });
    // Assess: every image shows its own pixels
    expect(await pixel('#i1')).toEqual(colours['1.png']);
    expect(await pixel('#i11')).toEqual(colours['11.png']);
    expect(await pixel('#i4')).toEqual(colours['4.png']);
    expect(await pixel('#i14')).toEqual(colours['14.png']);
    expect(await pixel('#ienc')).toEqual(colours['gambar satu.png']);
    expect(await pixel('#iutf')).toEqual(colours['ñandú.png']);
    // The stylesheet's url() was resolved against the stylesheet, not the chapter.
    expect(
      await frame(page)
        .locator('#bg')
        .evaluate((el) => getComputedStyle(el).backgroundImage),
    ).toMatch(/^url\("blob:/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it.skipIf(!withFixtures)(
    'shows spine items that are not XHTML: bitmap images (PNG, JPEG) and an SVG document',
    async () => {
      // Prepare: a real JPEG (The Waste Land's cover, taken from the fixture at run time), a PNG and an SVG
      const jpeg = unzipSync(fixture('wasteland.epub'), {
        filter: (entry) => entry.name === 'EPUB/wasteland-cover.jpg',
      })['EPUB/wasteland-cover.jpg']!;
      const svg = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400" viewBox="0 0 300 400"><rect width="300" height="400" fill="#2a6"/><text x="20" y="60" font-size="30">SVG page</text></svg>`;
      const files: BookFile[] = [
        { path: 'OEBPS/c1.xhtml', id: 'c1', mediaType: 'application/xhtml+xml', content: chapter(1) },
        {
          path: 'OEBPS/plate.png',
          id: 'plate',
          mediaType: 'image/png',
          content: solidPng(300, 400, [200, 30, 30]),
        },
        { path: 'OEBPS/figure.svg', id: 'figure', mediaType: 'image/svg+xml', content: svg },
        { path: 'OEBPS/cover photo.jpg', id: 'photo', mediaType: 'image/jpeg', content: jpeg },
        {
          path: 'OEBPS/nav.xhtml',
          id: 'nav',
          mediaType: 'application/xhtml+xml',
          properties: 'nav',
          content: xhtml(
            'Contents',
            '<nav epub:type="toc"><ol><li><a href="c1.xhtml">One</a></li></ol></nav>',
          ),
        },
      ];
      await addOpenEpub(
        suite.gateway,
        't-images-spine',
        'Pictures in the spine',
        buildEpub({ title: 'Pictures in the spine', files, spine: ['c1', 'plate', 'figure', 'photo'] }),
      );
      const context = await newContext(suite.browser);
      const { page, problems } = await openPage(context, { ignore: sandboxNote });
      await openReader(page, 't-images-spine');
      const shownImage = () =>
        frame(page)
          .locator('img[data-generated-page]')
          .evaluate(async (img: HTMLImageElement) => {
            await img.decode();
            const box = img.getBoundingClientRect();
            return { width: img.naturalWidth, shown: box.width > 0 && box.height > 0 };
          });
      // Act / Assess: the PNG, the SVG, then the JPEG (whose name has a space), each decoded and on screen
      for (const [href, width] of [
        ['plate.png', 300],
        ['figure.svg', 300],
        ['cover%20photo.jpg', jpegWidth(jpeg)], // the manifest href, percent-encoded
      ] as const) {
        const before = await shownCfi(page);
        await page.locator('#next-page').click();
        await expect.poll(() => shownCfi(page), { timeout: 15_000 }).not.toBe(before);
        await expect.poll(() => shownHref(page)).toBe(href);
        expect(await shownImage()).toEqual({ width, shown: true });
      }
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('says a truncated or malformed book cannot be opened, with a way back, within 20 s', async () => {
    // Prepare: half a zip, and a zip whose container points at a package that is not there
    const whole = buildEpub({
      title: 'Broken',
      files: [{ path: 'OEBPS/c1.xhtml', id: 'c1', mediaType: 'application/xhtml+xml', content: chapter(1) }],
      spine: ['c1'],
    });
    await addOpenEpub(
      suite.gateway,
      't-truncated',
      'Truncated',
      whole.subarray(0, Math.floor(whole.length / 2)),
    );
    const container = `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/missing.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`;
    await addOpenEpub(
      suite.gateway,
      't-malformed',
      'Malformed',
      zipSync({
        mimetype: [strToU8('application/epub+zip'), { level: 0 }],
        'META-INF/container.xml': strToU8(container),
        'OEBPS/c1.xhtml': strToU8(chapter(1)),
      }),
    );
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: [...sandboxNote, /BookOpenError|Error/] });
    for (const id of ['t-truncated', 't-malformed']) {
      // Act
      const started = Date.now();
      await page.goto(`${suite.gateway.url}/#/read/${id}`);
      const message = page.locator('#reader-message');
      await message.waitFor({ timeout: 20_000 });
      // Assess
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await message.innerText()).toContain('This book could not be opened');
      expect(await page.getByRole('link', { name: 'Go to the title page' }).count()).toBe(1);
    }
    await context.close();
  }, 60_000);

  it('draws MathML fences: mfenced becomes mrow with mo brackets', async () => {
    // Prepare
    const math = `<math xmlns="http://www.w3.org/1998/Math/MathML"><mfenced open="[" close="]"><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable></mfenced><mfenced><mi>a</mi><mi>b</mi></mfenced></math>`;
    const files: BookFile[] = [
      {
        path: 'OEBPS/m.xhtml',
        id: 'm',
        mediaType: 'application/xhtml+xml',
        content: xhtml('Matrix', `<p>${math}</p>`),
      },
    ];
    await addOpenEpub(
      suite.gateway,
      't-mfenced',
      'Matrices',
      buildEpub({ title: 'Matrices', files, spine: ['m'] }),
    );
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, 't-mfenced');
    const f = frame(page);
    await f.locator('math').waitFor();
    // Assess
    expect(await f.locator('mfenced').count()).toBe(0);
    expect(await f.locator('mo').allTextContents()).toEqual(['[', ']', '(', ',', ')']);
    const bracket = await f.locator('mo').first().boundingBox();
    expect(bracket!.width).toBeGreaterThan(0);
    await context.close();
  });

  it('loads fonts obfuscated with the IDPF and the Adobe algorithms', async () => {
    // Prepare: one font, embedded twice, each copy obfuscated by one algorithm
    const identifier = 'urn:uuid:3f2a4c6e-1b8d-4e0f-9a7c-5d6e7f8a9b0c';
    const font = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Oblique.ttf');
    const encryption = `<?xml version="1.0" encoding="UTF-8"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
    <enc:CipherData><enc:CipherReference URI="OEBPS/fonts/idpf.ttf"/></enc:CipherData></enc:EncryptedData>
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://ns.adobe.com/pdf/enc#RC"/>
    <enc:CipherData><enc:CipherReference URI="OEBPS/fonts/adobe.ttf"/></enc:CipherData></enc:EncryptedData>
</encryption>`;
    const css = `@font-face { font-family: "Idpf Face"; src: url(../fonts/idpf.ttf); }
@font-face { font-family: "Adobe Face"; src: url(../fonts/adobe.ttf); }
#a { font-family: "Idpf Face"; } #b { font-family: "Adobe Face"; }`;
    const files: BookFile[] = [
      {
        path: 'OEBPS/text/f.xhtml',
        id: 'f',
        mediaType: 'application/xhtml+xml',
        content: xhtml(
          'Fonts',
          '<p id="a">IDPF font</p><p id="b">Adobe font</p>',
          '<link rel="stylesheet" href="../css/f.css"/>',
        ),
      },
      { path: 'OEBPS/css/f.css', id: 'css', mediaType: 'text/css', content: css },
      {
        path: 'OEBPS/fonts/idpf.ttf',
        id: 'idpf',
        mediaType: 'font/ttf',
        content: obfuscateIdpf(font, identifier),
      },
      {
        path: 'OEBPS/fonts/adobe.ttf',
        id: 'adobe',
        mediaType: 'font/ttf',
        content: obfuscateAdobe(font, identifier),
      },
    ];
    await addOpenEpub(
      suite.gateway,
      't-fonts',
      'Obfuscated fonts',
      buildEpub({
        title: 'Obfuscated fonts',
        identifier,
        files,
        spine: ['f'],
        extra: { 'META-INF/encryption.xml': encryption },
      }),
    );
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, 't-fonts');
    await frame(page).locator('#b').waitFor();
    const loaded = await frame(page)
      .locator('body')
      .evaluate(async (body) => {
        const fonts = body.ownerDocument.fonts;
        const faces = await Promise.all([fonts.load('16px "Idpf Face"'), fonts.load('16px "Adobe Face"')]);
        return faces.map((list) => list.map((face) => `${face.family.replace(/"/g, '')}:${face.status}`));
      });
    // Assess
    expect(loaded).toEqual([['Idpf Face:loaded'], ['Adobe Face:loaded']]);
    await context.close();
  });

  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ] as const) {
    it.skipIf(!withFixtures)(
      `hides no line at ${width}×${height}: in Moby-Dick and The Waste Land no line crosses the page's bottom edge on five pages`,
      async () => {
        // Prepare
        await addOpenEpub(
          suite.gateway,
          `t-geo-moby-${width}`,
          'Moby-Dick (pages)',
          fixture('moby-dick.epub'),
        );
        await addOpenEpub(
          suite.gateway,
          `t-geo-waste-${width}`,
          'The Waste Land (pages)',
          fixture('wasteland.epub'),
        );
        const context = await newContext(suite.browser, { width, height });
        const { page } = await openPage(context, { ignore: sandboxNote });
        for (const [id, entry] of [
          [`t-geo-moby-${width}`, 'Loomings'],
          [`t-geo-waste-${width}`, 'I. THE BURIAL OF THE DEAD'],
        ] as const) {
          await openReader(page, id);
          await openTools(page);
          await page.getByRole('button', { name: 'Contents' }).click();
          await page.locator('#epub-panel a', { hasText: entry }).first().click();
          await expect.poll(() => page.locator('#epub-panel').isHidden()).toBe(true);
          await expect.poll(() => layoutSettled(page), { timeout: 15_000 }).toBe(true);
          for (let turn = 0; turn < 5; turn += 1) {
            // Assess: this page
            await expect
              .poll(async () => (await lineGeometry(page)).inside, { timeout: 15_000 })
              .toBeGreaterThan(0);
            const lines = await lineGeometry(page);
            expect(lines.straddling, `${id} page ${turn + 1}`).toEqual([]);
            expect(lines.below, `${id} page ${turn + 1}`).toEqual([]);
            if (turn === 0) await screenshot(page, `epub-lines-${id}`);
            // Act: the next page
            const before = await shownCfi(page);
            await page.keyboard.press('ArrowRight');
            await expect.poll(() => shownCfi(page), { timeout: 15_000 }).not.toBe(before);
          }
        }
        await context.close();
      },
      120_000,
    );
  }

  it('says interactive parts are not available for a book with scripted items, and shows % read within 5 s', async () => {
    // Prepare
    const files: BookFile[] = [
      {
        path: 'OEBPS/c1.xhtml',
        id: 'c1',
        mediaType: 'application/xhtml+xml',
        properties: 'scripted',
        content: chapter(1),
      },
      { path: 'OEBPS/c2.xhtml', id: 'c2', mediaType: 'application/xhtml+xml', content: chapter(2) },
    ];
    await addOpenEpub(
      suite.gateway,
      't-scripted',
      'Scripted',
      buildEpub({ title: 'Scripted', files, spine: ['c1', 'c2'] }),
    );
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: sandboxNote });
    // Act
    const started = Date.now();
    await openReader(page, 't-scripted');
    // Assess
    await expect
      .poll(() => page.locator('#reader-progress').innerText(), { timeout: 5_000 - (Date.now() - started) })
      .toMatch(/^\d+(\.\d)?% read$/);
    expect(await page.locator('#reader-scripted').innerText()).toBe(
      'Interactive parts of this book are not available in the reader.',
    );
    await context.close();
  });

  it('paginates a vertical-rl Japanese book right to left with its text visible on three consecutive pages', async () => {
    // Prepare: one long chapter in vertical writing, page-progression-direction rtl, long enough for more than
    // three pages whatever the fallback font's glyph size (the last of the three turns needs a fourth page)
    const paragraphs = Array.from(
      { length: 150 },
      (_, n) =>
        `<p>第${n + 1}段。吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。</p>`,
    ).join('');
    const css = 'html { writing-mode: vertical-rl; -epub-writing-mode: vertical-rl; }';
    const files: BookFile[] = [
      {
        path: 'OEBPS/v.xhtml',
        id: 'v',
        mediaType: 'application/xhtml+xml',
        content: xhtml(
          '縦書き',
          paragraphs,
          '<link rel="stylesheet" href="v.css"/>',
          ' xml:lang="ja" lang="ja"',
        ),
      },
      { path: 'OEBPS/v.css', id: 'css', mediaType: 'text/css', content: css },
    ];
    await addOpenEpub(
      suite.gateway,
      't-vertical',
      '縦書き',
      buildEpub({
        title: '縦書き',
        language: 'ja',
        files,
        spine: ['v'],
        spineAttributes: ' page-progression-direction="rtl"',
      }),
      'ja',
    );
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    await openReader(page, 't-vertical');
    // Japanese pages progress right to left, but the text itself runs left to right: no dir=rtl.
    expect(await frame(page).locator('html').getAttribute('lang')).toBe('ja');
    expect(await frame(page).locator('html').getAttribute('dir')).toBeNull();
    await expect.poll(() => layoutSettled(page), { timeout: 15_000 }).toBe(true);
    const seen: string[] = [];
    for (let turn = 0; turn < 3; turn += 1) {
      // Assess: real text inside the visible stage, and not the text of the page before
      await expect.poll(async () => (await visibleText(page)).length, { timeout: 15_000 }).toBeGreaterThan(0);
      const text = (await visibleText(page)).join('|');
      expect(seen).not.toContain(text);
      seen.push(text);
      if (turn === 0) await screenshot(page, 'epub-vertical-rl');
      // Act: the next page
      const before = await shownCfi(page);
      await page.getByRole('button', { name: 'Next page' }).click();
      await expect.poll(() => shownCfi(page), { timeout: 15_000 }).not.toBe(before);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ] as const) {
    it(`shows a fixed-layout right-to-left book page by page, whole and centred, at ${width}×${height}`, async () => {
      // Prepare: four 600×800 pages, each with its own marker
      const page_ = (n: number) =>
        xhtml(
          `Page ${n}`,
          `<div id="marker" style="width:600px;height:800px;background:#ddd;font-size:80px">PAGE-${n}</div>`,
          '<meta name="viewport" content="width=600, height=800"/><style>html,body{margin:0;padding:0}</style>',
        );
      const files: BookFile[] = [1, 2, 3, 4].map((n) => ({
        path: `OEBPS/p${n}.xhtml`,
        id: `p${n}`,
        mediaType: 'application/xhtml+xml',
        content: page_(n),
      }));
      const id = `t-fxl-${width}`;
      await addOpenEpub(
        suite.gateway,
        id,
        'Fixed layout',
        buildEpub({
          title: 'Fixed layout',
          files,
          spine: ['p1', 'p2', 'p3', 'p4'],
          spineAttributes: ' page-progression-direction="rtl"',
          extraMetadata:
            '<meta property="rendition:layout">pre-paginated</meta><meta property="rendition:spread">none</meta>',
        }),
      );
      const context = await newContext(suite.browser, { width, height });
      const { page, problems } = await openPage(context, { ignore: sandboxNote });
      await openReader(page, id);
      await expect.poll(() => layoutSettled(page), { timeout: 15_000 }).toBe(true);
      // The button that shows the next page says so, on the left in a right-to-left book.
      const next = page.getByRole('button', { name: 'Next page', exact: true });
      expect(await next.count()).toBe(1);
      expect((await next.boundingBox())!.x).toBeLessThan(width / 2);
      for (const n of [1, 2, 3]) {
        // Assess: this page alone, whole inside the viewport
        await expect.poll(() => shownPages(page), { timeout: 15_000 }).toEqual([`PAGE-${n}`]);
        const box = await frameBox(page);
        expect(box.left).toBeGreaterThanOrEqual(-1);
        expect(box.top).toBeGreaterThanOrEqual(-1);
        expect(box.right).toBeLessThanOrEqual(width + 1);
        expect(box.bottom).toBeLessThanOrEqual(height + 1);
        // and centred across the stage
        expect(Math.abs(box.left + box.right - (box.stageLeft + box.stageRight))).toBeLessThan(4);
        if (n === 1) await screenshot(page, `epub-fxl-${width}`);
        // Act
        if (n < 3) await next.click();
      }
      // ←: in a right-to-left book the next page is to the left, so → goes back
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => shownPages(page), { timeout: 15_000 }).toEqual(['PAGE-2']);
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => shownPages(page), { timeout: 15_000 }).toEqual(['PAGE-3']);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('keeps an Arabic book right to left: its frames say lang=ar dir=rtl, and so does its title on the title page', async () => {
    // Prepare: an Arabic book with no page-progression-direction (its language says rtl)
    const files: BookFile[] = [1, 2].map((n) => ({
      path: `OEBPS/c${n}.xhtml`,
      id: `c${n}`,
      mediaType: 'application/xhtml+xml',
      content: xhtml(`الفصل ${n}`, `<h1>الفصل ${n}</h1><p id="text-${n}">هذا نص الفصل ${n} من الكتاب.</p>`),
    }));
    await addOpenEpub(
      suite.gateway,
      't-arabic',
      'كتاب الاختبار',
      buildEpub({ title: 'كتاب الاختبار', language: 'ar', files, spine: ['c1', 'c2'] }),
      'ar',
    );
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, 't-arabic');
    await frame(page).locator('#text-1').waitFor();
    // Assess: the frame's document, and the controls
    const html = frame(page).locator('html');
    expect(await html.getAttribute('lang')).toBe('ar');
    expect(await html.getAttribute('dir')).toBe('rtl');
    const next = page.getByRole('button', { name: 'Next page', exact: true });
    expect((await next.boundingBox())!.x).toBeLessThan(550);
    // Act: the title page
    await page.goto(`${suite.gateway.url}/#/titles/t-arabic`);
    const heading = page.getByRole('heading', { level: 1, name: 'كتاب الاختبار' });
    await heading.waitFor();
    // Assess: the book's words in the book's language and direction, the page's own words not
    expect(await heading.getAttribute('lang')).toBe('ar');
    expect(await heading.getAttribute('dir')).toBe('rtl');
    const authors = page.locator('#title-authors span');
    expect(await authors.getAttribute('lang')).toBe('ar');
    expect(await authors.getAttribute('dir')).toBe('rtl');
    expect(await page.locator('#title-authors').getAttribute('dir')).toBeNull();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows % read within 5 s of the first page of a 10 MB book', async () => {
    // Prepare: 225 stored chapters of ~46 KB of varied text each (a seeded generator, so no two pages match)
    let seed = 12345;
    const words = [
      'laut',
      'kapal',
      'angin',
      'ombak',
      'pulau',
      'nelayan',
      'bintang',
      'malam',
      'pagi',
      'layar',
    ];
    const word = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return words[seed % words.length]!;
    };
    const paragraph = () => `<p>${Array.from({ length: 120 }, word).join(' ')}.</p>`;
    const files: BookFile[] = Array.from({ length: 225 }, (_, n) => ({
      path: `OEBPS/c${n}.xhtml`,
      id: `c${n}`,
      mediaType: 'application/xhtml+xml',
      content: xhtml(
        `Bab ${n + 1}`,
        `<h1>Bab ${n + 1}</h1>${Array.from({ length: 62 }, paragraph).join('')}`,
      ),
    }));
    const bytes = buildEpub({
      title: 'Hikayat Panjang',
      language: 'id',
      files,
      spine: files.map((f) => f.id!),
      level: 0,
    });
    expect(bytes.byteLength).toBeGreaterThan(10_000_000);
    await addOpenEpub(suite.gateway, 't-ten-mb', 'Hikayat Panjang', bytes, 'id');
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, 't-ten-mb');
    await frame(page).locator('h1').first().waitFor();
    const shown = Date.now();
    await page.locator('#reader-progress', { hasText: /^\d+(\.\d)?% read$/ }).waitFor({ timeout: 5_000 });
    // Assess
    expect(Date.now() - shown).toBeLessThan(5_000);
    expect(problems).toEqual([]);
    await context.close();
  });
});
