import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDue, type NotifierDeps } from '../../functions/application/notify';
import type { LocalMailServer } from '../../functions/local/mail-server';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { addLicence, addPatron, addTitle, FakeClock, hour } from '../helpers/lending';
import { startMail } from '../helpers/mail';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

const clock = new FakeClock('2026-06-01T03:00:00.000Z');
let stack: TestStack;
let server: LocalMailServer;
let notifier: NotifierDeps;
let librarianId: string;

/** The clock moves in these tests: tokens are issued at the moment they are used (they last 15 minutes). */
async function tokenFor(patronId: string, roles: ('patron' | 'librarian')[] = ['patron']): Promise<string> {
  return (await stack.deps.tokens.issue({ patronId, roles }, { now: stack.deps.clock.now() })).token;
}
const librarianToken = () => tokenFor(librarianId, ['patron', 'librarian']);

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  ({ server, notifier } = await startMail(stack));
  librarianId = (await createLibrarian(stack)).patron.id;
});
afterAll(async () => {
  await server.stop();
  await stack.destroy();
});

const mailsTo = (address: string) => server.messages().filter((m) => m.to.includes(address));

/** The link in a mail's plain text that starts with `prefix`, as a path + query on the app. */
function linkIn(text: string, prefix: string): string {
  const found = text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!found) throw new Error(`no link ${prefix} in: ${text}`);
  return found.slice('http://api.test'.length);
}

/** A signed-in patron whose hold on a title has just been reserved (B returned the only copy). */
async function reservedPatron(email?: string) {
  const a = await createPatron(stack, {});
  if (email) await stack.deps.notifications.setVerifiedEmail(a.patron.id, email);
  const title = await addTitle(stack, { title: `Bumi Manusia ${a.patron.id.slice(2, 8)}` });
  await addLicence(stack, title.id, { concurrency: 1 });
  const b = await addPatron(stack);
  const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
  await stack.deps.lending.placeHold({ patronId: a.patron.id, titleId: title.id });
  await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
  return { ...a, title };
}

describe('GET /me/notifications', () => {
  it('lists newest first in pages, with the unread count; marking read lowers it', async () => {
    // Prepare: three reservations an hour apart
    const a = await createPatron(stack);
    const titles = [];
    for (let i = 0; i < 3; i++) {
      const title = await addTitle(stack, { title: `Judul ${i}` });
      await addLicence(stack, title.id, { concurrency: 1 });
      const b = await addPatron(stack);
      const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
      await stack.deps.lending.placeHold({ patronId: a.patron.id, titleId: title.id });
      await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
      titles.push(title);
      clock.advance(hour);
    }
    const auth = bearer(await tokenFor(a.patron.id));
    // Act
    const first = await stack.app.request('/me/notifications?limit=2', { headers: auth });
    const firstBody = (await first.json()) as {
      data: { id: string; title: string }[];
      cursor: string;
      unread: number;
    };
    const second = await stack.app.request(`/me/notifications?limit=2&cursor=${firstBody.cursor}`, {
      headers: auth,
    });
    const secondBody = (await second.json()) as { data: { id: string; title: string }[] };
    const marked = await stack.app.request(`/me/notifications/${firstBody.data[0]!.id}/read`, {
      method: 'POST',
      headers: auth,
    });
    const count = await (await stack.app.request('/me/notifications/unread', { headers: auth })).json();
    const all = await (
      await stack.app.request('/me/notifications/read', { method: 'POST', headers: auth })
    ).json();
    const none = await (await stack.app.request('/me/notifications/unread', { headers: auth })).json();
    // Assess
    expect(first.status).toBe(200);
    expect(firstBody.unread).toBe(3);
    expect([...firstBody.data, ...secondBody.data].map((n) => n.title)).toEqual([
      'Judul 2',
      'Judul 1',
      'Judul 0',
    ]);
    expect(marked.status).toBe(204);
    expect(count).toEqual({ unread: 2 });
    expect(all).toEqual({ marked: 2 });
    expect(none).toEqual({ unread: 0 });
  });

  it('refuses another patron’s notification id, a bad cursor and no token', async () => {
    // Prepare
    const a = await reservedPatron();
    const other = await createPatron(stack);
    const { data } = await stack.deps.notifications.list(a.patron.id, { limit: 1 });
    // Act / Assess
    await expectProblem(
      await stack.app.request(`/me/notifications/${data[0]!.id}/read`, {
        method: 'POST',
        headers: bearer(other.accessToken),
      }),
      404,
      'NOTIFICATION_NOT_FOUND',
    );
    await expectProblem(
      await stack.app.request('/me/notifications?cursor=bogus!', { headers: bearer(a.accessToken) }),
      400,
      'VALIDATION_FAILED',
    );
    await expectProblem(await stack.app.request('/me/notifications'), 401, 'UNAUTHORIZED');
  });
});

