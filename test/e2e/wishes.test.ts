import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { accessibilityViolations, newContext, openPage, signIn, useGatewayAndBrowser } from './browser';

/**
 * A title the library has no licence for, on a phone: a signed-out visitor is sent to sign in; a patron asks
 * to be told, the wish is stored (the librarians' demand count says so), the page says they will be told, and
 * the wish can be taken back.
 */
const suite = useGatewayAndBrowser();
const phone = { width: 360, height: 740 };
const librarian = { card: '90000001', pin: '9876' };

async function wishCount(titleId: string): Promise<number> {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: librarian.card, pin: librarian.pin }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await fetch(`${suite.gateway.url}/admin/wishes`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { titleId: string; wishes: number }[] };
  return data.find((row) => row.titleId === titleId)?.wishes ?? 0;
}

async function expectInViewport(page: Page, selector: string): Promise<void> {
  const locator = page.locator(selector);
  // Centred: scrolling only "if needed" can leave a sub-pixel of a focused control below the edge.
  await locator.evaluate((element) => element.scrollIntoView({ block: 'center' }));
  const box = (await locator.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(phone.height);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
}

describe('wishing for a title the library cannot lend (360×740)', () => {
  it('signed out: a sign-in link; signed in: the wish is stored, the page says so, and it can be withdrawn; axe-clean', async () => {
    // Prepare: a licensed title with no licence at all
    const { deps, url } = suite.gateway;
    const now = deps.clock.now().toISOString();
    const title: Title = {
      id: 't-e2e-wish',
      title: 'Bumi Manusia',
      sortTitle: sortTitleOf('Bumi Manusia'),
      authors: ['Pramoedya Ananta Toer'],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: 'content/t-e2e-wish/publication.epub',
      contentType: 'application/epub+zip',
      size: 1234,
      sha256: '0'.repeat(64),
      createdAt: now,
      updatedAt: now,
    };
    await deps.titles.create(title);
    const context = await newContext(suite.browser, { ...phone, language: 'en' });
    const { page, problems } = await openPage(context);

    // Act: a visitor who has not signed in opens the title
    await page.goto(`${url}/#/titles/${title.id}`);
    const signInLink = page.getByRole('link', { name: 'Sign in to be told when the library has it' });
    await signInLink.waitFor();
    // Assess
    await expectInViewport(page, '#title-wish a');
    expect(await page.locator('#make-wish').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: Budi signs in and opens it
    await signIn(page, url, '20000002', '1234');
    await page.goto(`${url}/#/titles/${title.id}`);
    const ask = page.getByRole('button', { name: 'Tell me when the library has it' });
    await ask.waitFor();
    // Assess: the button is on the phone's screen, and nothing is stored yet
    await expectInViewport(page, '#make-wish');
    expect(await wishCount(title.id)).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: he presses it
    await ask.click();
    const state = page.locator('#wish-state');
    await state.waitFor();
    // Assess: stored once, the page (and a toast) say he will be told, the focus is on the way back
    expect(await state.innerText()).toBe('You will be told when the library can lend this title.');
    expect(await wishCount(title.id)).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('withdraw-wish');
    expect(await page.locator('#status .toast').last().innerText()).toBe(
      'You will be told when the library can lend this title.',
    );
    await expectInViewport(page, '#withdraw-wish');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: a reload still knows the wish (from GET /me/wishes)
    await page.reload();
    await page.locator('#wish-state').waitFor();
    // Act: he takes it back
    await page.getByRole('button', { name: 'Do not tell me' }).click();
    await page.locator('#make-wish').waitFor();
    // Assess
    expect(await page.locator('#wish-state').count()).toBe(0);
    expect(await wishCount(title.id)).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
