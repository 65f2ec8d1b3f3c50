import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addOpenEpub, buildEpub, xhtml } from './epub-books';
import { newContext, openPage, signIn, useGatewayAndBrowser } from './browser';
import { openTools } from './reader-chrome';

/**
 * Reading offline until the loan ends: a loan downloaded from the shelf opens, pages and takes bookmarks with
 * the network off and without a request for its bytes; what was done offline reaches the server when the
 * network is back; when the loan ends by the clock the copy is deleted and the book closes.
 */
const suite = useGatewayAndBrowser();

const minute = 60_000;

interface StoredCopy {
  titleId: string;
  expiresAt: string | null;
  size: number;
}

/** The copies the app keeps in IndexedDB (web/src/readers/offline.ts). */
const storedCopies = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<StoredCopy[]>((resolve, reject) => {
        const request = indexedDB.open('pustaka-offline', 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore('copies', { keyPath: 'titleId' });
          request.result.createObjectStore('outbox', { autoIncrement: true });
        };
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const all = db.transaction('copies').objectStore('copies').getAll();
          all.onsuccess = () => {
            resolve(
              (all.result as (StoredCopy & { bytes: Blob })[]).map((c) => ({
                titleId: c.titleId,
                expiresAt: c.expiresAt,
                size: c.bytes.size,
              })),
            );
            db.close();
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );

async function api(card: string) {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin: '1234' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const get = async <T>(path: string): Promise<T> =>
    (await (
      await fetch(`${suite.gateway.url}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } })
    ).json()) as T;
  return {
    loans: async () =>
      (await get<{ data: { id: string; titleId: string; expiresAt: string }[] }>('/me/loans')).data,
    bookmarks: async (titleId: string) =>
      (
        await get<{ data: { label?: string; locator: { locations: { cfi?: string } } }[] }>(
          `/me/bookmarks/${titleId}`,
        )
      ).data,
    /** The position saved on the server (its CFI), or undefined while there is none. */
    progress: async (titleId: string) => {
      const response = await fetch(`${suite.gateway.url}/me/progress/${titleId}`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      return response.status === 200
        ? ((await response.json()) as { locator: { locations: { cfi?: string } } }).locator.locations.cfi
        : undefined;
    },
  };
}

describe('reading offline until the loan ends', () => {
  it('downloads a loan, reads and bookmarks it offline, syncs the bookmark online, and deletes it at the loan end', async () => {
    // Prepare: signed in, The Waste Land borrowed for 7 days, the app's service worker in control
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, {
      ignore: [/sandboxed and the 'allow-scripts'/, /Failed to load resource|ERR_INTERNET_DISCONNECTED/],
    });
    await page.clock.install();
    const content = new URL(suite.gateway.config.S3_ENDPOINT!).origin;
    const bookRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(content) && /publication\./.test(request.url()))
        bookRequests.push(request.url());
    });
    await signIn(page, suite.gateway.url, '20000003', '1234');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.getByLabel('Search titles, authors, subjects').fill('waste land');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'The Waste Land' }).first().click();
    await page.getByRole('radio', { name: '7 days' }).check();
    await page.getByRole('button', { name: 'Borrow' }).click();
    await page.getByRole('status').filter({ hasText: 'Borrowed until' }).waitFor();
    const server = await api('20000003');
    const loan = (await server.loans()).find((l) => l.titleId !== undefined)!;
    const titleId = loan.titleId;

    // Act: download it from the shelf
    await page.goto(`${suite.gateway.url}/#/shelf`);
    await page.locator(`[data-loan-id="${loan.id}"] [data-action="download"]`).click();
    // Assess: kept whole, tagged with the loan's end
    await page.locator(`[data-loan-id="${loan.id}"] [data-offline="kept"]`).waitFor();
    const [copy] = await storedCopies(page);
    expect(copy).toMatchObject({ titleId, expiresAt: loan.expiresAt });
    expect(copy!.size).toBeGreaterThan(10_000);

    // Act: the network goes; the shelf lists what is on the device, and the book opens from it
    bookRequests.length = 0;
    await context.setOffline(true);
    await page.reload();
    await page.locator('#offline-list li').first().waitFor();
    expect(await page.locator('#offline-list li h3').allTextContents()).toEqual(['The Waste Land']);
    await page.locator('#offline-list').getByRole('link', { name: 'Read' }).click();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    const first = await page.locator('#reader-stage').getAttribute('data-cfi');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-cfi')).not.toBe(first);
    // The tools are behind the immersive reader's chrome: a tap, as the patron would
    await openTools(page);
    await page.locator('#add-bookmark').click();
    // Assess: saved on the device, and nothing asked for the book's bytes
    await page.getByText('Bookmark saved on this device').waitFor();
    expect(bookRequests).toEqual([]);
    expect(await server.bookmarks(titleId)).toEqual([]);

    // Act: back online
    await context.setOffline(false);
    // Assess: the bookmark reaches the server
    await expect.poll(async () => (await server.bookmarks(titleId)).length).toBe(1);

    // Act: the loan's end passes on the device's clock
    const untilEnd = Date.parse(loan.expiresAt) - (await page.evaluate(() => Date.now()));
    await page.clock.fastForward(untilEnd + minute);
    // Assess: the book closes and its copy is gone from storage
    await page.locator('#reader-message[data-reason="loan-ended"]').waitFor();
    await expect.poll(() => storedCopies(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** A book of three long chapters, every paragraph saying where it is. */
function longBook(): Uint8Array {
  const files = Array.from({ length: 3 }, (_, c) => ({
    path: `OEBPS/text/ch${c + 1}.xhtml`,
    id: `ch${c + 1}`,
    mediaType: 'application/xhtml+xml',
    content: xhtml(
      `Chapter ${c + 1}`,
      `<h1>Chapter ${c + 1}</h1>` +
        Array.from(
          { length: 60 },
          (_, p) =>
            `<p id="c${c + 1}p${p + 1}">Chapter ${c + 1} paragraph ${p + 1}: the quick brown fox jumps over the lazy dog.</p>`,
        ).join(''),
    ),
  }));
  return buildEpub({ title: 'Offline Places', files, spine: files.map((f) => f.id) });
}

/** The paragraphs the patron can see in the EPUB view. */
const visibleParagraphs = (page: Page) =>
  page.evaluate(() => {
    const view = document.querySelector('#epub-view')!.getBoundingClientRect();
    const seen: string[] = [];
    for (const frame of document.querySelectorAll<HTMLIFrameElement>('#epub-view iframe')) {
      const offset = frame.getBoundingClientRect();
      for (const p of frame.contentDocument?.querySelectorAll('p') ?? []) {
        const r = p.getBoundingClientRect();
        const left = offset.left + r.left;
        const top = offset.top + r.top;
        if (
          left + r.width > view.left + 1 &&
          left < view.right - 1 &&
          top + r.height > view.top &&
          top < view.bottom
        )
          seen.push(p.id);
      }
    }
    return seen;
  });

async function turnPage(page: Page): Promise<void> {
  const before = await page.locator('#reader-stage').getAttribute('data-cfi');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => page.locator('#reader-stage').getAttribute('data-cfi')).not.toBe(before);
}

describe('what was done offline, shown offline', () => {
  it('lists bookmarks made offline at once (and removes one), and reopens the book offline where the patron stopped', async () => {
    // Prepare: an open-access book, read online for two pages (kept on the device as it opens)
    const titleId = 't-offline-places';
    await addOpenEpub(suite.gateway, titleId, 'Offline Places', longBook());
    const context = await newContext(suite.browser, { keepOpenedBooks: true });
    const { page, problems } = await openPage(context, {
      ignore: [/sandboxed and the 'allow-scripts'/, /Failed to load resource|ERR_INTERNET_DISCONNECTED/],
    });
    await signIn(page, suite.gateway.url, '20000002', '1234');
    const server = await api('20000002');
    // One sign-in for all the polling below: a sign-in per poll would run into the per-address sign-in limit
    // when the machine is slow and the polls many.
    const progressOnServer = () => server.progress(titleId);
    await page.goto(`${suite.gateway.url}/#/read/${titleId}`);
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    await turnPage(page);
    await turnPage(page);
    const readOnline = await page.locator('#reader-stage').getAttribute('data-cfi');
    await expect.poll(progressOnServer).toBe(readOnline);
    await expect.poll(async () => (await storedCopies(page)).map((c) => c.titleId)).toEqual([titleId]);

    // Act: the network goes; the patron reads on, bookmarks two places, opens the bookmarks
    await context.setOffline(true);
    await page.evaluate(() => (location.hash = '#/shelf'));
    await page.locator('#offline-list li').first().waitFor();
    await page.evaluate((id) => (location.hash = `#/read/${id}`), titleId);
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    // Assess: offline it opens where it was read online
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-cfi')).toBe(readOnline);
    await turnPage(page);
    await openTools(page);
    await page.locator('#add-bookmark').click();
    await page.getByText('Bookmark saved on this device').first().waitFor();
    await page.keyboard.press('Escape');
    await turnPage(page);
    await turnPage(page);
    await openTools(page);
    await page.locator('#add-bookmark').click();
    await expect.poll(() => page.getByText('Bookmark saved on this device').count()).toBeGreaterThan(0);
    await openTools(page);
    await page.locator('[aria-controls="bookmarks-panel"]').click();
    // Assess: both are in the panel at once, marked as not sent yet
    const panel = page.locator('#bookmarks-panel');
    const waiting = panel.locator('li[data-sync="pending"]');
    await expect.poll(() => waiting.count()).toBe(2);
    expect(await waiting.first().innerText()).toContain('not synced yet');
    const labels = await waiting.locator('button.link').first().innerText();
    const kept = await waiting.nth(1).locator('button.link').first().innerText();
    // Labelled with the text at that place, as online
    expect(labels).toMatch(/^“.*paragraph \d+/);
    expect(kept).toMatch(/^“.*paragraph \d+/);
    expect(kept).not.toBe(labels);

    // Act: the first is removed, still offline
    await waiting
      .first()
      .getByRole('button', { name: /^Remove bookmark/ })
      .click();
    // Assess: one is left, the second
    await expect.poll(() => waiting.count()).toBe(1);
    expect(await waiting.locator('button.link').first().innerText()).toBe(kept);

    // Act: the patron stops, leaves the book and comes back to it, still offline
    const stoppedAt = await visibleParagraphs(page);
    const stoppedCfi = await page.locator('#reader-stage').getAttribute('data-cfi');
    await page.evaluate(() => (location.hash = '#/shelf'));
    await page.locator('#offline-list li').first().waitFor();
    await page.evaluate((id) => (location.hash = `#/read/${id}`), titleId);
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    // Assess: the page shown is the one where they stopped offline, not the one read online
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-cfi')).toBe(stoppedCfi);
    expect(await visibleParagraphs(page)).toEqual(stoppedAt);
    expect(stoppedCfi).not.toBe(readOnline);
    expect(await server.bookmarks(titleId)).toEqual([]);

    // Act: back online
    await context.setOffline(false);
    // Assess: the server gets the one bookmark left and the place read offline
    await expect.poll(async () => (await server.bookmarks(titleId)).map((b) => b.label)).toEqual([kept]);
    await expect.poll(progressOnServer).toBe(stoppedCfi);
    expect(problems).toEqual([]);
    await context.close();
  });
});
