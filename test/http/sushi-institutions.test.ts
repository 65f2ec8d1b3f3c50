import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterReport } from '../../functions/domain/counter';
import { bearer, createLibrarian, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addTitle } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';
import { partnerInput, registerPartner } from './federation/fixtures';

/**
 * Usage is reported per institution: a partner's members under the partner's customer_id, the library's
 * patrons under the library's; each harvester sees its own institution only. And the 30-second rule and
 * month boundaries, on the controlled clock.
 */

let stack: TestStack;
const clock = new FakeClock('2026-01-31T23:59:00.000Z');
let librarianId: string;
let titleId: string;

async function credentialFor(customerId: string) {
  const token = (
    await stack.deps.tokens.issue(
      { patronId: librarianId, roles: ['patron', 'librarian'] },
      { now: clock.now() },
    )
  ).token;
  const response = await stack.app.request(
    '/admin/counter/credentials',
    json('POST', { customerId, label: `ERM of ${customerId}` }, bearer(token)),
  );
  expect(response.status).toBe(201);
  const body = (await response.json()) as { customerId: string; requestorId: string; apiKey: string };
  return { customer_id: body.customerId, requestor_id: body.requestorId, api_key: body.apiKey };
}

async function tr(credential: Record<string, string>) {
  const query = new URLSearchParams({ ...credential, begin_date: '2026-01', end_date: '2026-02' });
  const response = await stack.app.request(`/sushi/r51/reports/tr?${query}&metric_type=Total_Item_Requests`);
  expect(response.status).toBe(200);
  return (await response.json()) as CounterReport;
}

const request = (user: string, institution: string) =>
  stack.deps.usage.record({
    titleId,
    metric: 'Total_Item_Requests',
    at: clock.now(),
    user,
    institution,
    accessType: 'Controlled',
  });

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarianId = (await createLibrarian(stack)).patron.id;
  titleId = (await addTitle(stack, { title: 'Shared Book', published: '2022' })).id;
  const token = (
    await stack.deps.tokens.issue(
      { patronId: librarianId, roles: ['patron', 'librarian'] },
      { now: clock.now() },
    )
  ).token;
  await registerPartner(
    stack,
    token,
    partnerInput(
      { issuer: 'https://idp.uni.example', jwksUri: 'https://idp.uni.example/jwks', audience: 'pustaka' },
      { id: 'uni', name: 'Universitas Contoh' },
    ),
  );
  // A member of the partner at 23:59:00, again 29 s later (a double click) and 31 s after that (counted).
  await request('patron:member-1', 'uni');
  clock.advance(29_000);
  await request('patron:member-1', 'uni');
  clock.advance(31_000); // 2026-02-01T00:00:00Z: the next month
  await request('patron:member-1', 'uni');
  // A library patron, once in January.
  clock.set('2026-01-31T23:59:30.000Z');
  await request('patron:reader-1', 'library');
  clock.set('2026-03-02T09:00:00.000Z');
});

afterAll(async () => {
  await stack?.destroy();
});

describe('per institution', () => {
  it('the partner’s harvester sees its members’ use: the 29 s repeat dropped, the 31 s one in February', async () => {
    const report = await tr(await credentialFor('uni'));
    expect(report.Report_Header.Institution_Name).toBe('Universitas Contoh');
    expect(report.Report_Header.Institution_ID).toEqual({ Proprietary: ['Pustaka:uni'] });
    expect(report.Report_Items.map((i) => i.Attribute_Performance[0]!.Performance)).toEqual([
      { Total_Item_Requests: { '2026-01': 1, '2026-02': 1 } },
    ]);
  });

  it('the library’s harvester sees only the library’s patrons', async () => {
    const report = await tr(await credentialFor('library'));
    expect(report.Report_Items.map((i) => i.Attribute_Performance[0]!.Performance)).toEqual([
      { Total_Item_Requests: { '2026-01': 1 } },
    ]);
  });

  it('a partner’s credential cannot ask for the library: 2010', async () => {
    const credential = await credentialFor('uni');
    const query = new URLSearchParams({
      ...credential,
      customer_id: 'library',
      begin_date: '2026-01',
      end_date: '2026-01',
    });
    const response = await stack.app.request(`/sushi/r51/reports/tr_b1?${query}`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { Code: number }).Code).toBe(2010);
  });
});
