import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accessibilityViolations, newContext, openPage, signIn, useGatewayAndBrowser } from './browser';

const suite = useGatewayAndBrowser();

async function openTitle(page: Page, query: string, name: string): Promise<void> {
  await page.getByLabel('Search titles, authors, subjects').fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name }).click();
  await page.locator('#title-actions').waitFor();
}

const status = (page: Page, text: string | RegExp) =>
  page.locator('#status').filter({ hasText: text }).waitFor();

describe('my shelf', () => {
  it('holds queue when every copy is out; renew is refused while someone waits and allowed after', async () => {
    // Prepare: Siti borrows the only copy of Moby-Dick
    const sitiContext = await newContext(suite.browser);
    const siti = (await openPage(sitiContext)).page;
    await signIn(siti, suite.gateway.url, '20000001', '1234');
    await openTitle(siti, 'moby', 'Moby-Dick');
    await siti.getByRole('button', { name: 'Borrow' }).click();
    await status(siti, 'Borrowed until');
    // Act: Budi finds it out and places a hold
    const budiContext = await newContext(suite.browser);
    const budi = (await openPage(budiContext)).page;
    await signIn(budi, suite.gateway.url, '20000002', '1234');
    await openTitle(budi, 'moby', 'Moby-Dick');
    // Assess
    expect(await budi.locator('.title-page .availability').innerText()).toContain('All copies are on loan');
    await budi.getByRole('button', { name: 'Place a hold' }).click();
    await status(budi, 'Hold placed. Your place in the queue: 1.');
    await budi.goto(`${suite.gateway.url}/#/shelf`);
    await budi.getByRole('heading', { name: 'Holds' }).waitFor();
    expect(await budi.locator('li', { hasText: 'Moby-Dick' }).innerText()).toContain('Number 1 in the queue');
    expect(await accessibilityViolations(budi)).toEqual([]);
    // Act: Siti tries to renew while Budi waits
    await siti.goto(`${suite.gateway.url}/#/shelf`);
    await siti.getByRole('heading', { name: 'Loans' }).waitFor();
    const loan = siti.locator('li', { hasText: 'Moby-Dick' });
    expect(await loan.innerText()).toMatch(/Due \d{1,2} \w+ \d{4}/);
    await loan.getByRole('button', { name: 'Renew' }).click();
    // Assess
    await status(siti, 'Others are waiting for this title, so it cannot be renewed.');
    // Act: Budi cancels; Siti renews
    await budi.locator('li', { hasText: 'Moby-Dick' }).getByRole('button', { name: 'Cancel hold' }).click();
    await status(budi, 'Hold on “Moby-Dick” cancelled.');
    await loan.getByRole('button', { name: 'Renew' }).click();
    // Assess
    await status(siti, 'Renewed until');
    expect(await budi.getByText('You have no holds.').count()).toBe(1);
    await Promise.all([sitiContext.close(), budiContext.close()]);
  });
});
