import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingUsageRecorder, DynamoCounterStore } from '../../functions/adapters/counter-store';
import { DynamoSushiCredentials } from '../../functions/adapters/sushi-credentials';
import { DynamoUsageRecorder } from '../../functions/adapters/usage-recorder';
import type { CounterReport } from '../../functions/domain/counter';
import { createApp } from '../../functions/http/app';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { FakeClock } from '../helpers/clock';
import { addTitle } from '../helpers/lending';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';

/**
 * The COUNTER API's credentials and exceptions (Appendix D): each failure is one COUNTER Exception object with
 * the status COUNTER gives it; warnings ride in the report header with 200. And the librarians' side: issuing
 * (key shown once, stored hashed) and revoking credentials.
 */

let stack: TestStack;
const clock = new FakeClock('2026-01-20T10:00:00.000Z');
let librarianId: string;
let credential: { customerId: string; requestorId: string; apiKey: string };

async function librarian() {
  return bearer(
    (
      await stack.deps.tokens.issue(
        { patronId: librarianId, roles: ['patron', 'librarian'] },
        { now: clock.now() },
      )
    ).token,
  );
}
const issue = async (body: unknown) =>
  stack.app.request('/admin/counter/credentials', json('POST', body, await librarian()));
const sushi = (path: string, query: Record<string, string>) =>
  stack.app.request(`/sushi/r51/${path}?${new URLSearchParams(query)}`);
const creds = () => ({
  customer_id: credential.customerId,
  requestor_id: credential.requestorId,
  api_key: credential.apiKey,
});

const unreachable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'TimeoutError' });

/** A second client to the same table whose calls are scripted (nothing reaches a network). */
function faultyClient() {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  return { client, mock: mockClient(client) };
}

async function expectException(response: Response, status: number, code: number, message: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ Code: code, Message: message });
  // Exactly COUNTER's Exception: no problem+json members.
  expect(Object.keys(body).every((k) => ['Code', 'Message', 'Data', 'Help_URL'].includes(k))).toBe(true);
  return body;
}

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  librarianId = (await createLibrarian(stack)).patron.id;
  const response = await issue({ customerId: 'library', label: 'Consortium ERM' });
  credential = (await response.json()) as typeof credential;
  expect(response.status).toBe(201);
  // Some use in December 2025, so reports of December have items.
  clock.set('2025-12-03T10:00:00Z');
  const title = await addTitle(stack, { title: 'Open Book', access: 'open', published: '2024' });
  const patron = await createPatron(stack);
  expect(
    (
      await stack.app.request(`/titles/${title.id}/access`, {
        method: 'POST',
        headers: bearer(patron.accessToken),
      })
    ).status,
  ).toBe(200);
  clock.set('2026-01-20T10:00:00Z');
});

afterAll(async () => {
  await stack?.destroy();
});

