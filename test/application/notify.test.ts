import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { deliverDue } from '../../functions/application/notify';
import { sweep } from '../../functions/application/sweep';
import type { LocalMailServer } from '../../functions/local/mail-server';
import type { NotifierDeps } from '../../functions/application/notify';
import { maxDeliveryAttempts, retryBaseMs } from '../../functions/domain/notification';
import { addLicence, addPatron, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { startMail, notifierOver } from '../helpers/mail';
import { createTestStack, type TestStack } from '../helpers/stack';

const clock = new FakeClock('2026-06-01T03:00:00.000Z');
let stack: TestStack;
let server: LocalMailServer;
let notifier: NotifierDeps;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  ({ server, notifier } = await startMail(stack));
});
afterAll(async () => {
  await server.stop();
  await stack.destroy();
});
beforeEach(() => server.setRefusing(false));

/** A patron with a verified address (the only kind mails go to). */
async function patronWithMail(language: 'id' | 'en', email: string) {
  const patron = await addPatron(stack, { language, name: `Patron ${email}` });
  await stack.deps.notifications.setVerifiedEmail(patron.id, email);
  return patron;
}

/** B holds the only copy; A waits; B returns: A's hold is reserved for 72 hours. */
async function reservedForA(language: 'id' | 'en', email: string) {
  const title = await addTitle(stack, { title: `Laut Bercerita ${email}` });
  await addLicence(stack, title.id, { concurrency: 1 });
  const a = await patronWithMail(language, email);
  const b = await addPatron(stack);
  const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
  await stack.deps.lending.placeHold({ patronId: a.id, titleId: title.id });
  await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
  const [hold] = await stack.deps.lending.holdsOf(a.id);
  return { title, a, b, hold: hold! };
}

const mailsTo = (address: string) => server.messages().filter((m) => m.to.includes(address));

describe('a return that reserves a copy', () => {
  it('tells A once in the app and once by e-mail, in A’s language, with the deadline in the library’s zone', async () => {
    // Prepare
    const { title, a, hold } = await reservedForA('en', 'a1@example.org');
    // Act
    await deliverDue(notifier);
    // Assess
    const inApp = await stack.deps.notifications.list(a.id, { limit: 10 });
    expect(inApp.data.map((n) => [n.kind, n.titleId, n.deadline])).toEqual([
      ['hold-reserved', title.id, hold.reservedUntil],
    ]);
    expect(await stack.deps.notifications.unreadCount(a.id)).toBe(1);
    const mails = mailsTo('a1@example.org');
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe(`Ready for you: ${title.title}`);
    // 03:00 UTC + 72 h = Thu 4 Jun 03:00 UTC = 10:00 in Jakarta (WIB)
    expect(hold.reservedUntil).toBe('2026-06-04T03:00:00.000Z');
    expect(mail!.text).toContain('Thu, 4 Jun 2026, 10:00 GMT+7');
    expect(mail!.html).toContain('Thu, 4 Jun 2026, 10:00 GMT+7');
    expect(mail!.text).toContain(`http://app.test/#/titles/${title.id}`);
    expect(mail!.headers['list-unsubscribe']).toMatch(
      /^<http:\/\/api\.test\/notifications\/unsubscribe\?token=/,
    );
    expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail!.headers['content-type']).toMatch(/^multipart\/alternative/);
    // Assess: a second run sends nothing more
    await deliverDue(notifier);
    expect(mailsTo('a1@example.org')).toHaveLength(1);
  });

  it('writes in Indonesian to a patron whose language is Indonesian', async () => {
    // Prepare
    const { title } = await reservedForA('id', 'a2@example.org');
    // Act
    await deliverDue(notifier);
    // Assess
    const [mail] = mailsTo('a2@example.org');
    expect(mail!.subject).toBe(`Siap untuk Anda: ${title.title}`);
    expect(mail!.text).toContain('Kam, 4 Jun 2026');
    expect(mail!.text).toContain('10.00 WIB');
  });

  it('sends one e-mail when two notifier runs overlap', async () => {
    // Prepare
    await reservedForA('en', 'a3@example.org');
    // Act
    const reports = await Promise.all([deliverDue(notifier), deliverDue(notifier), deliverDue(notifier)]);
    // Assess
    expect(mailsTo('a3@example.org')).toHaveLength(1);
    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBeGreaterThanOrEqual(1);
  });

  it('tells nobody about a return that rolled back', async () => {
    // Prepare: the return is refused (someone else's loan): nothing is written
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const a = await patronWithMail('en', 'a4@example.org');
    const b = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: a.id, titleId: title.id });
    // Act
    await expect(stack.deps.lending.returnLoan({ patronId: a.id, loanId: loan.id })).rejects.toMatchObject({
      code: 'LOAN_NOT_FOUND',
    });
    await deliverDue(notifier);
    // Assess
    expect((await stack.deps.notifications.list(a.id, { limit: 10 })).data).toEqual([]);
    expect(mailsTo('a4@example.org')).toEqual([]);
  });
});

