import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createPatron, json, type NewPatron } from '../helpers/auth';
import { addLicence, addTitle, day, FakeClock, hour } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';
import { expectProblem } from '../helpers/problem';
import { itemKinds } from '../../functions/adapters/entities';
import { usageKeys } from '../../functions/adapters/keys';

let stack: TestStack;
const clock = new FakeClock('2026-05-04T07:00:00.000Z');

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  await stack.deps.lending.sweep();
});
afterAll(() => stack.destroy());

interface Problem {
  status: number;
  code: string;
}
interface LoanBody {
  id: string;
  titleId: string;
  status: string;
  expiresAt: string;
}

interface Who {
  id: string;
}

/** A patron through identity's test helper; tokens are issued per request, so the fake clock may jump days. */
async function patron(options: NewPatron = {}): Promise<Who> {
  return { id: (await createPatron(stack, options)).patron.id };
}

async function authOf(who: Who | undefined): Promise<Record<string, string>> {
  if (!who) return {};
  const { token } = await stack.deps.tokens.issue(
    { patronId: who.id, roles: ['patron'] },
    { now: clock.now() },
  );
  return bearer(token);
}

async function post(path: string, who: Who | undefined, body?: unknown, headers = {}) {
  const all = { ...(await authOf(who)), ...headers };
  return stack.app.request(
    path,
    body === undefined ? { method: 'POST', headers: all } : json('POST', body, all),
  );
}
const del = async (path: string, who: Who) =>
  stack.app.request(path, { method: 'DELETE', headers: await authOf(who) });
const get = async (path: string, who?: Who) => stack.app.request(path, { headers: await authOf(who) });

const borrow = (who: Who, titleId: string, extra: Record<string, unknown> = {}, key?: string) =>
  post('/loans', who, { titleId, ...extra }, key ? { 'Idempotency-Key': key } : {});

async function usage(titleId: string, metric: string) {
  const items = await scanTable(stack);
  return items
    .filter((i) => i.pk === usageKeys.counter(titleId, '', metric).pk && String(i.sk).endsWith(`#${metric}`))
    .reduce((n, i) => n + Number(i.count), 0);
}

describe('POST /loans under contention', () => {
  it('50 patrons at once for 3 free copies: exactly 3 loans, 47 clean 409 NO_COPY_AVAILABLE', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 3 });
    const patrons = await Promise.all(Array.from({ length: 50 }, () => patron()));
    // Act
    const responses = await Promise.all(patrons.map((p, i) => borrow(p, title.id, {}, `key-${i}`)));
    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(47);
    const refusals = await Promise.all(
      responses.filter((r) => r.status === 409).map((r) => r.json() as Promise<Problem>),
    );
    expect(new Set(refusals.map((p) => p.code))).toEqual(new Set(['NO_COPY_AVAILABLE']));
    const titleNow = (await (await get(`/titles/${title.id}`)).json()) as { availability: unknown };
    expect(titleNow.availability).toEqual({ copies: 3, available: 0, holds: 0, access: 'licensed' });
    const loans = (await scanTable(stack)).filter((i) => i.sk === itemKinds.loan && i.titleId === title.id);
    expect(loans).toHaveLength(3);
    expect(await usage(title.id, 'Limit_Exceeded')).toBe(47);
  }, 60_000);

  it('one patron, two requests at once with different keys: one loan and one 409 ALREADY_ON_LOAN', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 5 });
    const a = await patron();
    // Act
    const [first, second] = await Promise.all([
      borrow(a, title.id, {}, 'k-1'),
      borrow(a, title.id, {}, 'k-2'),
    ]);
    // Assess
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const refused = (await (first.status === 409 ? first : second).json()) as Problem;
    expect(refused.code).toBe('ALREADY_ON_LOAN');
    const mine = (await (await get('/me/loans', a)).json()) as { data: LoanBody[] };
    expect(mine.data).toHaveLength(1);
  });

  it('one patron, two requests at once with the same key: the same loan twice; a new body under it is 422', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 5 });
    const a = await patron();
    // Act
    const both = await Promise.all([borrow(a, title.id, {}, 'same'), borrow(a, title.id, {}, 'same')]);
    const again = await borrow(a, title.id, {}, 'same');
    const otherBody = await borrow(a, title.id, { days: 7 }, 'same');
    // Assess
    const bodies = (await Promise.all(both.map((r) => r.json()))) as LoanBody[];
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(bodies[0]!.id).toBe(bodies[1]!.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as LoanBody).id).toBe(bodies[0]!.id);
    expect(otherBody.status).toBe(422);
    expect(((await otherBody.json()) as Problem).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(
      (await scanTable(stack)).filter((i) => i.sk === itemKinds.loan && i.titleId === title.id),
    ).toHaveLength(1);
  });
});

