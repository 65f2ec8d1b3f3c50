import { describe, expect, it } from 'vitest';
import { newLicence } from '../../functions/domain/licence';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { accessibilityViolations, newContext, openPage, signIn, useGatewayAndBrowser } from './browser';

// The notifier runs every second here, so the mail is there as soon as the reservation is.
const suite = useGatewayAndBrowser({ env: { NOTIFY_INTERVAL_SECONDS: '1' } });

describe('notifications in the browser (360×740, Bahasa Indonesia)', () => {
  it('shows the bell’s count, the notice, the account section and the mail at /dev/mail, all axe-clean', async () => {
    // Prepare: one copy; Siti has it, Budi waits, Siti returns it: Budi's hold is reserved
    const { deps, url } = suite.gateway;
    const now = deps.clock.now().toISOString();
    const title: Title = {
      id: 't-e2e-notify',
      title: 'Laskar Pelangi',
      sortTitle: sortTitleOf('Laskar Pelangi'),
      authors: ['Andrea Hirata'],
      subjects: [],
      identifiers: {},
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: 'content/t-e2e-notify/publication.epub',
      contentType: 'application/epub+zip',
      size: 1234,
      sha256: '0'.repeat(64),
      createdAt: now,
      updatedAt: now,
    };
    await deps.titles.create(title);
    await deps.lending.addLicence(
      newLicence(
        'lic-e2e-notify',
        title.id,
        { concurrency: 1, checkouts: null, expires: null, loanLength: null },
        deps.clock.now(),
      ),
    );
    const siti = (await deps.patrons.getByCard('20000001'))!;
    const budi = (await deps.patrons.getByCard('20000002'))!;
    const { loan } = await deps.lending.checkout({ patronId: siti.id, titleId: title.id });
    await deps.lending.placeHold({ patronId: budi.id, titleId: title.id });
    await deps.lending.returnLoan({ patronId: siti.id, loanId: loan.id });
    const [mail] = await suite.gateway.mail.waitFor(1);
    const context = await newContext(suite.browser, { width: 360, height: 740, language: 'id' });
    const { page, problems } = await openPage(context);
    // Act: Budi signs in
    await signIn(page, url, '20000002', '1234');
    const bell = page.locator('#bell');
    await expect.poll(() => bell.getAttribute('data-unread')).toBe('1');
    // Assess: the bell
    expect(await bell.getAttribute('aria-label')).toBe('Pemberitahuan: 1 belum dibaca');
    expect(await page.locator('#bell .bell-count').innerText()).toBe('1');
    expect(await accessibilityViolations(page)).toEqual([]);
    // Act: the notifications
    await bell.click();
    await page.getByRole('heading', { name: 'Pemberitahuan', level: 1 }).waitFor();
    const notice = page.locator('.notification-list li').first();
    await notice.waitFor();
    // Assess
    expect(await notice.innerText()).toContain('“Laskar Pelangi” siap untuk Anda: pinjam sebelum');
    expect(await accessibilityViolations(page)).toEqual([]);
    // Act: marking it read empties the bell
    await notice.getByRole('button', { name: 'Tandai sudah dibaca' }).click();
    await expect.poll(() => page.locator('#bell').getAttribute('data-unread')).toBe('0');
    // Act: the account's notification section
    await page.getByRole('link', { name: 'Pengaturan e-mail' }).click();
    await page.getByRole('heading', { name: 'Pemberitahuan lewat e-mail' }).waitFor();
    // Assess
    expect(await page.locator('#email-state').innerText()).toBe(
      'Terkonfirmasi: perpustakaan menulis ke budi@example.org.',
    );
    expect(await page.getByLabel('pesanan saya siap').isChecked()).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Act: the mailbox a demo user reads
    await page.goto(`${url}/dev/mail`);
    // Assess
    expect(mail!.to).toEqual(['budi@example.org']);
    await page.getByRole('heading', { name: 'Siap untuk Anda: Laskar Pelangi' }).waitFor();
    expect(await page.locator('article').first().innerText()).toContain('Yth. Budi');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
