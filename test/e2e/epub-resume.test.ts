import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addOpenEpub, buildEpub, xhtml } from './epub-books';
import { newContext, openPage, signIn, useGatewayAndBrowser } from './browser';

const suite = useGatewayAndBrowser();

const chapters = 5;
const paragraphs = 60;

/** Five chapters of equal size, each many pages long, every paragraph saying where it is. */
function longBook(): Uint8Array {
  const files = Array.from({ length: chapters }, (_, c) => ({
    path: `OEBPS/text/ch${c + 1}.xhtml`,
    id: `ch${c + 1}`,
    mediaType: 'application/xhtml+xml',
    content: xhtml(
      `Chapter ${c + 1}`,
      `<h1>Chapter ${c + 1}</h1>` +
        Array.from(
          { length: paragraphs },
          (_, p) =>
            `<p id="c${c + 1}p${p + 1}">Chapter ${c + 1} paragraph ${p + 1}: the quick brown fox jumps over the lazy dog once more.</p>`,
        ).join(''),
    ),
  }));
  return buildEpub({ title: 'Resume Test Book', files, spine: files.map((f) => f.id) });
}

async function waitForBook(page: Page): Promise<void> {
  await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
  await page.locator('#epub-view iframe').first().waitFor();
}

/** The paragraphs a reader can see: those inside the visible part of the EPUB view. */
async function visibleParagraphs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
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
}

async function tokenOf(cardNumber: string, pin: string): Promise<string> {
  const response = await fetch(`${suite.gateway.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: cardNumber, password: pin }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('EPUB reader and reading apps', () => {
  it('opens where an app left off (a chapter and a place in it), and an app then sees where the web reader is', async () => {
    // Prepare: a five-chapter book; an app (token of the same patron) saves a place half-way into chapter 3.
    const id = 't-resume-e2e';
    await addOpenEpub(suite.gateway, id, 'Resume Test Book', longBook());
    const token = await tokenOf('20000001', '1234');
    const progressionUrl = `${suite.gateway.url}/opds/publications/${id}/progression`;
    const put = await fetch(progressionUrl, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/opds-progression+json' },
      body: JSON.stringify({
        modified: '2026-06-01T09:00:00Z',
        device: { id: 'urn:uuid:019c0047-cc8d-7ec4-a3c3-938ccadc020a', name: 'Thorium (laptop)' },
        // Half-way through the third of five equal chapters.
        progression: 0.5,
        references: ['OEBPS/text/ch3.xhtml'],
      }),
    });
    expect(put.status).toBe(200);
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: [/sandboxed and the 'allow-scripts'/] });
    await signIn(page, suite.gateway.url, '20000001', '1234');

    // Act
    await page.goto(`${suite.gateway.url}/#/read/${id}`);
    await waitForBook(page);

    // Assess: the page shows the middle of chapter 3, not its start nor the book's.
    await expect.poll(() => page.locator('#reader-stage').getAttribute('data-href')).toContain('ch3.xhtml');
    await expect
      .poll(async () => {
        const seen = await visibleParagraphs(page);
        return seen.some((p) => /^c3p(2\d|3\d|40)$/.test(p)) && !seen.includes('c3p1');
      })
      .toBe(true);

    // Act: turn pages in the web reader until chapter 4, and wait for the save.
    for (let turns = 0; turns < 40; turns += 1) {
      if ((await page.locator('#reader-stage').getAttribute('data-href'))?.includes('ch4.xhtml')) break;
      const href = await page.locator('#reader-stage').getAttribute('data-cfi');
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.locator('#reader-stage').getAttribute('data-cfi')).not.toBe(href);
    }
    expect(await page.locator('#reader-stage').getAttribute('data-href')).toContain('ch4.xhtml');
    await expect
      .poll(async () => {
        const response = await fetch(progressionUrl, { headers: { Authorization: `Bearer ${token}` } });
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
      })
      .toMatchObject({ references: ['OEBPS/text/ch4.xhtml'] });

    // Assess: what the app reads is the web reader's place, newer than its own.
    const got = (await (
      await fetch(progressionUrl, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { modified: string; progression: number; references: string[] };
    expect(Date.parse(got.modified)).toBeGreaterThan(Date.parse('2026-06-01T09:00:00Z'));
    expect(got.progression).toBeGreaterThan(0.5);
    expect(got.progression).toBeLessThan(0.8);
    await context.close();
  });

  it("opens at an app's place in the whole book when the app names no resource", async () => {
    // Prepare: 0.7 of five equal chapters is half-way through chapter 4.
    const id = 't-resume-total-e2e';
    await addOpenEpub(suite.gateway, id, 'Resume Test Book', longBook());
    const token = await tokenOf('20000002', '1234');
    const put = await fetch(`${suite.gateway.url}/opds/publications/${id}/progression`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/opds-progression+json' },
      body: JSON.stringify({
        modified: '2026-06-01T09:00:00Z',
        device: { id: 'urn:uuid:1', name: 'Palace (phone)' },
        progression: 0.7,
      }),
    });
    expect(put.status).toBe(200);
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, { ignore: [/sandboxed and the 'allow-scripts'/] });
    await signIn(page, suite.gateway.url, '20000002', '1234');
    // Act
    await page.goto(`${suite.gateway.url}/#/read/${id}`);
    await waitForBook(page);
    // Assess
    await expect
      .poll(async () => {
        const seen = await visibleParagraphs(page);
        return seen.some((p) => /^c4p(2\d|3\d|40)$/.test(p)) && !seen.includes('c4p1');
      })
      .toBe(true);
    await context.close();
  });
});
