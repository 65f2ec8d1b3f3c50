import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';
import { openTools, revealChrome } from './reader-chrome';

/**
 * A book opened on a loan closes when the loan ends: at its end time (the browser's clock is moved with
 * Playwright's clock API; the gateway's clock is real, so there the loan is still active and what is tested is
 * the reader closing on its own), or when the tab wakes and the API says the loan was returned elsewhere.
 */
const suite = useGatewayAndBrowser();

const ignored = [/sandboxed and the 'allow-scripts'/, /403|Forbidden/];
const minute = 60_000;
/** The loan watcher's clock check and its retry after a failed API check (web/src/readers/loan-watch.ts). */
const watcherTick = 30_000;
const watcherRetry = 60_000;

interface LoanView {
  id: string;
  titleId: string;
  status: string;
  expiresAt: string;
}

/** The same patron on another device: the API straight from the test. */
async function otherDevice(card: string, pin = '1234') {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin }),
  });
  expect(login.status).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = (method: string, path: string) =>
    fetch(`${suite.gateway.url}${path}`, { method, headers: { Authorization: `Bearer ${accessToken}` } });
  return {
    async loanOf(titleId: string): Promise<LoanView> {
      const response = await call('GET', '/me/loans');
      const { data } = (await response.json()) as { data: LoanView[] };
      const loan = data.find((l) => l.titleId === titleId);
      expect(loan).toBeDefined();
      return loan!;
    },
    async returnLoan(loanId: string): Promise<void> {
      expect((await call('DELETE', `/loans/${loanId}`)).status).toBe(200);
    },
    async progress(titleId: string): Promise<{ cfi?: string; page?: number } | undefined> {
      const response = await call('GET', `/me/progress/${titleId}`);
      if (response.status !== 200) return undefined;
      return ((await response.json()) as { locator: { locations: { cfi?: string; page?: number } } }).locator
        .locations;
    },
  };
}

async function borrowAndRead(page: Page, query: string, name: string, days?: string): Promise<string> {
  await page.getByLabel('Search titles, authors, subjects').fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name }).first().click();
  if (days) await page.getByRole('radio', { name: days }).check();
  await page.getByRole('button', { name: 'Borrow' }).click();
  await page.getByRole('status').filter({ hasText: 'Borrowed until' }).waitFor();
  await page.getByRole('link', { name: 'Read' }).click();
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
  return decodeURIComponent(page.url().split('#/read/')[1]!);
}

const cfiOf = (page: Page) => page.locator('#reader-stage').getAttribute('data-cfi');
const loanEndedMessage = (page: Page) => page.locator('#reader-message[data-reason="loan-ended"]');
const isLoanRequest = (request: Request) => /\/loans(\/|$)/.test(new URL(request.url()).pathname);
/** Tells the page it was woken: the tab became visible again, or the window got focus. */
const wake = (page: Page, how: 'visibilitychange' | 'focus') =>
  page.evaluate((event) => {
    if (event === 'focus') window.dispatchEvent(new Event('focus'));
    else document.dispatchEvent(new Event('visibilitychange'));
  }, how);

