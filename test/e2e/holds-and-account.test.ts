import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

/**
 * My account, and holds on a phone, in Indonesian: the shelf says a reserved hold once, as a call to action with its deadline
 * in the library's time zone and the borrow button; a waiting hold says its place and the estimated wait and
 * can be delivered later. The queue is made through the API (other patrons on other devices).
 */
const suite = useGatewayAndBrowser();
const phone = { width: 360, height: 740 };

interface HoldView {
  id: string;
  titleId: string;
  status: string;
  position: number;
  estimatedWaitDays: number;
  reservedUntil?: string;
}

async function device(card: string, pin = '1234') {
  const login = await fetch(`${suite.gateway.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cardNumber: card, pin }),
  });
  expect(login.status).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${suite.gateway.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
  };
  return {
    call,
    async holdOn(titleId: string): Promise<HoldView> {
      const { body } = await call('GET', '/me/holds');
      const hold = (body as { data: HoldView[] }).data.find((h) => h.titleId === titleId);
      expect(hold).toBeDefined();
      return hold!;
    },
  };
}

async function titleIdOf(query: string): Promise<string> {
  const response = await fetch(`${suite.gateway.url}/titles?q=${encodeURIComponent(query)}`);
  const { data } = (await response.json()) as { data: { id: string; title: string }[] };
  return data[0]!.id;
}

/** The element is drawn, inside the phone's viewport, and the page does not scroll sideways. */
async function expectInViewport(page: Page, locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  const box = (await locator.boundingBox())!;
  expect(box.width).toBeGreaterThan(0);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(phone.height);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
}

/** "14.00" as the library (Asia/Jakarta, UTC+7 all year) reads the instant. */
function jakartaClock(iso: string): { time: string; day: string } {
  const local = new Date(Date.parse(iso) + 7 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    time: `${pad(local.getUTCHours())}.${pad(local.getUTCMinutes())}`,
    day: String(local.getUTCDate()),
  };
}

describe('holds on the shelf, at 360×740 in Indonesian', () => {
  it('a reserved hold is one call to action with its deadline and the borrow button; a waiting one shows place and estimated wait and can be delivered later', async () => {
    // Prepare: Siti has the only copy of Moby-Dick; Budi, then Dewi, join the queue; Siti returns it
    const titleId = await titleIdOf('moby');
    const [siti, budi, dewi] = await Promise.all([
      device('20000001'),
      device('20000002'),
      device('20000003'),
    ]);
    const loan = await siti.call('POST', '/loans', { titleId });
    expect(loan.status).toBe(201);
    expect((await budi.call('POST', '/holds', { titleId })).status).toBe(201);
    expect((await dewi.call('POST', '/holds', { titleId })).status).toBe(201);
    expect((await siti.call('DELETE', `/loans/${(loan.body as { id: string }).id}`)).status).toBe(200);
    const reserved = await budi.holdOn(titleId);
    expect(reserved.status).toBe('reserved');

    // Act: Budi opens his shelf on a phone, in Indonesian
    const budiContext = await newContext(suite.browser, { ...phone, language: 'id' });
    const { page: budiPage, problems } = await openPage(budiContext);
    await signIn(budiPage, suite.gateway.url, '20000002', '1234');
    await budiPage.goto(`${suite.gateway.url}/#/shelf`);
    const item = budiPage.locator('li', { hasText: 'Moby-Dick' });
    const cta = item.locator('.hold-ready');
    await cta.waitFor();

    // Assess: one message, the deadline as the library reads it, and the borrow button, all on screen
    const { time, day } = jakartaClock(reserved.reservedUntil!);
    const text = await cta.innerText();
    expect(text).toMatch(/^Siap untuk Anda — pinjam sebelum /);
    expect(text).toContain(time);
    expect(text).toContain(day);
    expect(await item.innerText()).not.toMatch(/dipinjam|antrean/);
    const borrow = item.getByRole('button', { name: /^Pinjam/ });
    await expectInViewport(budiPage, cta);
    await expectInViewport(budiPage, borrow);
    expect(await accessibilityViolations(budiPage)).toEqual([]);
    await screenshot(budiPage, 'holds-reserved-360-id');

    // and the title page says the same, once: no "all copies on loan", no second hold message
    await budiPage.goto(`${suite.gateway.url}/#/titles/${titleId}`);
    await budiPage.locator('#title-actions .hold-ready').waitFor();
    const actions = await budiPage.locator('.title-page').innerText();
    expect(actions).not.toContain('Semua eksemplar sedang dipinjam');
    expect(await budiPage.locator('.hold-ready').count()).toBe(1);
    expect(await budiPage.locator('#borrow').count()).toBe(1);
    await expectInViewport(budiPage, budiPage.locator('#title-actions .hold-ready'));

    // Act: Dewi, second behind Budi's reserved copy, looks at her shelf
    const dewiContext = await newContext(suite.browser, { ...phone, language: 'id' });
    const { page: dewiPage, problems: dewiProblems } = await openPage(dewiContext);
    await signIn(dewiPage, suite.gateway.url, '20000003', '1234');
    await dewiPage.goto(`${suite.gateway.url}/#/shelf`);
    const waiting = dewiPage.locator('li', { hasText: 'Moby-Dick' });
    await waiting.locator('.hold-waiting').waitFor();
    // Assess: her place and the estimate, in words
    const expected = await dewi.holdOn(titleId);
    expect(expected.position).toBe(1);
    expect(expected.estimatedWaitDays).toBeGreaterThan(7);
    const line = await waiting.locator('.hold-waiting').innerText();
    expect(line).toContain('Posisi 1 dalam antrean');
    expect(line).toMatch(/Perkiraan waktu tunggu: sekitar (\d+ minggu|seminggu)/);
    await expectInViewport(dewiPage, waiting.locator('.hold-wait'));
    expect(await accessibilityViolations(dewiPage)).toEqual([]);
    await screenshot(dewiPage, 'holds-waiting-360-id');

    // Act: she asks for it later (14 days)
    await waiting.getByLabel('Kirim nanti').selectOption('14');
    await waiting.getByRole('button', { name: 'Tunda' }).click();
    // Assess: paused, place kept, and a way back
    await dewiPage.locator('li .hold-suspended').waitFor();
    expect(await dewiPage.locator('li .hold-suspended').innerText()).toContain(
      'Anda tetap nomor 1 dalam antrean',
    );
    expect((await dewi.holdOn(titleId)) as unknown).toMatchObject({ status: 'waiting', position: 1 });
    expect(await accessibilityViolations(dewiPage)).toEqual([]);
    await dewiPage.getByRole('button', { name: 'Kirim secepatnya' }).click();
    await dewiPage.locator('li .hold-waiting').waitFor();
    expect(await dewi.holdOn(titleId)).not.toHaveProperty('suspendedUntil');

    // Act: Budi borrows from the call to action on his shelf
    await budiPage.goto(`${suite.gateway.url}/#/shelf`);
    await budiPage
      .locator('li', { hasText: 'Moby-Dick' })
      .getByRole('button', { name: /^Pinjam/ })
      .click();
    // Assess: the loan is on his shelf, the hold gone
    await budiPage.locator('li[data-loan-id]', { hasText: 'Moby-Dick' }).waitFor();
    expect(await budiPage.locator('li[data-hold-id]').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(dewiProblems).toEqual([]);
    await Promise.all([budiContext.close(), dewiContext.close()]);
  });
});

