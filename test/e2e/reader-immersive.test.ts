import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireFixtures } from '../helpers/fixtures';
import { addOpenEpub, buildEpub, xhtml } from './epub-books';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';
import { chromeState, openTools, revealChrome, tapMiddle } from './reader-chrome';

/**
 * The immersive reader on a phone and a laptop: the page fills the viewport while reading, the chrome comes
 * and goes on a tap, a key or focus, messages are toasts inside the viewport; read-aloud, and reading comfort
 * (typeface, spacing, margins, theme, search hits, bookmark labels), checked by what the page shows.
 */
const suite = useGatewayAndBrowser();
const sandboxNote = [/sandboxed and the 'allow-scripts'/];
const phone = { width: 360, height: 740 };
const laptop = { width: 1280, height: 800 };

const sentences = [
  'Kalimat pertama dibaca lebih dulu.',
  'Kalimat kedua menyusul sesudahnya.',
  'Kalimat ketiga menutup halaman ini.',
];

/** A short Indonesian book: one page per chapter, so "the visible text" is known exactly. */
function indonesianBook(): Uint8Array {
  const chapter = (n: number, heading: string, body: string) => ({
    path: `OEBPS/c${n}.xhtml`,
    id: `c${n}`,
    mediaType: 'application/xhtml+xml',
    content: xhtml(heading, `<h1>${heading}</h1><p id="p${n}">${body}</p>`, '', ' lang="id" xml:lang="id"'),
  });
  return buildEpub({
    title: 'Buku Uji Membaca',
    language: 'id',
    files: [
      {
        path: 'OEBPS/nav.xhtml',
        id: 'nav',
        mediaType: 'application/xhtml+xml',
        properties: 'nav',
        content: xhtml(
          'Daftar isi',
          '<nav epub:type="toc"><ol><li><a href="c1.xhtml">Bab Satu</a></li><li><a href="c2.xhtml">Bab Dua</a></li><li><a href="c3.xhtml">Bab Tiga</a></li></ol></nav>',
        ),
      },
      chapter(1, 'Bab Satu', sentences.join(' ')),
      chapter(2, 'Bab Dua', 'Halaman kedua dibacakan setelah halaman pertama.'),
      chapter(3, 'Bab Tiga', 'Halaman terakhir buku ini.'),
    ],
    spine: ['c1', 'c2', 'c3'],
  });
}

let bookId: string | undefined;
async function book(): Promise<string> {
  if (!bookId) {
    bookId = 't-immersive-id';
    await addOpenEpub(suite.gateway, bookId, 'Buku Uji Membaca', indonesianBook(), 'id');
  }
  return bookId;
}

/** The API as a patron, straight from the test (for preparing loans and holds). */
async function apiAs(card: string) {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin: '1234' }),
  });
  expect(login.status).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${suite.gateway.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': crypto.randomUUID(),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  return {
    async titleId(query: string): Promise<string> {
      const response = await fetch(`${suite.gateway.url}/titles?q=${encodeURIComponent(query)}`);
      const { data } = (await response.json()) as { data: { id: string }[] };
      expect(data.length).toBeGreaterThan(0);
      return data[0]!.id;
    },
    async borrow(titleId: string): Promise<void> {
      expect((await call('POST', '/loans', { titleId, days: 14 })).status).toBe(201);
    },
    async hold(titleId: string): Promise<void> {
      expect((await call('POST', '/holds', { titleId })).status).toBe(201);
    },
  };
}

