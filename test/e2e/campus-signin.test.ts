import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoMembers, type DemoMember } from '../../functions/local/campus-idp';
import { newContext, openPage, useGatewayAndBrowser } from './browser';

/**
 * Campus sign-in in Chromium against the demo university's OpenID Provider that the local gateway runs in
 * process (oidc-provider), as a person trying `npm start` would: choose the institution, sign in and consent
 * at the university, come back signed in, read a partner title, reload, sign out.
 */
const suite = useGatewayAndBrowser();
const [lecturer, student] = demoMembers as [DemoMember, DemoMember];

async function campusSignIn(page: Page, member: DemoMember, decision: 'Allow' | 'Deny' = 'Allow') {
  await page.goto(`${suite.gateway.url}/#/signin`);
  await page.getByRole('link', { name: /Sign in with your campus account|Masuk dengan akun kampus/ }).click();
  await page.getByLabel(/Search by name|Cari berdasarkan nama/).fill('contoh');
  await page.getByRole('button', { name: /Universitas Contoh/ }).click();
  // At the university's own pages
  await page.getByLabel(/Username/).fill(member.username);
  await page.getByLabel(/Password/).fill(member.password);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.getByRole('button', { name: new RegExp(decision) }).click();
}

const partnerTitle = () => suite.gateway.seed.titleIds['R-intro.pdf']!;

describe('campus sign-in in the browser', () => {
  it('signs a lecturer in with the campus account, reads a partner title, survives a reload, signs out', async () => {
    // Prepare
    const context = await newContext(suite.browser);
    const { page, problems } = await openPage(context);
    // Act: sign in at the university, starting from the sign-in page
    await campusSignIn(page, lecturer);
    // Assess: back in the app, signed in as a member of the university, the hand-off code gone from the URL
    await page.getByText('Signed in as Universitas Contoh').waitFor();
    expect(page.url()).not.toContain('handoff');

    // Act: read an entitled partner title
    await page.goto(`${suite.gateway.url}/#/titles/${partnerTitle()}`);
    await page.getByRole('link', { name: 'Read' }).click();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    // Act: reload; still signed in and reading
    await page.reload();
    await page.locator('#reader-stage[data-ready="true"]').waitFor({ timeout: 30_000 });
    const refreshToken = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('pustaka.session') ?? '{}') as { refreshToken?: string })
          .refreshToken,
    );
    expect(refreshToken).toBeTruthy();

    // Act: sign out
    await page.goto(`${suite.gateway.url}/#/`);
    await page.locator('#signout').click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    // Assess: the session is over on the server too
    const refresh = await fetch(`${suite.gateway.url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(refresh.status).toBe(401);
    // The institution chosen last comes first next time
    await page.goto(`${suite.gateway.url}/#/signin/campus`);
    await expect.poll(() => page.locator('.campus-choice').first().textContent()).toContain('(last used)');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a student without the entitlement that partner title', async () => {
    const context = await newContext(suite.browser);
    const { page } = await openPage(context);
    await campusSignIn(page, student);
    await page.getByText('Signed in as Universitas Contoh').waitFor();
    await page.goto(`${suite.gateway.url}/#/read/${partnerTitle()}`);
    await page.getByText('Your account is not entitled to this resource.').waitFor();
    expect(await page.locator('#reader-stage[data-ready="true"]').count()).toBe(0);
    await context.close();
  });

  it('shows a translated page with a way back when consent is denied, and signs nobody in', async () => {
    const context = await newContext(suite.browser, { language: 'id' });
    const { page } = await openPage(context);
    await campusSignIn(page, lecturer, 'Deny');
    await page.getByRole('heading', { name: 'Masuk dengan akun kampus tidak berhasil' }).waitFor();
    await page.getByText(/dibatalkan di universitas Anda/).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('pustaka.session'))).toBeNull();
    await page.getByRole('link', { name: 'Kembali ke halaman masuk' }).click();
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    await context.close();
  });
});
