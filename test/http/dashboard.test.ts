import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryInstitutionName } from '../../functions/domain/counter';
import type { Dashboard } from '../../functions/domain/dashboard';
import type { Title } from '../../functions/domain/title';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addLicence, addTitle } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';
import { createTitle, partnerInput, registerPartner } from './federation/fixtures';

/**
 * GET /admin/dashboard over a scripted stretch of use (March and April 2026): loans, links issued (a double
 * click left out), both kinds of denial, holds, and a partner's members beside the library's patrons. Every
 * figure below is worked out by hand from the script.
 */

let stack: TestStack;
const clock = new FakeClock('2026-03-02T09:00:00.000Z');
let librarianId: string;
let a: string;
let b: string;
let c: string;
let alpha: Title;
let beta: Title;
let delta: Title;
let journal: Title;
const partnerId = 'uni-pesisir';

const at = (iso: string) => clock.set(iso);
async function tokenOf(patronId: string): Promise<string> {
  const roles = patronId === librarianId ? (['patron', 'librarian'] as const) : (['patron'] as const);
  return (await stack.deps.tokens.issue({ patronId, roles: [...roles] }, { now: clock.now() })).token;
}
async function memberToken(sub: string, entitlements = ['library']) {
  const { token } = await stack.deps.tokens.issue(
    { patronId: `fm-${sub}`, roles: [], partnerId, entitlements },
    { now: clock.now() },
  );
  return token;
}
const access = async (titleId: string, token: string) =>
  stack.app.request(`/titles/${titleId}/access`, { method: 'POST', headers: bearer(token) });
const borrow = async (titleId: string, patronId: string) =>
  stack.app.request('/loans', json('POST', { titleId }, bearer(await tokenOf(patronId))));
const hold = async (titleId: string, patronId: string) =>
  stack.app.request('/holds', json('POST', { titleId }, bearer(await tokenOf(patronId))));
const dashboard = async (query: string, token?: string) =>
  stack.app.request(`/admin/dashboard${query}`, { headers: bearer(token ?? (await tokenOf(librarianId))) });

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarianId = (await createLibrarian(stack)).patron.id;
  [a, b, c] = (await Promise.all([1, 2, 3].map(async () => (await createPatron(stack)).patron.id))) as [
    string,
    string,
    string,
  ];
  alpha = await addTitle(stack, {
    title: 'Alpha Book',
    language: 'id',
    subjects: ['Sejarah'],
    format: 'epub',
  });
  beta = await addTitle(stack, { title: 'Beta Book', language: 'en', subjects: ['Sains'], format: 'pdf' });
  delta = await addTitle(stack, {
    title: 'Delta Book',
    language: 'id',
    subjects: ['Sejarah'],
    format: 'epub',
  });
  journal = await createTitle(stack, { title: 'Partner Journal', language: 'en' });
  await addLicence(stack, alpha.id, { concurrency: 1 });
  await addLicence(stack, beta.id, { concurrency: 1 });
  await addLicence(stack, journal.id, { concurrency: 1 });
  await registerPartner(
    stack,
    await tokenOf(librarianId),
    partnerInput(
      {
        issuer: 'https://idp.pesisir.example',
        jwksUri: 'https://idp.pesisir.example/jwks',
        audience: 'pustaka',
      },
      { id: partnerId, name: 'Universitas Pesisir' },
    ),
  );

  // ---- 2 March: the library's patrons ----
  expect((await borrow(alpha.id, a)).status).toBe(201); // loan 1
  expect((await access(alpha.id, await tokenOf(a))).status).toBe(200); // Alpha request 1
  at('2026-03-02T09:00:10Z');
  expect((await access(alpha.id, await tokenOf(a))).status).toBe(200); // 10 s later: a double click, not counted
  at('2026-03-02T09:05:00Z');
  expect((await borrow(alpha.id, b)).status).toBe(409); // no free copy: Limit_Exceeded (library)
  expect((await borrow(delta.id, b)).status).toBe(409); // no licence: No_License (library)
  expect((await hold(alpha.id, b)).status).toBe(201); // Alpha: two holds on one copy
  expect((await hold(alpha.id, c)).status).toBe(201);

  // ---- 3 March: the partner's members, and the library's patron again ----
  at('2026-03-03T10:00:00Z');
  expect((await access(journal.id, await memberToken('m1'))).status).toBe(200); // Journal request (partner)
  expect((await access(journal.id, await memberToken('m2'))).status).toBe(409); // the one slot taken: Limit_Exceeded
  expect((await access(journal.id, await memberToken('m3', ['other']))).status).toBe(403); // No_License
  expect((await access(alpha.id, await tokenOf(a))).status).toBe(200); // Alpha request 2

  // ---- 1 April ----
  at('2026-04-01T08:00:00Z');
  expect((await borrow(beta.id, b)).status).toBe(201); // loan 2
  expect((await access(beta.id, await tokenOf(b))).status).toBe(200); // Beta request 1

  at('2026-04-02T12:00:00Z');
}, 120_000);

afterAll(async () => {
  await stack?.destroy();
});