/** The keys the reader keeps in its IndexedDB cache. */
const cacheKeys = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const request = indexedDB.open('pustaka-reader', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('cache');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const keys = db.transaction('cache').objectStore('cache').getAllKeys();
          keys.onsuccess = () => {
            resolve(keys.result.map(String));
            db.close();
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );

describe('an open book closes when the loan ends', () => {
  it('an EPUB on a 7-day loan closes at its end time: position saved, content and cache gone, links to borrow again', async () => {
    // Prepare: the browser's clock is under the test's control (it runs on by itself until moved)
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: ignored });
    await page.clock.install();
    await signIn(page, suite.gateway.url, '20000001', '1234');
    const titleId = await borrowAndRead(page, 'waste land', 'The Waste Land', '7 days');
    await page.locator('#epub-view iframe').first().waitFor();
    const device = await otherDevice('20000001');
    const loan = await device.loanOf(titleId);
    // The book's locations were computed and kept in the cache
    await page.locator('#reader-stage[data-locations="true"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => cacheKeys(page)).toContainEqual(expect.stringContaining(`:${titleId}:`));
    // Act: read on, then move the clock to one minute before the loan ends
    const first = await cfiOf(page);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => cfiOf(page)).not.toBe(first);
    const lastPlace = await cfiOf(page);
    // A line of the poem on screen (not the title, which the closing message names)
    const frameText = await page.frameLocator('#epub-view iframe').first().locator('body').innerText();
    const snippet = frameText
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= 12 && !/waste land/i.test(line))
      .sort((a, b) => b.length - a.length)[0]!;
    expect(snippet).toBeTruthy();
    const untilEnd = Date.parse(loan.expiresAt) - (await page.evaluate(() => Date.now()));
    expect(untilEnd).toBeGreaterThan(6.9 * 24 * 60 * minute);
    await page.clock.fastForward(untilEnd - minute);
    // Assess: still reading after another of the watcher's clock checks (it closes the book synchronously when it
    // finds the end passed, so the check's absence of effect is visible at once)
    await page.clock.runFor(watcherTick);
    expect(await loanEndedMessage(page).count()).toBe(0);
    expect(await page.locator('#epub-view iframe').count()).toBeGreaterThan(0);
    // Act: past the end
    await page.clock.fastForward(2 * minute);
    // Assess: the book is closed in place, with a message that has the focus
    await loanEndedMessage(page).waitFor();
    const heading = page.getByRole('heading', { name: 'Your loan of “The Waste Land” has ended' });
    expect(await heading.count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Your loan of “The Waste Land” has ended',
    );
    expect(await loanEndedMessage(page).getAttribute('role')).toBe('status');
    // The book's text is gone from the page: no frame, no stage, no tools
    expect(await page.locator('#epub-view, #reader-stage, .reader-bar, iframe').count()).toBe(0);
    expect(page.frames()).toHaveLength(1);
    expect(await page.content()).not.toContain(snippet);
    // What the reader kept for this title is dropped; the position it was at is saved for next time
    await expect.poll(() => cacheKeys(page)).not.toContainEqual(expect.stringContaining(`:${titleId}:`));
    await expect.poll(async () => (await device.progress(titleId))?.cfi).toBe(lastPlace);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Act: the way back to the shelf, and to the title page to borrow again or place a hold
    expect(await page.getByRole('link', { name: 'Back to my shelf' }).getAttribute('href')).toBe('#/shelf');
    await page.getByRole('link', { name: 'Borrow again or place a hold' }).click();
    // Assess
    await page.locator('#title-actions').waitFor();
    expect(page.url()).toContain(`#/titles/${encodeURIComponent(titleId)}`);
    expect(await page.getByRole('heading', { name: 'The Waste Land', level: 1 }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a PDF returned on another device closes when the tab becomes visible again (on a 360 px phone)', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page } = await openPage(context, { ignore: ignored });
    await page.clock.install();
    await signIn(page, suite.gateway.url, '20000002', '1234');
    const titleId = await borrowAndRead(page, 'gnuplot', 'gnuplot');
    await page.locator('#pdf-canvas').waitFor();
    const device = await otherDevice('20000002');
    // Act: returned elsewhere; this tab knows nothing yet
    await device.returnLoan((await device.loanOf(titleId)).id);
    await page.clock.runFor(2 * watcherTick);
    // Assess: still open until the tab wakes (the watcher's clock checks ran and do not ask the API)
    expect(await page.locator('#pdf-canvas').count()).toBe(1);
    expect(await loanEndedMessage(page).count()).toBe(0);
    // Act: the patron comes back to this tab, turns to page 5 and the tab asks about the loan at once
    await openTools(page);
    await page.getByLabel('Page', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Go to page' }).click();
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-page')).toBe('5');
    const asked = page.waitForRequest(isLoanRequest);
    await wake(page, 'visibilitychange');
    await asked;
    // Assess
    await loanEndedMessage(page).waitFor();
    expect(await page.getByRole('heading', { name: /^Your loan of “.*gnuplot.*” has ended$/i }).count()).toBe(
      1,
    );
    expect(await page.locator('#pdf-canvas, #pdf-scroll, #reader-stage, .textLayer').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Borrow again or place a hold' }).getAttribute('href')).toBe(
      `#/titles/${encodeURIComponent(titleId)}`,
    );
    // The place the patron had reached is saved for the next loan
    await expect.poll(async () => (await device.progress(titleId))?.page).toBe(5);
    // The message fits the phone's width and passes the accessibility checks
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'loan-ended-360');
    await context.close();
  });

  it('stays open when the API cannot be reached during the check, and closes once it answers', async () => {
    // Prepare: a PDF on loan, returned on another device, and this tab offline from the API's lending paths
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, {
      ignore: [...ignored, /ERR_INTERNET_DISCONNECTED|Failed to load/],
    });
    await page.clock.install();
    await signIn(page, suite.gateway.url, '20000003', '1234');
    const titleId = await borrowAndRead(page, 'gnuplot', 'gnuplot');
    await page.locator('#pdf-canvas').waitFor();
    const device = await otherDevice('20000003');
    await device.returnLoan((await device.loanOf(titleId)).id);
    await page.route(
      (url) => /\/loans(\/|$)/.test(url.pathname),
      (route) => route.abort('internetdisconnected'),
    );
    // Act: the tab wakes; the check fails
    const failed = page.waitForEvent('requestfailed', isLoanRequest);
    await wake(page, 'focus');
    await failed;
    // The failure counts as "ask again later", not as the end: after the retry delay the watcher asks again
    const askedAgain = page.waitForEvent('requestfailed', isLoanRequest);
    await page.clock.runFor(watcherRetry + watcherTick);
    await askedAgain;
    // Assess: the patron keeps reading, and can turn pages
    expect(await loanEndedMessage(page).count()).toBe(0);
    expect(await page.locator('#pdf-canvas').count()).toBe(1);
    await revealChrome(page);
    await page.locator('#next-page').click();
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-page')).toBe('2');
    // Act: back online, the next wake-up asks again
    await page.unrouteAll();
    await wake(page, 'focus');
    // Assess
    await loanEndedMessage(page).waitFor();
    expect(await page.locator('#pdf-canvas').count()).toBe(0);
    await context.close();
  });

  it('after a long sleep (the clock jumped past the end, no timer ran), waking the tab closes the book at once', async () => {
    // Prepare: a PDF on loan, with the browser's clock under the test's control
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, {
      ignore: [...ignored, /ERR_INTERNET_DISCONNECTED|Failed to load/],
    });
    await page.clock.install();
    await signIn(page, suite.gateway.url, '90000001', '9876');
    const titleId = await borrowAndRead(page, 'gnuplot', 'gnuplot', '14 days');
    await page.locator('#pdf-canvas').waitFor();
    const loan = await (await otherDevice('90000001', '9876')).loanOf(titleId);
    // Act: the laptop sleeps past the loan's end: the wall clock jumps, but no timer fires
    await page.clock.setSystemTime(Date.parse(loan.expiresAt) + 5 * minute);
    // (setting the time fires no timer and no event, so nothing can have reacted to it yet)
    expect(await page.locator('#pdf-canvas').count()).toBe(1);
    // It wakes with no network yet: only the reader's own clock can end the book (the gateway's real clock
    // would still count the loan as active anyway)
    await page.route(
      (url) => /\/loans(\/|$)/.test(url.pathname),
      (route) => route.abort('internetdisconnected'),
    );
    await wake(page, 'focus');
    // Assess
    await loanEndedMessage(page).waitFor();
    expect(await page.locator('#pdf-canvas, #reader-stage').count()).toBe(0);
    await context.close();
  });

  it('an open-access title stays open past any time, and never asks about a loan', async () => {
    // Prepare: a signed-in patron reads Georgia (open access)
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context, { ignore: ignored });
    await page.clock.install();
    await signIn(page, suite.gateway.url, '20000001', '1234');
    await page.getByLabel('Search titles, authors, subjects').fill('georgia');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Georgia' }).click();
    await page.locator('#title-actions').waitFor();
    // (the title page itself looks up the patron's loans; the reader must not)
    const loanRequests: string[] = [];
    page.on('request', (request) => {
      if (isLoanRequest(request)) loanRequests.push(request.url());
    });
    await page.getByRole('link', { name: 'Read' }).click();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    // Act: a year passes, the tab is woken both ways
    await page.clock.fastForward(365 * 24 * 60 * minute);
    await wake(page, 'visibilitychange');
    await wake(page, 'focus');
    await page.clock.runFor(watcherTick);
    // Assess: still reading, pages still turn
    expect(await loanEndedMessage(page).count()).toBe(0);
    const before = await cfiOf(page);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => cfiOf(page)).not.toBe(before);
    expect(await page.locator('#epub-view iframe').count()).toBeGreaterThan(0);
    expect(loanRequests).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
