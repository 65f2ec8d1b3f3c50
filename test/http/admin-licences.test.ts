import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { addLicence, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';
import { expectProblem } from '../helpers/problem';
import { itemKinds } from '../../functions/adapters/entities';
import { holdQueueKeys, licenceKeys, titleKeys } from '../../functions/adapters/keys';

/**
 * Licences for librarians (issue 5 item 4) and withdrawal (item 3), through the HTTP API on DynamoDB Local:
 * what the librarian sees, what patrons see at once, and what is stored, with the lending invariant of
 * functions/domain/README.md (loans out + reserved holds + free slots = concurrency) checked on the stored items
 * after each change.
 */

let stack: TestStack;
const clock = new FakeClock('2026-06-01T09:00:00.000Z');
let librarianId: string;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  await stack.deps.lending.sweep();
  librarianId = (await createLibrarian(stack)).patron.id;
});
afterAll(() => stack.destroy());

interface Who {
  id: string;
  roles: ('patron' | 'librarian')[];
}
interface LicenceBody {
  id: string;
  titleId: string;
  state: string;
  available: number | null;
  checkoutsLeft: number | null;
  terms: Record<string, unknown>;
  supplierLicenceId?: string;
  note?: string;
  deactivatedAt?: string;
}
interface HoldBody {
  id: string;
  status: string;
  position: number;
  reservedUntil?: string;
}

/** Tokens are issued at the fake clock's time, so tests may move days ahead. */
async function auth(who: Who): Promise<Record<string, string>> {
  const { token } = await stack.deps.tokens.issue(
    { patronId: who.id, roles: who.roles },
    { now: clock.now() },
  );
  return bearer(token);
}
const librarian = (): Who => ({ id: librarianId, roles: ['patron', 'librarian'] });
async function patron(): Promise<Who> {
  return { id: (await createPatron(stack)).patron.id, roles: ['patron'] };
}

async function call(method: string, path: string, who: Who, body?: unknown) {
  const headers = await auth(who);
  return stack.app.request(path, body === undefined ? { method, headers } : json(method, body, headers));
}
const addVia = (titleId: string, body: unknown) =>
  call('POST', `/admin/titles/${titleId}/licences`, librarian(), body);
const setActive = (titleId: string, licenceId: string, active: boolean) =>
  call('PATCH', `/admin/titles/${titleId}/licences/${licenceId}`, librarian(), { active });
const borrow = (who: Who, titleId: string) => call('POST', '/loans', who, { titleId });
const placeHold = (who: Who, titleId: string) => call('POST', '/holds', who, { titleId });
async function holdsOf(who: Who): Promise<HoldBody[]> {
  return ((await (await call('GET', '/me/holds', who)).json()) as { data: HoldBody[] }).data;
}
async function availability(titleId: string) {
  const body = (await (await stack.app.request(`/titles/${titleId}`)).json()) as {
    availability: Record<string, unknown>;
  };
  return body.availability;
}

/** functions/domain/README.md's invariant 2 on what is stored: for every licence of the title, loans out + reserved + free = concurrency. */
async function expectInvariants(titleId: string): Promise<void> {
  const items = await scanTable(stack);
  const licences = items.filter(
    (i) => i.pk === titleKeys.partition(titleId) && String(i.sk).startsWith(licenceKeys.sortPrefix),
  );
  expect(licences.length).toBeGreaterThan(0);
  for (const licence of licences) {
    const concurrency = (licence.terms as { concurrency: number | null }).concurrency;
    if (concurrency === null) continue;
    const out = items.filter(
      (i) => i.sk === itemKinds.loan && i.licenceId === licence.id && i.status === 'active',
    );
    const reserved = items.filter(
      (i) => i.sk === itemKinds.hold && i.licenceId === licence.id && i.status === 'reserved',
    );
    expect(licence.available, `free slots of ${String(licence.id)}`).toBeGreaterThanOrEqual(0);
    expect(out.length + reserved.length + Number(licence.available), `slots of ${String(licence.id)}`).toBe(
      concurrency,
    );
  }
  const queue = items.find((i) => i.pk === holdQueueKeys.item(titleId).pk && i.sk === itemKinds.holdQueue);
  const live = (status: string) =>
    items.filter((i) => i.sk === itemKinds.hold && i.titleId === titleId && i.status === status).length;
  expect(Number(queue?.waiting ?? 0)).toBe(live('waiting'));
  expect(Number(queue?.reserved ?? 0)).toBe(live('reserved'));
}