describe('GET /admin/dashboard over the scripted use', () => {
  let body: Dashboard;
  beforeAll(async () => {
    const response = await dashboard('?from=2026-03-01&to=2026-04-02');
    body = (await response.json()) as Dashboard;
    expect(response.status, JSON.stringify(body)).toBe(200);
  });

  it('counts loans and requests per day (every day of the period) and per month', () => {
    expect([body.from, body.to, body.perDay.length]).toEqual(['2026-03-01', '2026-04-02', 33]);
    expect(body.perDay.filter((d) => d.loans || d.requests)).toEqual([
      { day: '2026-03-02', loans: 1, requests: 1 },
      { day: '2026-03-03', loans: 0, requests: 2 },
      { day: '2026-04-01', loans: 1, requests: 1 },
    ]);
    expect(body.perMonth).toEqual([
      { month: '2026-03', loans: 1, requests: 3 },
      { month: '2026-04', loans: 1, requests: 1 },
    ]);
  });

  it('lists the denials of both kinds per title, most first', () => {
    expect(body.denials).toEqual([
      { titleId: journal.id, title: 'Partner Journal', limitExceeded: 1, noLicense: 1, total: 2 },
      { titleId: alpha.id, title: 'Alpha Book', limitExceeded: 1, noLicense: 0, total: 1 },
      { titleId: delta.id, title: 'Delta Book', limitExceeded: 0, noLicense: 1, total: 1 },
    ]);
  });

  it('gives the holds per copy of titles with a queue now', () => {
    expect(body.holdsPerCopy).toEqual([
      { titleId: alpha.id, title: 'Alpha Book', holds: 2, copies: 1, ratio: 2 },
    ]);
  });

  it('ranks the titles and breaks use down by language, subject, format and institution', () => {
    expect(body.topTitles).toEqual([
      { titleId: alpha.id, title: 'Alpha Book', requests: 2, investigations: 2, loans: 1 },
      { titleId: beta.id, title: 'Beta Book', requests: 1, investigations: 1, loans: 1 },
      { titleId: journal.id, title: 'Partner Journal', requests: 1, investigations: 1, loans: 0 },
    ]);
    expect(body.byLanguage).toEqual([
      { key: 'en', requests: 2, investigations: 2, loans: 1 },
      { key: 'id', requests: 2, investigations: 2, loans: 1 },
    ]);
    expect(body.bySubject).toEqual([
      { key: 'Sejarah', requests: 2, investigations: 2, loans: 1 },
      { key: 'Sains', requests: 1, investigations: 1, loans: 1 },
      { key: 'Partner Collection', requests: 1, investigations: 1, loans: 0 },
    ]);
    expect(body.byFormat).toEqual([
      { key: 'epub', requests: 2, investigations: 2, loans: 1 },
      { key: 'pdf', requests: 2, investigations: 2, loans: 1 },
    ]);
    expect(body.byInstitution).toEqual([
      {
        institution: 'library',
        name: libraryInstitutionName,
        requests: 3,
        investigations: 3,
        loans: 2,
        denials: 2,
      },
      {
        institution: partnerId,
        name: 'Universitas Pesisir',
        requests: 1,
        investigations: 1,
        loans: 0,
        denials: 2,
      },
    ]);
  });

  it('a shorter period counts only its own days', async () => {
    const response = await dashboard('?from=2026-03-03&to=2026-03-03');
    const day = (await response.json()) as Dashboard;
    expect(day.perDay).toEqual([{ day: '2026-03-03', loans: 0, requests: 2 }]);
    expect(day.denials.map((d) => [d.title, d.total])).toEqual([['Partner Journal', 2]]);
  });

  it('keeps only counts: no patron or member id is stored with the daily figures', async () => {
    const daily = (await scanTable(stack)).filter((item) => String(item.pk).startsWith('DAILYUSE#'));
    expect(daily).toHaveLength(5);
    const stored = JSON.stringify(daily);
    for (const id of [a, b, c, 'fm-m1', 'fm-m2', 'fm-m3']) expect(stored).not.toContain(id);
  });
});

describe('GET /admin/dashboard refusals', () => {
  it('refuses days that are not days, out of order, or over 366 of them, with stable codes', async () => {
    await expectProblem(await dashboard('?from=2026-04-02&to=2026-03-01'), 400, 'DASHBOARD_RANGE_INVALID');
    await expectProblem(await dashboard('?from=2026-02-30'), 400, 'DASHBOARD_RANGE_INVALID');
    await expectProblem(await dashboard('?from=yesterday'), 400, 'DASHBOARD_RANGE_INVALID');
    await expectProblem(await dashboard('?from=2025-01-01&to=2026-01-02'), 400, 'DASHBOARD_RANGE_TOO_LONG');
  });

  it('is for librarians only: a patron gets 403, no token 401', async () => {
    await expectProblem(await dashboard('', await tokenOf(a)), 403, 'FORBIDDEN');
    await expectProblem(await stack.app.request('/admin/dashboard'), 401, 'UNAUTHORIZED');
  });
});