describe('my account', () => {
  it('changes the PIN from the header’s My account page (a wrong current PIN is said so), sets the language, and leaves a place for notifications', async () => {
    // Prepare
    const context = await newContext(suite.browser, phone);
    // The browser logs the refused wrong PIN (403) as a failed resource: that refusal is what is tested.
    const { page, problems } = await openPage(context, { ignore: [/status of 403/] });
    await signIn(page, suite.gateway.url, '20000001', '1234');
    // Act: through the header
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
    // Assess
    expect(await page.locator('#account-notifications').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: a wrong current PIN
    await page.getByLabel('Current PIN').fill('9999');
    await page.getByLabel('New PIN', { exact: true }).fill('246810');
    await page.getByLabel('New PIN again').fill('246810');
    await page.getByRole('button', { name: 'Change PIN' }).click();
    // Assess
    await page.locator('#pin-status', { hasText: 'The current PIN is not right.' }).waitFor();
    // Act: the right one
    await page.getByLabel('Current PIN').fill('1234');
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await page.locator('#pin-status', { hasText: 'Your PIN has been changed.' }).waitFor();
    // Assess: the new PIN signs in, the old one does not
    const withPin = (pin: string) =>
      fetch(`${suite.gateway.url}/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ cardNumber: '20000001', pin }),
      });
    expect((await withPin('246810')).status).toBe(200);
    expect((await withPin('1234')).status).toBe(401);

    // Act: Indonesian, saved on the patron
    await page.getByLabel('Language', { exact: true }).last().selectOption('id');
    await page.getByRole('button', { name: 'Save language' }).click();
    // Assess: the page speaks Indonesian, and the next sign-in carries the choice
    await page.getByRole('heading', { name: 'Akun saya', level: 1 }).waitFor();
    const signedIn = (await (await withPin('246810')).json()) as { patron: { language?: string } };
    expect(signedIn.patron.language).toBe('id');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