describe('POST /admin/titles/{id}/licences', () => {
  it('adds a licence with ODL terms, supplier id and note; availability follows at once; the action is audited', async () => {
    // Prepare
    const title = await addTitle(stack);
    const expires = new Date(clock.now().getTime() + 365 * day).toISOString();
    // Act
    const response = await addVia(title.id, {
      terms: { concurrency: 3, checkouts: 50, expires, loanLength: 7 * 86_400 },
      supplierLicenceId: 'ODL-2026-0042',
      note: 'Order 17/2026, Gramedia Digital',
    });
    // Assess
    expect(response.status).toBe(201);
    const licence = (await response.json()) as LicenceBody;
    expect(response.headers.get('Location')).toBe(`/admin/titles/${title.id}/licences/${licence.id}`);
    expect(licence).toMatchObject({
      titleId: title.id,
      state: 'active',
      available: 3,
      checkoutsLeft: 50,
      terms: { concurrency: 3, checkouts: 50, expires, loanLength: 604_800 },
      supplierLicenceId: 'ODL-2026-0042',
      note: 'Order 17/2026, Gramedia Digital',
    });
    expect(await availability(title.id)).toEqual({ copies: 3, available: 3, holds: 0, access: 'licensed' });
    const key = licenceKeys.item(title.id, licence.id);
    const stored = (await scanTable(stack)).find((i) => i.sk === key.sk);
    expect(stored).toMatchObject({ pk: key.pk, available: 3, createdBy: librarianId });
    const listed = (await (await call('GET', `/admin/titles/${title.id}/licences`, librarian())).json()) as {
      data: LicenceBody[];
      availability: unknown;
    };
    expect(listed.data.map((l) => l.id)).toEqual([licence.id]);
    expect(listed.availability).toMatchObject({ copies: 3, available: 3 });
    const audit = await stack.deps.audit.list({ targetType: 'licence', targetId: licence.id }, { limit: 5 });
    expect(audit.data).toEqual([
      expect.objectContaining({
        actor: librarianId,
        action: 'licence.add',
        outcome: 'succeeded',
        status: 201,
      }),
    ]);
    await expectInvariants(title.id);
  });

  it('takes null as unlimited, perpetual and the library default; missing terms other than concurrency are null', async () => {
    // Prepare
    const title = await addTitle(stack);
    // Act
    const response = await addVia(title.id, { terms: { concurrency: null } });
    // Assess
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      terms: { concurrency: null, checkouts: null, expires: null, loanLength: null },
      available: null,
      checkoutsLeft: null,
      state: 'active',
    });
    expect(await availability(title.id)).toEqual({
      copies: null,
      available: null,
      holds: 0,
      access: 'licensed',
    });
  });

  it.each([
    ['concurrency 0', { terms: { concurrency: 0 } }, 'terms.concurrency'],
    ['no concurrency', { terms: {} }, 'terms.concurrency'],
    ['checkouts 0', { terms: { concurrency: 1, checkouts: 0 } }, 'terms.checkouts'],
    ['a fraction', { terms: { concurrency: 1.5 } }, 'terms.concurrency'],
    ['a loan length under an hour', { terms: { concurrency: 1, loanLength: 60 } }, 'terms.loanLength'],
    ['not a date', { terms: { concurrency: 1, expires: 'next year' } }, 'terms.expires'],
    [
      'an expiry in the past',
      { terms: { concurrency: 1, expires: '2026-05-31T09:00:00Z' } },
      'terms.expires',
    ],
    ['an unknown field', { terms: { concurrency: 1 }, price: 10 }, ''],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field, and stores nothing', async (_, body, field) => {
    // Prepare
    const title = await addTitle(stack);
    // Act
    const response = await addVia(title.id, body);
    // Assess
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect((await stack.deps.lending.titleLending(title.id))?.licences).toEqual([]);
  });

  it('refuses an unknown title (404), a withdrawn one (409 TITLE_WITHDRAWN) and a supplier id used twice (409 LICENCE_EXISTS)', async () => {
    // Prepare
    const title = await addTitle(stack);
    const withdrawn = await addTitle(stack, { status: 'withdrawn' });
    const terms = { concurrency: 1 };
    expect((await addVia(title.id, { terms, supplierLicenceId: 'S-1' })).status).toBe(201);
    // Act
    const unknown = await addVia('t-nope', { terms });
    const onWithdrawn = await addVia(withdrawn.id, { terms });
    const twice = await addVia(title.id, { terms, supplierLicenceId: 'S-1' });
    // Assess
    expect([unknown.status, onWithdrawn.status, twice.status]).toEqual([404, 409, 409]);
    expect(((await unknown.json()) as { code: string }).code).toBe('TITLE_NOT_FOUND');
    expect(((await onWithdrawn.json()) as { code: string }).code).toBe('TITLE_WITHDRAWN');
    expect(((await twice.json()) as { code: string }).code).toBe('LICENCE_EXISTS');
    expect((await stack.deps.lending.titleLending(title.id))?.licences).toHaveLength(1);
  });

  it('adds a supplier licence once when librarians add it at the same moment (one 201, the rest 409)', async () => {
    // Prepare: a title with a licence of another supplier id, so the race is on the marker, not the title
    const title = await addTitle(stack);
    expect((await addVia(title.id, { terms: { concurrency: 1 }, supplierLicenceId: 'S-other' })).status).toBe(
      201,
    );
    const body = { terms: { concurrency: 2 }, supplierLicenceId: 'ODL-RACE-1' };
    // Act
    const responses = await Promise.all(Array.from({ length: 6 }, () => addVia(title.id, body)));
    // Assess
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(((await refused.json()) as { code: string }).code).toBe('LICENCE_EXISTS');
    }
    const stored = (await stack.deps.lending.titleLending(title.id))?.licences ?? [];
    expect(stored.filter((l) => l.supplierLicenceId === 'ODL-RACE-1')).toHaveLength(1);
    expect(stored).toHaveLength(2);
    expect((await availability(title.id)).copies).toBe(3);
    await expectInvariants(title.id);
  });
});