async function openReader(page: Page, id: string): Promise<void> {
  await page.goto(`${suite.gateway.url}/#/read/${encodeURIComponent(id)}`);
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.locator('#epub-view iframe, #pdf-canvas').first().waitFor();
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** The share of the viewport a box covers (the part of it inside the viewport). */
function viewportShare(box: Rect, viewport: { width: number; height: number }): number {
  const width = Math.max(0, Math.min(box.x + box.width, viewport.width) - Math.max(box.x, 0));
  const height = Math.max(0, Math.min(box.y + box.height, viewport.height) - Math.max(box.y, 0));
  return (width * height) / (viewport.width * viewport.height);
}
const inside = (box: Rect, viewport: { width: number; height: number }) =>
  box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height;
const intersects = (box: Rect, viewport: { width: number; height: number }) =>
  viewportShare(box, viewport) > 0;

/** The bar's box once its slide has finished (its transition is what the patron sees settle). */
async function settledBar(page: Page): Promise<Rect> {
  await page.waitForFunction(
    () => document.querySelector('.reader-bar')?.getAnimations().length === 0,
    undefined,
    { polling: 'raf' },
  );
  return (await page.locator('.reader-bar').boundingBox())!;
}

const seriousOrCritical = (violations: string[]) =>
  violations.filter((v) => /\((serious|critical)\)/.test(v));

/** The book's page box: what epub.js shows (its container) or the PDF's scroller. */
const pageBox = async (page: Page) =>
  (await page.locator('#epub-view .epub-container, #pdf-scroll').first().boundingBox())!;

async function checkImmersive(page: Page, size: { width: number; height: number }, name: string) {
  // Assess: reading, the chrome hidden, the page fills the viewport
  expect(await chromeState(page)).toBe('hidden');
  const hiddenBar = await settledBar(page);
  expect(hiddenBar.y + hiddenBar.height).toBeLessThanOrEqual(0);
  const share = viewportShare(await pageBox(page), size);
  expect(share).toBeGreaterThanOrEqual(0.9);
  expect(seriousOrCritical(await accessibilityViolations(page))).toEqual([]);
  // Act: a tap in the middle of the page
  await tapMiddle(page);
  // Assess: the chrome is shown, inside the viewport, the page unmoved under it
  await page.locator('#reader[data-chrome="shown"]').waitFor();
  expect(inside(await settledBar(page), size)).toBe(true);
  expect(inside((await page.locator('.reader-foot').boundingBox())!, size)).toBe(true);
  expect(await page.getByRole('link', { name: 'Close the book' }).isVisible()).toBe(true);
  expect(seriousOrCritical(await accessibilityViolations(page))).toEqual([]);
  await screenshot(page, `immersive-${name}-${size.width}-chrome`);
  // Act: a second tap hides it again
  await tapMiddle(page);
  await page.locator('#reader[data-chrome="hidden"]').waitFor();
  expect((await settledBar(page)).y).toBeLessThan(0);
  await screenshot(page, `immersive-${name}-${size.width}-reading`);
  // Act / Assess: Escape shows it, and Escape hides it
  await page.locator('#reader').focus();
  await page.keyboard.press('Escape');
  await page.locator('#reader[data-chrome="shown"]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#reader[data-chrome="hidden"]').waitFor();
  // Act / Assess: keyboard focus on the tools shows it
  await page.locator('#reader').focus();
  await page.keyboard.press('Tab');
  await page.locator('#reader[data-chrome="shown"]').waitFor();
  expect(await page.evaluate(() => document.activeElement?.closest('.reader-bar') !== null)).toBe(true);
  // On a narrow screen the secondary tools sit in one menu
  const menu = page.locator('#reader-menu-button');
  expect(await menu.isVisible()).toBe(size.width < 720);
  if (size.width < 720) {
    expect(await page.locator('#reader-tools').isVisible()).toBe(false);
    const bar = await settledBar(page);
    // One row: the bar takes little of the phone's height even while shown
    expect(bar.height).toBeLessThan(70);
  }
  // Act: a bookmark (a transient message)
  const before = await pageBox(page);
  await openTools(page);
  await page.getByRole('button', { name: 'Bookmark this page' }).click();
  // Assess: the toast is inside the viewport and the page did not move
  const toast = page.locator('#status .toast', { hasText: 'Bookmark added.' });
  await toast.waitFor();
  expect(inside((await toast.boundingBox())!, size)).toBe(true);
  expect(await pageBox(page)).toEqual(before);
  expect(await page.locator('#status').getAttribute('aria-live')).toBe('polite');
  // The toast fades on its own
  await toast.waitFor({ state: 'detached', timeout: 15_000 });
}

async function phoneAndLaptop(run: (context: BrowserContext, size: typeof phone) => Promise<void>) {
  for (const size of [phone, laptop]) {
    const context = await newContext(suite.browser, size);
    try {
      await run(context, size);
    } finally {
      await context.close();
    }
  }
}

describe('immersive reader', () => {
  it('EPUB at 360×740 and 1280×800: the page fills the viewport, a tap shows and hides the chrome, toasts inside', async () => {
    // Prepare
    const id = await book();
    await phoneAndLaptop(async (context, size) => {
      const { page, problems } = await openPage(context, { ignore: sandboxNote });
      await signIn(page, suite.gateway.url, '20000003', '1234');
      // Act
      await openReader(page, id);
      // Assess
      await checkImmersive(page, size, 'epub');
      // The bookmark is labelled with its chapter and the text at that place
      await openTools(page);
      await page.getByRole('button', { name: 'Bookmarks', exact: true }).click();
      const mark = page.locator('#bookmarks-panel li button.link').first();
      await expect.poll(() => mark.innerText()).toContain('Bab Satu');
      expect(await mark.innerText()).toContain('Kalimat pertama dibaca');
      expect(problems).toEqual([]);
    });
  }, 180_000);

  it.runIf(requireFixtures('the immersive PDF test'))(
    'PDF at 360×740 and 1280×800: the page fills the viewport, a tap shows and hides the chrome, toasts inside',
    async () => {
      // Prepare: gnuplot.pdf on loan (the sample R-intro.pdf is a partner title, read by campus members)
      const patron = await apiAs('20000002');
      const id = await patron.titleId('gnuplot');
      await patron.borrow(id);
      await phoneAndLaptop(async (context, size) => {
        const { page, problems } = await openPage(context);
        await signIn(page, suite.gateway.url, '20000002', '1234');
        // Act
        await openReader(page, id);
        // Assess
        await checkImmersive(page, size, 'pdf');
        await openTools(page);
        await page.getByRole('button', { name: 'Bookmarks', exact: true }).click();
        const mark = page.locator('#bookmarks-panel li button.link').first();
        await expect.poll(() => mark.innerText()).toMatch(/^Page 1 — “.{10,}/);
        expect(problems).toEqual([]);
      });
    },
    180_000,
  );

  it('shows a refused renewal on the shelf inside the phone’s viewport', async () => {
    // Prepare: Siti has several loans (a long shelf), Moby-Dick the last of them, and Budi waits for it
    const siti = await apiAs('20000001');
    const moby = await siti.titleId('moby');
    for (const query of ['waste land', 'gnuplot', 'children', 'accessible'])
      await siti.borrow(await siti.titleId(query));
    await siti.borrow(moby);
    await (await apiAs('20000002')).hold(moby);
    const context = await newContext(suite.browser, phone);
    const { page } = await openPage(context, { ignore: [/status of 409/] });
    await signIn(page, suite.gateway.url, '20000001', '1234');
    await page.goto(`${suite.gateway.url}/#/shelf`);
    await page.getByRole('heading', { name: 'Loans' }).waitFor();
    // Act: renew Moby-Dick, down the shelf (scrolled to, as the patron would)
    const loan = page.locator('li', { hasText: 'Moby-Dick' });
    expect(await page.locator('.shelf-list li').last().innerText()).toContain('Moby-Dick');
    await loan.getByRole('button', { name: 'Renew' }).scrollIntoViewIfNeeded();
    await loan.getByRole('button', { name: 'Renew' }).click();
    // Assess
    const refusal = page.locator('#status .toast', {
      hasText: 'Others are waiting for this title, so it cannot be renewed.',
    });
    await refusal.waitFor();
    // The page is scrolled well past its top, where the message used to appear
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(phone.height / 2);
    expect(intersects((await refusal.boundingBox())!, phone)).toBe(true);
    expect(await refusal.getAttribute('role')).toBe('alert');
    await screenshot(page, 'shelf-refusal-360');
    await context.close();
  });
});

/** A speechSynthesis that records what it is asked (the real one speaks nothing in a headless browser). */
function stubSpeech() {
  const spoken: { text: string; lang: string; voice: string | null; rate: number }[] = [];
  const utterances: SpeechSynthesisUtterance[] = [];
  const voices = [
    { name: 'English (US)', lang: 'en-US', default: true, localService: true, voiceURI: 'en-US' },
    { name: 'Bahasa Indonesia', lang: 'id-ID', default: false, localService: true, voiceURI: 'id-ID' },
  ];
  const state = { paused: false, speaking: false, cancelled: 0 };
  const synth = {
    getVoices: () => voices,
    speak(utterance: SpeechSynthesisUtterance) {
      spoken.push({
        text: utterance.text,
        lang: utterance.lang,
        voice: utterance.voice?.name ?? null,
        rate: utterance.rate,
      });
      utterances.push(utterance);
      state.speaking = true;
    },
    pause: () => void (state.paused = true),
    resume: () => void (state.paused = false),
    cancel: () => void (state.cancelled += 1),
    get paused() {
      return state.paused;
    },
    get speaking() {
      return state.speaking;
    },
    addEventListener() {},
    removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  // The voice object is a stand-in: the reader sets it on the utterance, which accepts only real voices.
  Object.defineProperty(SpeechSynthesisUtterance.prototype, 'voice', {
    configurable: true,
    get(this: { _voice?: unknown }) {
      return this._voice ?? null;
    },
    set(this: { _voice?: unknown }, value: unknown) {
      this._voice = value;
    },
  });
  (window as unknown as { __speech: unknown }).__speech = { spoken, utterances, state };
}

const spoken = (page: Page) =>
  page.evaluate(
    () =>
      (
        window as unknown as {
          __speech: { spoken: { text: string; lang: string; voice: string | null; rate: number }[] };
        }
      ).__speech.spoken,
  );
/** Sends the current utterance one of the events a voice sends. */
const voiceEvent = (page: Page, type: 'boundary' | 'end', charIndex = 0) =>
  page.evaluate(
    ([type, charIndex]) => {
      const { utterances } = (window as unknown as { __speech: { utterances: SpeechSynthesisUtterance[] } })
        .__speech;
      const utterance = utterances[utterances.length - 1]!;
      utterance.dispatchEvent(
        new SpeechSynthesisEvent(type as string, { utterance, charIndex: charIndex as number, name: 'word' }),
      );
    },
    [type, charIndex] as const,
  );
/** The sentence highlighted in the chapter's frame. */
const highlighted = (page: Page) =>
  page
    .frameLocator('#epub-view iframe')
    .locator('body')
    .evaluate(() => {
      const mark = CSS.highlights.get('pustaka-read-aloud');
      return mark ? [...mark].map((range) => range.toString()).join('|') : null;
    });

describe('read-aloud', () => {
  it('reads the page on screen in the book’s language with an id-ID voice, highlights the sentence, pauses, turns the page', async () => {
    // Prepare
    const id = await book();
    const context = await newContext(suite.browser, phone);
    await context.addInitScript(stubSpeech);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    await openReader(page, id);
    // Act
    await openTools(page);
    await page.getByRole('button', { name: 'Read aloud' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    // Assess: the visible text, in reading order, in Indonesian
    await expect.poll(async () => (await spoken(page)).length).toBe(1);
    const [first] = await spoken(page);
    expect(first!.text).toBe(`Bab Satu ${sentences.join(' ')}`);
    expect(first!.lang).toBe('id');
    expect(first!.voice).toBe('Bahasa Indonesia');
    await expect.poll(() => highlighted(page)).toBe('Bab Satu');
    // Act / Assess: the highlight follows the voice
    await voiceEvent(page, 'boundary', first!.text.indexOf('kedua'));
    await expect.poll(() => highlighted(page)).toBe(sentences[1]);
    await voiceEvent(page, 'boundary', first!.text.indexOf('ketiga'));
    await expect.poll(() => highlighted(page)).toBe(sentences[2]);
    // The read-aloud bar stays over the page while the chrome is hidden
    await tapMiddle(page);
    await page.locator('#reader[data-chrome="hidden"]').waitFor();
    expect(inside((await page.locator('#read-aloud').boundingBox())!, phone)).toBe(true);
    // Act: pause, resume
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await page.evaluate(() => window.speechSynthesis.paused)).toBe(true);
    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await page.evaluate(() => window.speechSynthesis.paused)).toBe(false);
    // Act: the voice finishes the page
    await voiceEvent(page, 'end');
    // Assess: the page turns and the next page is read
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-href')).toContain('c2.xhtml');
    await expect.poll(async () => (await spoken(page)).length).toBe(2);
    expect((await spoken(page))[1]!.text).toBe('Bab Dua Halaman kedua dibacakan setelah halaman pertama.');
    // Act: speed
    await page.getByLabel('Speed').selectOption('1.5');
    await expect.poll(async () => (await spoken(page)).at(-1)!.rate).toBe(1.5);
    // Act: stop
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => highlighted(page)).toBe(null);
    expect(seriousOrCritical(await accessibilityViolations(page))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers no read-aloud where the browser cannot speak', async () => {
    // Prepare
    const id = await book();
    const context = await newContext(suite.browser, laptop);
    await context.addInitScript(() =>
      Object.defineProperty(window, 'speechSynthesis', { value: undefined, configurable: true }),
    );
    const { page } = await openPage(context, { ignore: sandboxNote });
    // Act
    await openReader(page, id);
    await revealChrome(page);
    // Assess
    await page.getByRole('button', { name: 'Contents' }).waitFor();
    expect(await page.getByRole('button', { name: 'Read aloud' }).count()).toBe(0);
    await context.close();
  });
});

/** The computed style of the first chapter's paragraph, in its frame. */
const paragraph = (page: Page) =>
  page
    .frameLocator('#epub-view iframe')
    .locator('#p1')
    .evaluate((p) => {
      const style = getComputedStyle(p);
      return {
        fontFamily: style.fontFamily,
        lineHeight: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
        dyslexicLoaded: document.fonts.check("16px 'OpenDyslexic'"),
        background: getComputedStyle(p.ownerDocument.body).backgroundColor,
      };
    });

describe('reading comfort', () => {
  it('the whole app follows the system’s dark mode, and stays readable (axe) in it', async () => {
    // Prepare: a device in dark mode
    const context = await newContext(suite.browser, phone);
    const { page, problems } = await openPage(context);
    await page.emulateMedia({ colorScheme: 'dark' });
    // Act: the catalogue, a title page, the sign-in page
    for (const path of ['#/', '#/titles/t-immersive-id', '#/signin']) {
      await book();
      await page.goto(`${suite.gateway.url}/${path}`);
      await page.locator('main h1').first().waitFor();
      // Assess
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
        'rgb(18, 18, 20)',
      );
      expect(seriousOrCritical(await accessibilityViolations(page))).toEqual([]);
    }
    await screenshot(page, 'dark-signin-360');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('typeface (OpenDyslexic), line spacing, margins, dark mode from the system until a theme is chosen, search hits highlighted', async () => {
    // Prepare: a device in dark mode
    const id = await book();
    const context = await newContext(suite.browser, laptop);
    const { page, problems } = await openPage(context, { ignore: sandboxNote });
    await page.emulateMedia({ colorScheme: 'dark' });
    await openReader(page, id);
    // Assess: the book and the app follow the system's dark mode
    await expect.poll(async () => (await paragraph(page)).background).toBe('rgb(18, 18, 18)');
    await revealChrome(page);
    const barColour = () =>
      page.locator('.reader-bar').evaluate((bar) => getComputedStyle(bar).backgroundColor);
    expect(await barColour()).toBe('rgb(29, 29, 33)');
    expect(seriousOrCritical(await accessibilityViolations(page))).toEqual([]);
    // Act: the dyslexia-friendly typeface
    const before = await paragraph(page);
    expect(before.fontFamily).not.toContain('OpenDyslexic');
    await openTools(page);
    await page.getByRole('button', { name: 'Display' }).click();
    await page.getByRole('radio', { name: 'OpenDyslexic (dyslexia-friendly)' }).check();
    // Assess: the text is set in it, and the font (shipped with the app) loaded under the reader's CSP
    await expect.poll(async () => (await paragraph(page)).fontFamily).toContain('OpenDyslexic');
    await expect.poll(async () => (await paragraph(page)).dyslexicLoaded).toBe(true);
    // Act / Assess: a serif, then the book's own
    await page.getByRole('radio', { name: 'Serif', exact: true }).check();
    await expect.poll(async () => (await paragraph(page)).fontFamily).toMatch(/^Georgia/);
    await page.getByRole('radio', { name: "The book's own" }).first().check();
    await expect.poll(async () => (await paragraph(page)).fontFamily).toBe(before.fontFamily);
    // Act / Assess: loose line spacing
    await page.getByRole('radio', { name: 'Loose' }).check();
    await expect.poll(async () => (await paragraph(page)).lineHeight).toBeCloseTo(2, 1);
    // Act / Assess: large margins narrow the page on both sides
    const wide = (await page.locator('#epub-view').boundingBox())!;
    await page.getByRole('radio', { name: 'Large' }).check();
    await expect
      .poll(async () => (await page.locator('#epub-view').boundingBox())!.x)
      .toBeGreaterThan(wide.x + laptop.width * 0.1);
    await expect
      .poll(() => page.locator('#reader-stage').getAttribute('data-layout-size'))
      .toBe(await page.locator('#epub-view').evaluate((v) => `${v.clientWidth}x${v.clientHeight}`));
    // Act: the patron chooses the light theme although the system is dark
    await page.getByRole('radio', { name: 'Light' }).check();
    // Assess: light now, and still after a reload
    await expect.poll(async () => (await paragraph(page)).background).toBe('rgb(255, 255, 255)');
    await page.reload();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await paragraph(page)).background).toBe('rgb(255, 255, 255)');
    // The settings stayed too
    expect((await paragraph(page)).lineHeight).toBeCloseTo(2, 1);
    // Act: search in the book
    await openTools(page);
    await page.getByRole('button', { name: 'Search in book' }).click();
    await page.getByLabel('Search in book').fill('kedua');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#book-search-results li a').first().click();
    // Assess: the hits are highlighted in the text shown
    const hits = () =>
      page
        .frameLocator('#epub-view iframe')
        .locator('body')
        .evaluate(() => {
          const mark = CSS.highlights.get('pustaka-search');
          return mark ? [...mark].map((range) => range.toString().toLowerCase()) : [];
        });
    await expect.poll(hits).toEqual(['kedua']);
    await screenshot(page, 'comfort-search-hit');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