describe('the e-mail address', () => {
  it('is used only after the verification link (sent through the same transport) is followed', async () => {
    // Prepare
    const a = await createPatron(stack);
    const auth = bearer(a.accessToken);
    // Act: set it; a reservation before confirming sends nothing there
    const set = await stack.app.request('/me/email', json('PUT', { email: 'New.Reader@Example.org' }, auth));
    await deliverDue(notifier);
    const [verification] = mailsTo('new.reader@example.org');
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const b = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: a.patron.id, titleId: title.id });
    await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
    await deliverDue(notifier);
    const beforeConfirming = mailsTo('new.reader@example.org').length;
    const link = linkIn(verification!.text, 'http://api.test/notifications/verify-email?token=');
    const page = await stack.app.request(link);
    const pageHtml = await page.text();
    const stillPending = await (
      await stack.app.request('/me/notification-settings', { headers: auth })
    ).json();
    const confirmed = await stack.app.request(link, { method: 'POST' });
    const settings = await (await stack.app.request('/me/notification-settings', { headers: auth })).json();
    // A later event goes to the confirmed address
    await stack.deps.lending.cancelHold({
      patronId: a.patron.id,
      holdId: (await stack.deps.lending.holdsOf(a.patron.id))[0]!.id,
    });
    const title2 = await addTitle(stack);
    await addLicence(stack, title2.id, { concurrency: 1 });
    const { loan: loan2 } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title2.id });
    await stack.deps.lending.placeHold({ patronId: a.patron.id, titleId: title2.id });
    await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan2.id });
    await deliverDue(notifier);
    // Assess
    expect(set.status).toBe(202);
    expect(await set.json()).toMatchObject({ pendingEmail: 'new.reader@example.org' });
    expect(verification!.subject).toBe('Konfirmasi alamat e-mail Anda');
    expect(beforeConfirming).toBe(1);
    expect(page.status).toBe(200);
    expect(pageHtml).toContain('<form method="post"');
    expect(stillPending).not.toHaveProperty('email');
    expect(confirmed.status).toBe(200);
    expect(settings).toMatchObject({ email: 'new.reader@example.org' });
    expect(settings).not.toHaveProperty('pendingEmail');
    expect(mailsTo('new.reader@example.org').map((m) => m.subject.split(':')[0])).toEqual([
      'Konfirmasi alamat e-mail Anda',
      'Siap untuk Anda',
    ]);
  });

  it('refuses a tampered verification link and a link to an address since replaced', async () => {
    // Prepare
    const a = await createPatron(stack);
    const auth = bearer(a.accessToken);
    await stack.app.request('/me/email', json('PUT', { email: 'first@example.org' }, auth));
    await stack.app.request('/me/email', json('PUT', { email: 'second@example.org' }, auth));
    await deliverDue(notifier);
    const first = linkIn(
      mailsTo('first@example.org')[0]!.text,
      'http://api.test/notifications/verify-email?token=',
    );
    const [payload, signature] = first.split('token=')[1]!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, email: 'attacker@example.org' })).toString(
      'base64url',
    );
    // Act / Assess
    await expectProblem(
      await stack.app.request(`/notifications/verify-email?token=${forged}.${signature}`, { method: 'POST' }),
      400,
      'INVALID_LINK',
    );
    await expectProblem(await stack.app.request(first, { method: 'POST' }), 400, 'INVALID_LINK');
    await expectProblem(
      await stack.app.request('/me/email', json('PUT', { email: 'not an address' }, auth)),
      400,
      'VALIDATION_FAILED',
    );
    const settings = await (await stack.app.request('/me/notification-settings', { headers: auth })).json();
    expect(settings).toMatchObject({ pendingEmail: 'second@example.org' });
    expect(settings).not.toHaveProperty('email');
  });
});