describe('adding copies while holds wait', () => {
  it('reserves the new copies for the first in line for 72 hours, exactly like a return', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b, c, d] = await Promise.all([patron(), patron(), patron(), patron()]);
    expect((await borrow(a, title.id)).status).toBe(201);
    for (const who of [b, c, d]) expect((await placeHold(who, title.id)).status).toBe(201);
    // Act
    const added = await addVia(title.id, { terms: { concurrency: 2 } });
    // Assess
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ available: 0 });
    const [forB, forC, forD] = await Promise.all([holdsOf(b), holdsOf(c), holdsOf(d)]);
    const until = new Date(clock.now().getTime() + 72 * hour).toISOString();
    expect(forB).toEqual([expect.objectContaining({ status: 'reserved', reservedUntil: until })]);
    expect(forC).toEqual([expect.objectContaining({ status: 'reserved', reservedUntil: until })]);
    expect(forD).toEqual([expect.objectContaining({ status: 'waiting', position: 1 })]);
    expect(await availability(title.id)).toEqual({ copies: 3, available: 0, holds: 3, access: 'licensed' });
    await expectInvariants(title.id);
    // D still waits: the reserved copies are B's and C's alone.
    const refused = await borrow(d, title.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'NO_COPY_AVAILABLE' });
    expect((await borrow(b, title.id)).status).toBe(201);
    await expectInvariants(title.id);
  });

  it('leaves copies beyond the queue free to borrow', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b, c] = await Promise.all([patron(), patron(), patron()]);
    await borrow(a, title.id);
    await placeHold(b, title.id);
    // Act
    const added = (await (await addVia(title.id, { terms: { concurrency: 3 } })).json()) as LicenceBody;
    // Assess
    expect(added.available).toBe(2);
    expect(await holdsOf(b)).toEqual([expect.objectContaining({ status: 'reserved' })]);
    expect(await availability(title.id)).toEqual({ copies: 4, available: 2, holds: 1, access: 'licensed' });
    expect((await borrow(c, title.id)).status).toBe(201);
    await expectInvariants(title.id);
  });

  it('reserves for everyone waiting when the new licence is unlimited, more than one batch of them', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const first = await patron();
    await borrow(first, title.id);
    const waiting = await Promise.all(Array.from({ length: 30 }, () => patron()));
    for (const who of waiting) expect((await placeHold(who, title.id)).status).toBe(201);
    // Act
    const added = await addVia(title.id, { terms: { concurrency: null } });
    // Assess
    expect(added.status).toBe(201);
    const statuses = await Promise.all(waiting.map(async (who) => (await holdsOf(who))[0]?.status));
    expect(new Set(statuses)).toEqual(new Set(['reserved']));
    await expectInvariants(title.id);
    expect((await borrow(waiting[29]!, title.id)).status).toBe(201);
  }, 60_000);
});