describe('POST /loans refusals and terms', () => {
  it('refuses over the loan limit with 403 LOAN_LIMIT_REACHED and writes nothing', async () => {
    // Prepare
    const a = await patron({ loanLimit: 1 });
    const [t1, t2] = [await addTitle(stack), await addTitle(stack)];
    await addLicence(stack, t1.id);
    await addLicence(stack, t2.id);
    expect((await borrow(a, t1.id)).status).toBe(201);
    const before = await scanTable(stack);
    // Act
    const response = await borrow(a, t2.id, {}, 'over-limit');
    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as Problem).code).toBe('LOAN_LIMIT_REACHED');
    expect(await scanTable(stack)).toEqual(before);
  });

  it('once the checkouts are used up the title shows no copies and checkout is 409', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1, checkouts: 1 });
    const [a, b] = [await patron(), await patron()];
    const loan = (await (await borrow(a, title.id)).json()) as LoanBody;
    await del(`/loans/${loan.id}`, a);
    // Act
    const shown = (await (await get(`/titles/${title.id}`)).json()) as { availability: unknown };
    const refused = await borrow(b, title.id);
    // Assess
    expect(shown.availability).toEqual({ copies: 0, available: 0, holds: 0, access: 'licensed' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Problem).code).toBe('NO_COPY_AVAILABLE');
    expect(await usage(title.id, 'No_License')).toBe(1);
  });

  it('a licence expiring in 3 days caps a 14-day loan at its expiry', async () => {
    // Prepare
    const title = await addTitle(stack);
    const expires = new Date(clock.now().getTime() + 3 * day).toISOString();
    await addLicence(stack, title.id, { expires });
    const a = await patron();
    // Act
    const response = await borrow(a, title.id, { days: 14 });
    // Assess
    expect(response.status).toBe(201);
    expect(((await response.json()) as LoanBody).expiresAt).toBe(expires);
  });

  it('lends 7, 14 or 21 days and nothing else', async () => {
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 3 });
    const a = await patron();
    const refused = await borrow(a, title.id, { days: 30 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Problem).code).toBe('VALIDATION_FAILED');
    const response = await borrow(a, title.id, { days: 21 });
    const loan = (await response.json()) as LoanBody;
    expect(Date.parse(loan.expiresAt) - clock.now().getTime()).toBe(21 * day);
  });

  it('refuses a blocked card at once, even with a token still valid', async () => {
    const title = await addTitle(stack);
    await addLicence(stack, title.id);
    const blocked = await patron({ status: 'blocked' });
    const response = await borrow(blocked, title.id);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe('ACCOUNT_BLOCKED');
  });

  it('needs a signed-in caller', async () => {
    const response = await post('/loans', undefined, { titleId: 't-any' });
    await expectProblem(response, 401, 'UNAUTHORIZED');
  });
});