describe('issuing and revoking SUSHI credentials', () => {
  it('shows the api_key once and stores only its hash', async () => {
    // Prepare
    const response = await issue({ customerId: 'library', label: 'ERM two' });
    const body = (await response.json()) as typeof credential & { label: string; createdBy: string };
    // Act
    const list = (await (
      await stack.app.request('/admin/counter/credentials', { headers: await librarian() })
    ).json()) as { data: Record<string, unknown>[]; institutions: { id: string; name: string }[] };
    // Assess
    expect(response.status).toBe(201);
    expect(body).toMatchObject({ customerId: 'library', label: 'ERM two', createdBy: librarianId });
    expect(body.apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(list.data.map((c) => c.requestorId)).toContain(body.requestorId);
    expect(JSON.stringify(list)).not.toContain(body.apiKey);
    expect(list.institutions).toContainEqual({ id: 'library', name: 'Perpustakaan Kota Nusantara' });
    const stored = JSON.stringify(await scanTable(stack));
    expect(stored).not.toContain(body.apiKey);
    expect(stored).toContain(body.requestorId);
    const audit = (await (
      await stack.app.request('/admin/audit?action=counter.credential.issue', { headers: await librarian() })
    ).json()) as { data: { actor: string; outcome: string; details?: Record<string, unknown> }[] };
    expect(audit.data).toContainEqual(
      expect.objectContaining({
        actor: librarianId,
        outcome: 'succeeded',
        details: { customerId: 'library', label: 'ERM two' },
      }),
    );
    expect(JSON.stringify(audit)).not.toContain(body.apiKey);
  });

  it('refuses an unknown institution with a 400 naming the field', async () => {
    const problem = await expectProblem(
      await issue({ customerId: 'nowhere', label: 'x' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(problem.detail).toContain('nowhere');
  });

  it('is librarian-only', async () => {
    const patron = await createPatron(stack);
    const response = await stack.app.request(
      '/admin/counter/credentials',
      json('POST', { customerId: 'library', label: 'x' }, bearer(patron.accessToken)),
    );
    await expectProblem(response, 403, 'FORBIDDEN');
  });

  it('revoking stops harvesting at once; revoking again is a 404', async () => {
    // Prepare
    const issued = (await (
      await issue({ customerId: 'library', label: 'short-lived' })
    ).json()) as typeof credential;
    const query = { customer_id: 'library', requestor_id: issued.requestorId, api_key: issued.apiKey };
    expect((await sushi('members', query)).status).toBe(200);
    // Act
    const revoked = await stack.app.request(`/admin/counter/credentials/${issued.requestorId}`, {
      method: 'DELETE',
      headers: await librarian(),
    });
    // Assess
    expect(revoked.status).toBe(204);
    await expectException(
      await sushi('members', query),
      401,
      2000,
      'Requestor Not Authorized to Access Service',
    );
    const again = await stack.app.request(`/admin/counter/credentials/${issued.requestorId}`, {
      method: 'DELETE',
      headers: await librarian(),
    });
    await expectProblem(again, 404, 'SUSHI_CREDENTIAL_NOT_FOUND');
  });
});

describe('/sushi/r51 paths', () => {
  it('/status is public and says the service is active', async () => {
    const response = await stack.app.request('/sushi/r51/status');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        Description: 'Pustaka COUNTER_SUSHI API, Release 5.1',
        Service_Active: true,
        Registry_Record: '',
        Alerts: [],
      },
    ]);
  });

  it('/members answers the customer itself', async () => {
    const response = await sushi('members', creds());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        Customer_ID: 'library',
        Requestor_ID: credential.requestorId,
        Name: 'Perpustakaan Kota Nusantara',
        Institution_ID: { Proprietary: ['Pustaka:library'] },
      },
    ]);
  });

  it('/reports lists the eleven reports with the months available', async () => {
    const response = await sushi('reports', creds());
    const body = (await response.json()) as Record<string, string>[];
    expect(response.status).toBe(200);
    expect(body.map((r) => r.Report_ID)).toEqual([
      'PR',
      'PR_P1',
      'DR',
      'DR_D1',
      'DR_D2',
      'TR',
      'TR_B1',
      'TR_B2',
      'TR_B3',
      'TR_J1',
      'TR_J3',
    ]);
    expect(body.find((r) => r.Report_ID === 'TR_B1')).toEqual({
      Report_Name: 'Book Requests (Controlled)',
      Report_ID: 'TR_B1',
      Release: '5.1',
      Report_Description: 'Requests of licensed books.',
      Path: '/sushi/r51/reports/tr_b1',
      First_Month_Available: '2025-12',
      Last_Month_Available: '2025-12',
    });
  });

  it('an unknown report is a 404', async () => {
    expect(
      (await sushi('reports/tr_x9', { ...creds(), begin_date: '2025-12', end_date: '2025-12' })).status,
    ).toBe(404);
  });
});

