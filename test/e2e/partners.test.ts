import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  newContext,
  openPage,
  screenshot,
  signIn,
  useGatewayAndBrowser,
} from './browser';

const suite = useGatewayAndBrowser();

const librarian = { card: '90000001', pin: '9876', name: 'Pustakawan Utama' };

/** Calls the gateway as a client outside the browser would (to prepare a test or to check its outcome). */
async function callApi(
  path: string,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${suite.gateway.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function tokenOf(cardNumber: string, pin: string): Promise<string> {
  const { status, body } = await callApi('/auth/login', { method: 'POST', body: { cardNumber, pin } });
  expect(status).toBe(200);
  return body.accessToken as string;
}

async function openConsoleTab(page: Page, tab: string): Promise<void> {
  await page.getByRole('link', { name: 'Console', exact: true }).click();
  await page.getByRole('heading', { name: 'Librarian console' }).waitFor();
  await page.getByRole('link', { name: tab, exact: true }).click();
}

const overflowOf = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The message shown right under a control, and whether the control says it is invalid and is described by it. */
async function messageUnder(page: Page, label: string, within = page.locator('#partner-form')) {
  const control = within.getByLabel(label, { exact: true });
  const describedBy = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = describedBy.find((id) => id.endsWith('-error'));
  return {
    invalid: await control.getAttribute('aria-invalid'),
    describedByMessage: errorId ? await page.locator(`[id="${errorId}"]`).textContent() : null,
    next: await control.evaluate((element) =>
      element.nextElementSibling?.classList.contains('field-error')
        ? element.nextElementSibling.textContent
        : null,
    ),
  };
}

describe('partners screen', () => {
  it('registers a partner, shows the API’s refusal under the field, edits it and suspends it, at 360 px', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    // The browser reports each refused request (400) in its console; the page itself handles them.
    const { page, problems } = await openPage(context, { ignore: [/status of 400/] });
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);
    await openConsoleTab(page, 'Partners');
    await page.getByRole('heading', { name: 'Academic partners' }).waitFor();
    const form = page.locator('#partner-form');

    // Act: fill in a new partner with a /0 campus range
    await page.getByRole('button', { name: 'New partner' }).click();
    await form.getByLabel('ID', { exact: true }).fill('univ-e2e');
    await form.getByLabel('Name', { exact: true }).fill('Universitas Uji Peramban');
    await form
      .getByLabel('Issuer (iss), exactly as the university sends it')
      .fill('https://idp.univ-e2e.ac.id');
    await form.getByLabel('Key set (JWKS URL)').fill('https://idp.univ-e2e.ac.id/jwks.json');
    await form.getByLabel('ES256', { exact: true }).check();
    await form.getByLabel('Audience (aud) tokens must carry').fill('pustaka-e2e');
    await form.getByLabel('IP ranges (CIDR, one per line)').fill('10.20.0.0/16\n0.0.0.0/0');
    await form.getByRole('button', { name: 'Add a claim rule' }).click();
    const rule = form.getByRole('group', { name: 'Claim rules 1' });
    await rule.getByLabel('Values (one per line)').fill('urn:mace:univ-e2e.ac.id:library');
    await rule.getByLabel('Gives entitlement').fill('library');
    await form.getByRole('button', { name: 'Add a grant' }).click();
    const grant = form.getByRole('group', { name: 'What entitlements open 1' });
    await grant.getByLabel('Entitlement', { exact: true }).fill('library');
    await grant.getByLabel('Collections or subjects (one per line)').fill('Sains');
    await form.getByRole('button', { name: 'Add a database' }).click();
    const database = form.getByRole('group', { name: 'Databases (/go) 1' });
    await database.getByLabel('Database name').fill('Jurnal Uji');
    await database.getByLabel('Host (exactly this one)').fill('jurnal.univ-e2e.ac.id');
    await database.getByLabel('Start URL').fill('https://jurnal.univ-e2e.ac.id/search');
    await form.getByRole('button', { name: 'Register partner' }).click();

    // Assess: the API's message is under the IP ranges, which are marked invalid; nothing was registered
    await form.locator('.field-error').first().waitFor();
    expect(await messageUnder(page, 'IP ranges (CIDR, one per line)')).toEqual({
      invalid: 'true',
      describedByMessage: '0.0.0.0/0 would match every address: a /0 range is refused.',
      next: '0.0.0.0/0 would match every address: a /0 range is refused.',
    });
    expect(await form.locator('.field-error').count()).toBe(1);
    expect(await form.getByRole('alert').textContent()).toContain('ipRanges');
    const token = await tokenOf(librarian.card, librarian.pin);
    expect((await callApi('/admin/partners/univ-e2e', { token })).status).toBe(404);
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-partner-refused-360px');

    // Act: correct the range and register
    await form.getByLabel('IP ranges (CIDR, one per line)').fill('10.20.0.0/16\n2001:db8:20::/48');
    await form.getByRole('button', { name: 'Register partner' }).click();

    // Assess: the list shows it, and the API has it as entered
    const item = page.locator('#partner-list > li[data-partner-id="univ-e2e"]');
    await item.waitFor();
    expect(await item.getByRole('heading').textContent()).toBe('Universitas Uji Peramban');
    expect(await item.textContent()).toContain('2 campus ranges · 1 claim rules · 1 databases');
    expect(await form.count()).toBe(0);
    const created = await callApi('/admin/partners/univ-e2e', { token });
    expect(created.body).toMatchObject({
      name: 'Universitas Uji Peramban',
      status: 'active',
      issuer: 'https://idp.univ-e2e.ac.id',
      jwksUri: 'https://idp.univ-e2e.ac.id/jwks.json',
      algorithms: ['RS256', 'ES256'],
      audience: 'pustaka-e2e',
      ipRanges: ['10.20.0.0/16', '2001:db8:20::/48'],
      campusEntitlements: ['library'],
      entitlementRules: [
        {
          kind: 'values',
          claim: 'eduperson_entitlement',
          values: ['urn:mace:univ-e2e.ac.id:library'],
          entitlement: 'library',
        },
      ],
      grants: [{ entitlement: 'library', collections: ['Sains'], titles: [] }],
      databases: [
        {
          name: 'Jurnal Uji',
          host: 'jurnal.univ-e2e.ac.id',
          startUrl: 'https://jurnal.univ-e2e.ac.id/search',
        },
      ],
    });
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Act: edit it: a new name and a second database whose host is an IP address
    await item.getByRole('button', { name: 'Edit Universitas Uji Peramban' }).click();
    expect(await form.getByLabel('ID', { exact: true }).isDisabled()).toBe(true);
    expect(await form.getByLabel('IP ranges (CIDR, one per line)').inputValue()).toBe(
      '10.20.0.0/16\n2001:db8:20::/48',
    );
    await form.getByLabel('Name', { exact: true }).fill('Universitas Uji Peramban (diubah)');
    await form.getByRole('button', { name: 'Add a database' }).click();
    const second = form.getByRole('group', { name: 'Databases (/go) 2' });
    await second.getByLabel('Database name').fill('Basis Data Kedua');
    await second.getByLabel('Host (exactly this one)').fill('192.0.2.10');
    await second.getByLabel('Start URL').fill('https://192.0.2.10/');
    await form.getByRole('button', { name: 'Save changes' }).click();

    // Assess: the message is under the second database's host, not the first's
    await form.locator('.field-error').first().waitFor();
    expect(await messageUnder(page, 'Host (exactly this one)', second)).toEqual({
      invalid: 'true',
      describedByMessage: '192.0.2.10 must be a host name, not an IP address.',
      next: '192.0.2.10 must be a host name, not an IP address.',
    });
    expect((await messageUnder(page, 'Host (exactly this one)', database)).invalid).toBeNull();
    expect((await callApi('/admin/partners/univ-e2e', { token })).body.name).toBe('Universitas Uji Peramban');

    // Act: correct it and save
    await second.getByLabel('Host (exactly this one)').fill('');
    await second.getByLabel('Domain (and its subdomains)').fill('kedua.example.org');
    await second.getByLabel('Start URL').fill('https://www.kedua.example.org/');
    await form.getByRole('button', { name: 'Save changes' }).click();

    // Assess: the list shows the change, and so does the API
    await item.getByRole('heading', { name: 'Universitas Uji Peramban (diubah)' }).waitFor();
    expect(await item.textContent()).toContain('2 campus ranges · 1 claim rules · 2 databases');
    const edited = await callApi('/admin/partners/univ-e2e', { token });
    expect(edited.body.databases).toEqual([
      { name: 'Jurnal Uji', host: 'jurnal.univ-e2e.ac.id', startUrl: 'https://jurnal.univ-e2e.ac.id/search' },
      { name: 'Basis Data Kedua', domain: 'kedua.example.org', startUrl: 'https://www.kedua.example.org/' },
    ]);

    // Act: suspend it
    await item.getByRole('button', { name: 'Suspend Universitas Uji Peramban (diubah)' }).click();
    // Assess
    await item.getByRole('button', { name: 'Reactivate Universitas Uji Peramban (diubah)' }).waitFor();
    expect(await item.locator('.badge').textContent()).toBe('Suspended');
    // suspending changes the status only: the ranges and databases stay
    expect(await item.textContent()).toContain('2 campus ranges · 1 claim rules · 2 databases');
    const suspended = await callApi('/admin/partners/univ-e2e', { token });
    expect(suspended.body).toMatchObject({ status: 'suspended', databases: edited.body.databases });
    expect(suspended.body.ipRanges).toEqual(['10.20.0.0/16', '2001:db8:20::/48']);
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-partners-360px');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the names of the title, the patron and the librarian beside their ids in the audit trail, at 360 px', async () => {
    // Prepare: the librarian edits a seeded title and blocks Dewi, through the API
    const token = await tokenOf(librarian.card, librarian.pin);
    const found = await callApi(`/titles?q=${encodeURIComponent('The Library That Never Sleeps')}`);
    const title = (found.body.data as { id: string; title: string }[]).find(
      (t) => t.title === 'The Library That Never Sleeps',
    )!;
    const patrons = await callApi('/admin/patrons?card=20000003', { token });
    const dewi = (patrons.body.data as { id: string; name: string }[])[0]!;
    expect(dewi.name).toBe('Dewi Lestari');
    const me = await callApi('/me', { token });
    const librarianId = ((me.body.patron as { id: string } | undefined)?.id ?? me.body.id) as string;
    expect(
      (await callApi(`/admin/titles/${title.id}`, { method: 'PATCH', token, body: { publisher: 'Uji' } }))
        .status,
    ).toBe(200);
    expect(
      (await callApi(`/admin/patrons/${dewi.id}`, { method: 'PATCH', token, body: { status: 'blocked' } }))
        .status,
    ).toBe(200);
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    await signIn(page, suite.gateway.url, librarian.card, librarian.pin);

    // Act
    await openConsoleTab(page, 'Audit trail');

    // Assess: newest first: the block, then the title edit, each "Name (id)", the id kept whole in the text
    const entries = page.locator('#audit-list > li');
    await expect.poll(() => entries.first().locator('strong').textContent()).toBe('patron.block');
    const text = (index: number) =>
      entries
        .nth(index)
        .locator('p')
        .evaluate((p) => p.textContent?.replace(/\s+/g, ' ').trim());
    expect(await text(0)).toBe(
      `patron.block patron Dewi Lestari (${dewi.id}) by ${librarian.name} (${librarianId})`,
    );
    expect(await text(1)).toBe(
      `title.edit title The Library That Never Sleeps (${title.id}) by ${librarian.name} (${librarianId})`,
    );
    // the id is shortened on screen and whole on hover
    const id = entries.first().locator('.audit-ref .audit-id').first();
    expect(await id.getAttribute('title')).toBe(dewi.id);
    expect(await id.evaluate((code) => code.scrollWidth > code.clientWidth)).toBe(true);
    expect(await overflowOf(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await entries.first().scrollIntoViewIfNeeded();
    await screenshot(page, 'console-audit-names-360px');
    expect(problems).toEqual([]);
    await context.close();
  });
});