describe('PATCH /admin/titles/{id}/licences/{licenceId}', () => {
  it('deactivates a licence with a loan out: the loan runs on and stays readable, nothing new is lent from it', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 2 });
    const [a, b] = await Promise.all([patron(), patron()]);
    const loan = (await (await borrow(a, title.id)).json()) as { id: string; expiresAt: string };
    // Act
    const response = await setActive(title.id, licence.id, false);
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: licence.id,
      state: 'inactive',
      available: 1,
      deactivatedAt: clock.now().toISOString(),
    });
    expect(await availability(title.id)).toEqual({ copies: 0, available: 0, holds: 0, access: 'licensed' });
    const refused = await borrow(b, title.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'NO_COPY_AVAILABLE' });
    expect((await call('POST', `/titles/${title.id}/access`, a)).status).toBe(200);
    const renewal = await call('POST', `/loans/${loan.id}/renew`, a);
    expect(renewal.status).toBe(409);
    expect(await renewal.json()).toMatchObject({ code: 'LICENCE_EXHAUSTED' });
    await expectInvariants(title.id);
    // The loan ends and its slot goes back to the (inactive) licence.
    expect((await call('DELETE', `/loans/${loan.id}`, a)).status).toBe(200);
    expect((await stack.deps.lending.titleLending(title.id))?.licences[0]).toMatchObject({ available: 2 });
    await expectInvariants(title.id);
    const audit = await stack.deps.audit.list({ targetType: 'licence', targetId: licence.id }, { limit: 5 });
    expect(audit.data).toEqual([
      expect.objectContaining({ action: 'licence.deactivate', outcome: 'succeeded' }),
    ]);
  });

  it('reactivates a licence: its free copies go to waiting holds first', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 2 });
    const [a, b] = await Promise.all([patron(), patron()]);
    await setActive(title.id, licence.id, false);
    expect((await placeHold(a, title.id)).status).toBe(201);
    // Act
    const again = await setActive(title.id, licence.id, false);
    const response = await setActive(title.id, licence.id, true);
    // Assess
    expect(again.status).toBe(200);
    expect(response.status).toBe(200);
    const body = (await response.json()) as LicenceBody;
    expect(body).toMatchObject({ state: 'active', available: 1 });
    expect(body.deactivatedAt).toBeUndefined();
    expect(await holdsOf(a)).toEqual([expect.objectContaining({ status: 'reserved' })]);
    expect(await availability(title.id)).toEqual({ copies: 2, available: 1, holds: 1, access: 'licensed' });
    expect((await borrow(b, title.id)).status).toBe(201);
    expect((await borrow(a, title.id)).status).toBe(201);
    await expectInvariants(title.id);
  });

  it('honours a reservation already made on a licence that is then deactivated', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = await Promise.all([patron(), patron()]);
    const loan = (await (await borrow(a, title.id)).json()) as { id: string };
    await placeHold(b, title.id);
    await call('DELETE', `/loans/${loan.id}`, a);
    // Act
    await setActive(title.id, licence.id, false);
    const taken = await borrow(b, title.id);
    // Assess
    expect(taken.status).toBe(201);
    await expectInvariants(title.id);
  });

  it('answers an unknown licence or title with 404, and a body without `active` with 400', async () => {
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id);
    const noLicence = await setActive(title.id, 'lic-nope', false);
    const noTitle = await setActive('t-nope', licence.id, false);
    const noBody = await call('PATCH', `/admin/titles/${title.id}/licences/${licence.id}`, librarian(), {});
    expect(noLicence.status).toBe(404);
    expect(await noLicence.json()).toMatchObject({ code: 'LICENCE_NOT_FOUND' });
    expect(noTitle.status).toBe(404);
    expect(noBody.status).toBe(400);
  });

  it('is for librarians only', async () => {
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id);
    const someone = await patron();
    const asPatron = await call('PATCH', `/admin/titles/${title.id}/licences/${licence.id}`, someone, {
      active: false,
    });
    const anonymous = await stack.app.request(`/admin/titles/${title.id}/licences`);
    await expectProblem(asPatron, 403, 'FORBIDDEN');
    await expectProblem(anonymous, 401, 'UNAUTHORIZED');
  });
});