describe('exceptions with their HTTP statuses', () => {
  const dates = { begin_date: '2025-12', end_date: '2025-12' };

  it.each([
    ['no credentials at all', {}, 400, 1030, 'Insufficient Information to Process Request'],
    [
      'no api_key',
      { customer_id: 'library', requestor_id: 'r' },
      400,
      1030,
      'Insufficient Information to Process Request',
    ],
    [
      'an unknown requestor_id',
      { customer_id: 'library', requestor_id: 'nobody', api_key: 'k' },
      401,
      2000,
      'Requestor Not Authorized to Access Service',
    ],
    [
      'The World',
      { customer_id: '0000000000000000', requestor_id: 'r', api_key: 'k' },
      403,
      2011,
      'Global Reports Not Supported',
    ],
  ] as const)('%s', async (_, query, status, code, message) => {
    for (const path of ['members', 'reports', 'reports/tr_b1']) {
      await expectException(await sushi(path, { ...query, ...dates }), status, code, message);
    }
  });

  it('a wrong api_key: 2020 APIKey Invalid, 401', async () => {
    await expectException(
      await sushi('reports/tr_b1', { ...creds(), api_key: `${credential.apiKey}x`, ...dates }),
      401,
      2020,
      'APIKey Invalid',
    );
  });

  it('another institution’s customer_id: 2010, 403', async () => {
    await expectException(
      await sushi('reports/tr_b1', { ...creds(), customer_id: 'other', ...dates }),
      403,
      2010,
      'Requestor is Not Authorized to Access Usage for Institution',
    );
  });

  it.each([
    ['missing end_date', { begin_date: '2025-12' }, 400, 1030],
    ['a date that is not one', { begin_date: '2025-13', end_date: '2025-12' }, 400, 3020],
    ['end before begin', { begin_date: '2025-12', end_date: '2025-11' }, 400, 3020],
    ['begin in the current month', { begin_date: '2026-01', end_date: '2026-01' }, 400, 3020],
  ] as const)('%s', async (_, query, status, code) => {
    await expectException(
      await sushi('reports/tr_b3', { ...creds(), ...query }),
      status,
      code,
      expect.any(String) as never,
    );
  });

  it('an end_date in the current month: served up to last month, with 3031 in the header', async () => {
    const response = await sushi('reports/tr_b3', {
      ...creds(),
      begin_date: '2025-12',
      end_date: '2026-01-31',
    });
    const body = (await response.json()) as CounterReport;
    expect(response.status).toBe(200);
    expect(body.Report_Header.Report_Filters.End_Date).toBe('2025-12-31');
    expect(body.Report_Header.Exceptions).toEqual([
      expect.objectContaining({ Code: 3031, Message: 'Usage Not Ready for Requested Dates' }),
    ]);
    expect(body.Report_Items).toHaveLength(1);
  });

  it('no usage in the period: 200, 3030 and no items', async () => {
    const response = await sushi('reports/tr_b1', { ...creds(), begin_date: '2025-01', end_date: '2025-06' });
    const body = (await response.json()) as CounterReport;
    expect(response.status).toBe(200);
    expect(body.Report_Items).toEqual([]);
    expect(body.Report_Header.Exceptions).toEqual([
      {
        Code: 3030,
        Message: 'No Usage Available for Requested Dates',
        Data: 'No usage from 2025-01-01 to 2025-06-30.',
      },
    ]);
  });

  it('a parameter the view does not take: 3050, and the view unchanged', async () => {
    const response = await sushi('reports/tr_b3', {
      ...creds(),
      ...dates,
      metric_type: 'Total_Item_Requests',
    });
    const body = (await response.json()) as CounterReport;
    expect(body.Report_Header.Exceptions).toEqual([
      { Code: 3050, Message: 'Parameter Not Recognized in this Context', Data: 'metric_type' },
    ]);
    expect(body.Report_Header.Report_Filters.Metric_Type).toHaveLength(6);
  });

  it('an unsupported filter value and attribute on the master report: 3060 and 3062, ignored', async () => {
    const response = await sushi('reports/tr', {
      ...creds(),
      ...dates,
      metric_type: 'Total_Item_Requests|Bogus_Metric',
      attributes_to_show: 'YOP|Colour',
    });
    const body = (await response.json()) as CounterReport;
    expect(response.status).toBe(200);
    expect(body.Report_Header.Exceptions).toEqual([
      { Code: 3060, Message: 'Invalid ReportFilter Value', Data: 'metric_type=Bogus_Metric' },
      { Code: 3062, Message: 'Invalid ReportAttribute Value', Data: 'attributes_to_show=Colour' },
    ]);
    expect(body.Report_Header.Report_Filters.Metric_Type).toEqual(['Total_Item_Requests']);
    expect(body.Report_Header.Report_Attributes).toEqual({ Attributes_To_Show: ['YOP'] });
  });

  it('the table unreachable: 1000 Service Not Available, 503 with Retry-After', async () => {
    // Prepare
    const { mock, client } = faultyClient();
    mock.on(GetCommand).rejects(unreachable());
    const app = createApp({
      ...stack.deps,
      sushiCredentials: new DynamoSushiCredentials(client, stack.config.TABLE_NAME),
    });
    // Act
    const response = await app.request(
      `/sushi/r51/reports/tr_b1?${new URLSearchParams({ ...creds(), ...dates })}`,
    );
    // Assess
    await expectException(response, 503, 1000, 'Service Not Available');
    expect(response.headers.get('retry-after')).toEqual(expect.any(String));
  });
});

describe('counting never fails a patron’s request', () => {
  it('a link is issued, and a search answered, when no counter can be written', async () => {
    // Prepare
    const title = await addTitle(stack, { title: 'Still Readable', access: 'open' });
    const { mock, client } = faultyClient();
    mock.on(UpdateCommand).rejects(unreachable());
    const counter = new DynamoCounterStore(client, stack.config.TABLE_NAME);
    const app = createApp({
      ...stack.deps,
      counter,
      usage: new CountingUsageRecorder(new DynamoUsageRecorder(client, stack.config.TABLE_NAME), counter),
    });
    // Act
    const link = await app.request(`/titles/${title.id}/access`, { method: 'POST' });
    const search = await app.request('/titles?q=readable');
    // Assess
    expect(link.status).toBe(200);
    expect(search.status).toBe(200);
    expect(mock.commandCalls(UpdateCommand).length).toBeGreaterThan(0);
  });
});