describe('an SMTP server that refuses or is down', () => {
  it('is tried again with backoff and the mail delivered once when it is back', async () => {
    // Prepare
    const { a } = await reservedForA('en', 'r1@example.org');
    server.setRefusing(true);
    // Act: refused twice, each time due again only after the backoff
    const first = await deliverDue(notifier);
    const early = await deliverDue(notifier);
    clock.advance(retryBaseMs);
    const second = await deliverDue(notifier);
    server.setRefusing(false);
    const notYet = await deliverDue(notifier);
    clock.advance(2 * retryBaseMs);
    const third = await deliverDue(notifier);
    // Assess
    expect([first.retried, early.retried, second.retried, notYet.sent, third.sent]).toEqual([1, 0, 1, 0, 1]);
    expect(mailsTo('r1@example.org')).toHaveLength(1);
    const [delivery] = await stack.deps.notifications.deliveriesOf(a.id);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 3 });
  });

  it('marks the delivery failed after the last try when the server stays unreachable', async () => {
    // Prepare: a port nothing listens on
    const { a } = await reservedForA('en', 'r2@example.org');
    const closed = await freePort();
    const down = notifierOver(stack, { host: '127.0.0.1', port: closed });
    // Act
    for (let attempt = 1; attempt <= maxDeliveryAttempts; attempt++) {
      await deliverDue(down);
      clock.advance(2 ** attempt * retryBaseMs);
    }
    // Assess
    const [delivery] = await stack.deps.notifications.deliveriesOf(a.id);
    expect(delivery).toMatchObject({ state: 'failed', attempts: maxDeliveryAttempts });
    expect(delivery!.reason).toMatch(/ECONNREFUSED|connect/i);
    const failed = await stack.deps.notifications.failed({ limit: 50 });
    expect(failed.data.map((d) => d.id)).toContain(delivery!.id);
    // Assess: nothing more is tried, and a librarian's retry sends it once the server is reachable
    await deliverDue(notifier);
    expect(mailsTo('r2@example.org')).toEqual([]);
    await stack.deps.notifications.retry(delivery!.id);
    await deliverDue(notifier);
    expect(mailsTo('r2@example.org')).toHaveLength(1);
  });
});