describe('holds', () => {
  it('keeps a returned copy for the first in line: B is refused, A borrows it', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [holder, a, b] = [await patron(), await patron(), await patron()];
    const loan = (await (await borrow(holder, title.id)).json()) as LoanBody;
    const hold = await post('/holds', a, { titleId: title.id });
    expect(hold.status).toBe(201);
    await del(`/loans/${loan.id}`, holder);
    // Act
    const forB = await borrow(b, title.id);
    const forA = await borrow(a, title.id);
    // Assess
    expect(forB.status).toBe(409);
    expect(((await forB.json()) as Problem).code).toBe('NO_COPY_AVAILABLE');
    expect(forA.status).toBe(201);
    expect(((await (await get('/me/holds', a)).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('estimates the wait from the due dates of the running loans, leaving out copies that will not come back', async () => {
    // Prepare: two single-copy licences, out for 21 and for 7 days
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [long, short, a, b, c] = [
      await patron(),
      await patron(),
      await patron(),
      await patron(),
      await patron(),
    ];
    expect((await borrow(long, title.id, { days: 21 })).status).toBe(201);
    const second = await addLicence(stack, title.id, { concurrency: 1 });
    expect((await borrow(short, title.id, { days: 7 })).status).toBe(201);
    for (const who of [a, b, c]) expect((await post('/holds', who, { titleId: title.id })).status).toBe(201);
    const waitOf = async (who: Who) =>
      ((await (await get('/me/holds', who)).json()) as { data: { estimatedWaitDays: number }[] }).data[0]!
        .estimatedWaitDays;
    // Act
    const waits = [await waitOf(a), await waitOf(b), await waitOf(c)];
    await stack.deps.lending.setLicenceActive({ titleId: title.id, licenceId: second.id, active: false });
    const firstAfterDeactivation = await waitOf(a);
    // Assess: day 7 and day 21, then the 7-day copy again after a 14-day loan (day 21)
    expect(waits).toEqual([7, 21, 21]);
    // The 7-day copy's licence no longer lends: the first in line waits for the 21-day loan
    expect(firstAfterDeactivation).toBe(21);
  });

  it('shows place in line and estimated wait; a missed reservation lapses to the next in line', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [holder, a, b] = [await patron(), await patron(), await patron()];
    const loan = (await (await borrow(holder, title.id)).json()) as LoanBody;
    await post('/holds', a, { titleId: title.id });
    await post('/holds', b, { titleId: title.id });
    const queued = (await (await get('/me/holds', b)).json()) as { data: unknown[] };
    await del(`/loans/${loan.id}`, holder);
    const reservedForA = (await (await get('/me/holds', a)).json()) as { data: unknown[] };
    // Act
    clock.advance(72 * hour);
    await stack.deps.lending.sweep();
    // Assess
    expect(queued.data).toEqual([
      expect.objectContaining({ status: 'waiting', position: 2, estimatedWaitDays: 28 }),
    ]);
    expect(reservedForA.data).toEqual([
      expect.objectContaining({
        status: 'reserved',
        position: 0,
        reservedUntil: new Date(clock.now().getTime()).toISOString(),
      }),
    ]);
    expect(((await (await get('/me/holds', a)).json()) as { data: unknown[] }).data).toEqual([]);
    const forB = (await (await get('/me/holds', b)).json()) as { data: { status: string }[] };
    expect(forB.data[0]?.status).toBe('reserved');
    expect((await borrow(b, title.id)).status).toBe(201);
  });

  it('refuses a hold while a copy is free (COPY_AVAILABLE) and a second hold on the same title', async () => {
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = [await patron(), await patron()];
    const free = await post('/holds', a, { titleId: title.id });
    expect(free.status).toBe(409);
    expect(((await free.json()) as Problem).code).toBe('COPY_AVAILABLE');
    await borrow(b, title.id);
    expect((await post('/holds', a, { titleId: title.id })).status).toBe(201);
    const twice = await post('/holds', a, { titleId: title.id });
    expect(((await twice.json()) as Problem).code).toBe('ALREADY_ON_HOLD');
  });

  it('cancels a hold with DELETE /holds/{id}; someone else’s hold is 404', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = [await patron(), await patron()];
    await borrow(b, title.id);
    const hold = (await (await post('/holds', a, { titleId: title.id })).json()) as { id: string };
    // Act
    const byB = await del(`/holds/${hold.id}`, b);
    const byA = await del(`/holds/${hold.id}`, a);
    // Assess
    await expectProblem(byB, 404, 'HOLD_NOT_FOUND');
    expect(byA.status).toBe(200);
    expect(await byA.json()).toMatchObject({ id: hold.id, status: 'cancelled' });
    expect(
      ((await (await get(`/titles/${title.id}`)).json()) as { availability: { holds: number } }).availability
        .holds,
    ).toBe(0);
  });

  it('refuses a renewal while someone waits with 409 HOLDS_WAITING', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 1 });
    const [a, b] = [await patron(), await patron()];
    const loan = (await (await borrow(a, title.id)).json()) as LoanBody;
    const renewedAlone = await post(`/loans/${loan.id}/renew`, a);
    await post('/holds', b, { titleId: title.id });
    // Act
    const refused = await post(`/loans/${loan.id}/renew`, a);
    // Assess
    expect(renewedAlone.status).toBe(200);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Problem).code).toBe('HOLDS_WAITING');
  });
});