describe('DELETE /admin/titles/{id} (withdraw)', () => {
  it('Withdrawing a title keeps its running loans readable until their end and refuses new checkouts', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 3 });
    const [reader, other] = await Promise.all([patron(), patron()]);
    const loan = (await (await borrow(reader, title.id)).json()) as { id: string; expiresAt: string };
    // Act
    const response = await call('DELETE', `/admin/titles/${title.id}`, librarian());
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: title.id, status: 'withdrawn' });
    const checkout = await borrow(other, title.id);
    expect(checkout.status).toBe(409);
    expect(await checkout.json()).toMatchObject({ code: 'TITLE_WITHDRAWN' });
    const hold = await placeHold(other, title.id);
    expect(hold.status).toBe(409);
    expect(await hold.json()).toMatchObject({ code: 'TITLE_WITHDRAWN' });
    expect(await availability(title.id)).toMatchObject({ available: 0 });
    const link = await call('POST', `/titles/${title.id}/access`, reader);
    expect(link.status).toBe(200);
    const { expiresAt } = (await link.json()) as { expiresAt: string };
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(Date.parse(loan.expiresAt));
    // Until its end, and not after.
    clock.set(new Date(Date.parse(loan.expiresAt) - hour).toISOString());
    expect((await call('POST', `/titles/${title.id}/access`, reader)).status).toBe(200);
    clock.set(new Date(Date.parse(loan.expiresAt) + 1).toISOString());
    const ended = await call('POST', `/titles/${title.id}/access`, reader);
    expect(ended.status).toBe(403);
    expect(await ended.json()).toMatchObject({ code: 'LOAN_EXPIRED' });
    await stack.deps.lending.sweep();
    await expectInvariants(title.id);
  });

  it('cancels waiting and reserved holds, giving reserved copies back to the licence', async () => {
    // Prepare
    const title = await addTitle(stack);
    const licence = await addLicence(stack, title.id, { concurrency: 2 });
    const [a, b, c, d] = await Promise.all([patron(), patron(), patron(), patron()]);
    const loanOfA = (await (await borrow(a, title.id)).json()) as { id: string };
    await borrow(b, title.id);
    await placeHold(c, title.id);
    await placeHold(d, title.id);
    await call('DELETE', `/loans/${loanOfA.id}`, a); // C's hold becomes reserved
    expect(await holdsOf(c)).toEqual([expect.objectContaining({ status: 'reserved' })]);
    await expectInvariants(title.id);
    // Act
    const response = await call('DELETE', `/admin/titles/${title.id}`, librarian());
    // Assess
    expect(response.status).toBe(200);
    expect(await holdsOf(c)).toEqual([]);
    expect(await holdsOf(d)).toEqual([]);
    const items = await scanTable(stack);
    const holds = items.filter((i) => i.sk === itemKinds.hold && i.titleId === title.id);
    expect(holds.map((h) => h.status)).toEqual(['cancelled', 'cancelled']);
    expect(items.find((i) => i.sk === licenceKeys.item(title.id, licence.id).sk)).toMatchObject({
      available: 1,
    });
    expect(
      items.find((i) => i.pk === holdQueueKeys.item(title.id).pk && i.sk === itemKinds.holdQueue),
    ).toMatchObject({
      waiting: 0,
      reserved: 0,
    });
    expect(await availability(title.id)).toEqual({ copies: 2, available: 0, holds: 0, access: 'licensed' });
    await expectInvariants(title.id);
    const reservedBorrow = await borrow(c, title.id);
    expect(reservedBorrow.status).toBe(409);
    expect(await reservedBorrow.json()).toMatchObject({ code: 'TITLE_WITHDRAWN' });
    const audit = await stack.deps.audit.list({ targetType: 'title', targetId: title.id }, { limit: 5 });
    expect(audit.data).toEqual([
      expect.objectContaining({
        action: 'title.withdraw',
        details: { holdsCancelled: 2 },
        outcome: 'succeeded',
      }),
    ]);
    // B's loan ends: its copy is simply free (nobody can wait for a withdrawn title).
    const loanOfB = (await (await call('GET', '/me/loans', b)).json()) as { data: { id: string }[] };
    expect((await call('DELETE', `/loans/${loanOfB.data[0]!.id}`, b)).status).toBe(200);
    expect((await stack.deps.lending.titleLending(title.id))?.licences[0]).toMatchObject({ available: 2 });
    await expectInvariants(title.id);
  });

  it('may be repeated: a second withdrawal changes nothing and answers 200', async () => {
    const title = await addTitle(stack);
    await addLicence(stack, title.id);
    const first = await call('DELETE', `/admin/titles/${title.id}`, librarian());
    const withdrawnAt = ((await first.json()) as { withdrawnAt: string }).withdrawnAt;
    clock.advance(hour);
    const second = await call('DELETE', `/admin/titles/${title.id}`, librarian());
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ status: 'withdrawn', withdrawnAt });
  });
});