describe('time-based notices (the sweeper, fake clock)', () => {
  it('tells once 24 hours before a reservation lapses, then once that it lapsed', async () => {
    // Prepare
    const { a, hold } = await reservedForA('en', 't1@example.org');
    await deliverDue(notifier);
    const kinds = async () =>
      (await stack.deps.notifications.list(a.id, { limit: 20 })).data.map((n) => n.kind);
    // Act: 47 h later nothing new; at 48 h (24 h left) the notice, however many sweeps run
    clock.set(new Date(Date.parse(hold.reservedUntil!) - 25 * hour));
    await sweep(stack.deps);
    const before = await kinds();
    clock.advance(2 * hour);
    await Promise.all([sweep(stack.deps), sweep(stack.deps)]);
    await sweep(stack.deps);
    const after = await kinds();
    clock.set(new Date(Date.parse(hold.reservedUntil!) + 1000));
    await sweep(stack.deps);
    await sweep(stack.deps);
    await deliverDue(notifier);
    // Assess
    expect(before).toEqual(['hold-reserved']);
    expect(after).toEqual(['reservation-expiring', 'hold-reserved']);
    expect(await kinds()).toEqual(['reservation-lapsed', 'reservation-expiring', 'hold-reserved']);
    expect(mailsTo('t1@example.org').map((m) => m.subject.split(':')[0])).toEqual([
      'Ready for you',
      'Last day to borrow',
      'Reservation ended',
    ]);
  });

  it('tells once 3 days and once 1 day before a loan ends, then once that it ended', async () => {
    // Prepare
    clock.set('2026-07-01T03:00:00.000Z');
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const a = await patronWithMail('en', 't2@example.org');
    const { loan } = await stack.deps.lending.checkout({ patronId: a.id, titleId: title.id, days: 7 });
    const end = Date.parse(loan.expiresAt);
    const kinds = async () =>
      (await stack.deps.notifications.list(a.id, { limit: 20 })).data.map((n) => n.kind);
    // Act
    clock.set(new Date(end - 3 * day - hour));
    await sweep(stack.deps);
    const early = await kinds();
    clock.set(new Date(end - 3 * day + hour));
    await Promise.all([sweep(stack.deps), sweep(stack.deps)]);
    clock.advance(hour);
    await sweep(stack.deps);
    clock.set(new Date(end - day + hour));
    await Promise.all([sweep(stack.deps), sweep(stack.deps)]);
    await sweep(stack.deps);
    clock.set(new Date(end + 1000));
    await sweep(stack.deps);
    await sweep(stack.deps);
    await Promise.all([deliverDue(notifier), deliverDue(notifier)]);
    // Assess
    expect(early).toEqual([]);
    expect(await kinds()).toEqual(['loan-ended', 'loan-ending-1d', 'loan-ending-3d']);
    expect(mailsTo('t2@example.org')).toHaveLength(3);
  });
});

describe('e-mail preferences', () => {
  it('sends no e-mail of a kind turned off, and still tells in the app', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const a = await patronWithMail('en', 'p1@example.org');
    await stack.deps.notifications.setEmailOff(a.id, ['hold-reserved']);
    const b = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: a.id, titleId: title.id });
    // Act
    await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
    await deliverDue(notifier);
    // Assess
    expect((await stack.deps.notifications.list(a.id, { limit: 5 })).data.map((n) => n.kind)).toEqual([
      'hold-reserved',
    ]);
    expect(mailsTo('p1@example.org')).toEqual([]);
    const [delivery] = await stack.deps.notifications.deliveriesOf(a.id);
    expect(delivery).toMatchObject({ state: 'skipped' });
  });

  it('sends nothing to a patron without a verified address', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const a = await addPatron(stack, { email: 'unverified@example.org' });
    await stack.deps.notifications.setPendingEmail(a.id, 'pending@example.org');
    const b = await addPatron(stack);
    const { loan } = await stack.deps.lending.checkout({ patronId: b.id, titleId: title.id });
    await stack.deps.lending.placeHold({ patronId: a.id, titleId: title.id });
    // Act
    await stack.deps.lending.returnLoan({ patronId: b.id, loanId: loan.id });
    await deliverDue(notifier);
    // Assess
    expect(mailsTo('unverified@example.org')).toEqual([]);
    expect(mailsTo('pending@example.org')).toEqual([]);
    expect((await stack.deps.notifications.deliveriesOf(a.id))[0]).toMatchObject({
      state: 'skipped',
      reason: 'no verified e-mail address',
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