describe('e-mail preferences and the unsubscribe link', () => {
  it('turns a kind off from the mail’s one-click link without signing in; in-app still tells', async () => {
    // Prepare
    const a = await reservedPatron('unsub@example.org');
    await deliverDue(notifier);
    const [mail] = mailsTo('unsub@example.org');
    const link = mail!.headers['list-unsubscribe']!.slice('<http://api.test'.length, -1);
    // Act: a GET (what a mail scanner does) changes nothing; the one-click POST turns it off
    const page = await stack.app.request(link);
    const afterGet = await stack.deps.notifications.settings(a.patron.id);
    const oneClick = await stack.app.request(link, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const settings = await (
      await stack.app.request('/me/notification-settings', { headers: bearer(a.accessToken) })
    ).json();
    // A second reservation: in the app, not by e-mail
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const b = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: a.patron.id, titleId: title.id });
    await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
    await deliverDue(notifier);
    // Assess
    expect(page.status).toBe(200);
    expect(afterGet.emailOff).toEqual([]);
    expect(oneClick.status).toBe(200);
    expect(settings).toMatchObject({ emailOff: ['hold-reserved'] });
    expect(mailsTo('unsub@example.org')).toHaveLength(1);
    expect((await stack.deps.notifications.list(a.patron.id, { limit: 5 })).data).toHaveLength(2);
  });

  it('refuses a tampered unsubscribe link and changes nothing', async () => {
    // Prepare
    const a = await reservedPatron('tamper@example.org');
    await deliverDue(notifier);
    const link = mailsTo('tamper@example.org')[0]!.headers['list-unsubscribe']!.slice(
      '<http://api.test'.length,
      -1,
    );
    const [payload, signature] = link.split('token=')[1]!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, kind: 'loan-ended' })).toString('base64url');
    // Act / Assess
    await expectProblem(
      await stack.app.request(`/notifications/unsubscribe?token=${forged}.${signature}`, { method: 'POST' }),
      400,
      'INVALID_LINK',
    );
    await expectProblem(
      await stack.app.request(`/notifications/unsubscribe?token=${payload}.${signature!.slice(0, -2)}AA`, {
        method: 'POST',
      }),
      400,
      'INVALID_LINK',
    );
    expect((await stack.deps.notifications.settings(a.patron.id)).emailOff).toEqual([]);
  });

  it('sets the preferences from the account page', async () => {
    // Prepare
    const a = await createPatron(stack);
    // Act
    const put = await stack.app.request(
      '/me/notification-settings',
      json('PUT', { emailOff: ['loan-ending-3d', 'loan-ended'] }, bearer(a.accessToken)),
    );
    const bad = await stack.app.request(
      '/me/notification-settings',
      json('PUT', { emailOff: ['everything'] }, bearer(a.accessToken)),
    );
    // Assess
    expect(await put.json()).toMatchObject({ emailOff: ['loan-ended', 'loan-ending-3d'] });
    await expectProblem(bad, 400, 'VALIDATION_FAILED');
  });
});