describe('POST /titles/{id}/access', () => {
  it('gives a short link to an open title to anyone', async () => {
    const title = await addTitle(stack, { access: 'open' });
    const response = await post(`/titles/${title.id}/access`, undefined);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string; expiresAt: string; format: string; size: number };
    expect(body).toMatchObject({ format: 'epub', size: 1234, contentType: 'application/epub+zip' });
    expect(body.url).toContain(encodeURIComponent(title.contentKey).replaceAll('%2F', '/'));
    expect(Date.parse(body.expiresAt) - clock.now().getTime()).toBe(300_000);
  });

  it('reads a licensed title only on an active loan: refused after return and after expiresAt (no sweep)', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 2 });
    const [a, b] = [await patron(), await patron()];
    const loanA = (await (await borrow(a, title.id)).json()) as LoanBody;
    const loanB = (await (await borrow(b, title.id, { days: 7 })).json()) as LoanBody;
    // Act
    const whileOnLoan = await post(`/titles/${title.id}/access`, a);
    await del(`/loans/${loanA.id}`, a);
    const afterReturn = await post(`/titles/${title.id}/access`, a);
    clock.set(new Date(Date.parse(loanB.expiresAt) - 60_000).toISOString());
    const lastMinute = (await (await post(`/titles/${title.id}/access`, b)).json()) as { expiresAt: string };
    clock.set(loanB.expiresAt);
    const afterEnd = await post(`/titles/${title.id}/access`, b);
    // Assess
    expect(whileOnLoan.status).toBe(200);
    expect(afterReturn.status).toBe(403);
    expect(((await afterReturn.json()) as Problem).code).toBe('NO_ACTIVE_LOAN');
    expect(lastMinute.expiresAt).toBe(loanB.expiresAt);
    expect(afterEnd.status).toBe(403);
    expect(((await afterEnd.json()) as Problem).code).toBe('LOAN_EXPIRED');
    expect(await usage(title.id, 'Total_Item_Requests')).toBe(2);
  });

  it('cannot return, renew or read another patron’s loan: 404, so loan ids are not probed', async () => {
    // Prepare
    const title = await addTitle(stack);
    await addLicence(stack, title.id, { concurrency: 2 });
    const [a, b] = [await patron(), await patron()];
    const loan = (await (await borrow(a, title.id)).json()) as LoanBody;
    // Act
    const responses = [
      await del(`/loans/${loan.id}`, b),
      await post(`/loans/${loan.id}/renew`, b),
      await get(`/loans/${loan.id}`, b),
    ];
    const link = await post(`/titles/${title.id}/access`, b);
    // Assess
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(((await response.json()) as Problem).code).toBe('LOAN_NOT_FOUND');
    }
    expect(((await link.json()) as Problem).code).toBe('NO_ACTIVE_LOAN');
    expect((await get(`/loans/${loan.id}`, a)).status).toBe(200);
  });

  it('answers a bad token with 401 even for an open title (never silently anonymous)', async () => {
    const title = await addTitle(stack, { access: 'open' });
    const response = await post(`/titles/${title.id}/access`, undefined, undefined, {
      Authorization: 'Bearer not.a.token',
    });
    await expectProblem(response, 401, 'INVALID_TOKEN');
  });

  it('refuses a partner title without an entitlement and counts it as No_License', async () => {
    const title = await addTitle(stack, { access: 'partner' });
    const a = await patron();
    const response = await post(`/titles/${title.id}/access`, a);
    expect(response.status).toBe(403);
    expect(((await response.json()) as Problem).code).toBe('NOT_ENTITLED');
    expect(await usage(title.id, 'No_License')).toBe(1);
  });
});

describe('contract', () => {
  it('documents the lending routes in /openapi.json', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/loans',
        '/loans/{id}',
        '/loans/{id}/renew',
        '/me/loans',
        '/holds',
        '/holds/{id}',
        '/me/holds',
        '/titles/{id}/access',
      ]),
    );
  });
});