describe('wishes', () => {
  it('tells each wisher once when a licence that can lend is added; librarians see the counts', async () => {
    // Prepare
    const title = await addTitle(stack, { title: 'Ronggeng Dukuh Paruk' });
    const a = await createPatron(stack);
    const c = await createPatron(stack);
    await stack.deps.notifications.setVerifiedEmail(a.patron.id, 'wisher@example.org');
    // Act
    const made = await stack.app.request(
      '/me/wishes',
      json('POST', { titleId: title.id }, bearer(a.accessToken)),
    );
    const again = await stack.app.request(
      '/me/wishes',
      json('POST', { titleId: title.id }, bearer(a.accessToken)),
    );
    await stack.app.request('/me/wishes', json('POST', { titleId: title.id }, bearer(c.accessToken)));
    const counts = await (
      await stack.app.request('/admin/wishes', { headers: bearer(await librarianToken()) })
    ).json();
    const add = async (concurrency: number) =>
      stack.app.request(
        `/admin/titles/${title.id}/licences`,
        json('POST', { terms: { concurrency } }, bearer(await librarianToken())),
      );
    const [first, second] = await Promise.all([add(1), add(2)]);
    await add(1);
    await deliverDue(notifier);
    const refused = await stack.app.request(
      '/me/wishes',
      json('POST', { titleId: title.id }, bearer(a.accessToken)),
    );
    // Assess
    expect(made.status).toBe(201);
    expect(again.status).toBe(200);
    expect(counts.data).toContainEqual({ titleId: title.id, title: 'Ronggeng Dukuh Paruk', wishes: 2 });
    expect([first.status, second.status]).toEqual([201, 201]);
    for (const p of [a, c]) {
      const { data } = await stack.deps.notifications.list(p.patron.id, { limit: 10 });
      expect(data.map((n) => [n.kind, n.titleId])).toEqual([['wish-available', title.id]]);
    }
    expect(mailsTo('wisher@example.org').map((m) => m.subject)).toEqual([
      'Kini tersedia di perpustakaan: Ronggeng Dukuh Paruk',
    ]);
    const after = await (
      await stack.app.request('/admin/wishes', { headers: bearer(await librarianToken()) })
    ).json();
    expect(after.data.find((w: { titleId: string }) => w.titleId === title.id)).toBeUndefined();
    await expectProblem(refused, 409, 'WISH_NOT_NEEDED');
  });

  it('lists and removes a patron’s wishes; unknown titles and absent wishes are refused', async () => {
    // Prepare
    const title = await addTitle(stack);
    const a = await createPatron(stack);
    const auth = bearer(a.accessToken);
    await stack.app.request('/me/wishes', json('POST', { titleId: title.id }, auth));
    // Act
    const listed = await (await stack.app.request('/me/wishes', { headers: auth })).json();
    const removed = await stack.app.request(`/me/wishes/${title.id}`, { method: 'DELETE', headers: auth });
    // Assess
    expect(listed.data.map((w: { titleId: string }) => w.titleId)).toEqual([title.id]);
    expect(removed.status).toBe(204);
    await expectProblem(
      await stack.app.request(`/me/wishes/${title.id}`, { method: 'DELETE', headers: auth }),
      404,
      'WISH_NOT_FOUND',
    );
    await expectProblem(
      await stack.app.request('/me/wishes', json('POST', { titleId: 'nope' }, auth)),
      404,
      'TITLE_NOT_FOUND',
    );
  });
});

describe('librarians', () => {
  it('see a patron’s notifications with each delivery’s state, the failed ones, and retry them', async () => {
    // Prepare: one mail that fails for good
    const a = await reservedPatron('librarian-view@example.org');
    server.setRefusing(true);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await deliverDue(notifier);
      clock.advance(2 ** attempt * 60_000);
    }
    server.setRefusing(false);
    // Act
    const view = await (
      await stack.app.request(`/admin/patrons/${a.patron.id}/notifications`, {
        headers: bearer(await librarianToken()),
      })
    ).json();
    const failed = await (
      await stack.app.request('/admin/deliveries/failed', { headers: bearer(await librarianToken()) })
    ).json();
    const id = view.data[0].email.id as string;
    const retried = await stack.app.request(`/admin/deliveries/${id}/retry`, {
      method: 'POST',
      headers: bearer(await librarianToken()),
    });
    const twice = await stack.app.request(`/admin/deliveries/${id}/retry`, {
      method: 'POST',
      headers: bearer(await librarianToken()),
    });
    await deliverDue(notifier);
    const after = await (
      await stack.app.request(`/admin/patrons/${a.patron.id}/notifications`, {
        headers: bearer(await librarianToken()),
      })
    ).json();
    // Assess
    expect(view.data).toHaveLength(1);
    expect(view.data[0]).toMatchObject({ kind: 'hold-reserved', email: { state: 'failed', attempts: 5 } });
    expect(failed.data.map((d: { id: string }) => d.id)).toContain(id);
    expect(retried.status).toBe(200);
    await expectProblem(twice, 409, 'DELIVERY_NOT_FAILED');
    expect(after.data[0].email).toMatchObject({ state: 'sent' });
    expect(mailsTo('librarian-view@example.org')).toHaveLength(1);
    await expectProblem(
      await stack.app.request('/admin/deliveries/nope/retry', {
        method: 'POST',
        headers: bearer(await librarianToken()),
      }),
      404,
      'DELIVERY_NOT_FOUND',
    );
    await expectProblem(
      await stack.app.request('/admin/deliveries/failed', { headers: bearer(await tokenFor(a.patron.id)) }),
      403,
      'FORBIDDEN',
    );
  });
});
