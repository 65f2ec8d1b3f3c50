import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageKeys } from '../../../functions/adapters/keys';
import { newLicence } from '../../../functions/domain/licence';
import type { Title } from '../../../functions/domain/title';
import { createApp } from '../../../functions/http/app';
import { bearer, createLibrarian, createPatron } from '../../helpers/auth';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle, partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/**
 * POST /titles/{id}/access for `partner` titles: a partner entitlement (federated token or campus range) opens
 * them without a loan, still capped by the licences' concurrency through reading slots.
 */

let stack: TestStack;
const partnerId = 'slots-u';
const campus = (sourceIp: string) => ({ event: { requestContext: { http: { sourceIp } } } });

async function memberToken(sub: string, entitlements = ['library']) {
  const { token } = await stack.deps.tokens.issue(
    { patronId: `fm-${sub}`, roles: [], partnerId, entitlements },
    { now: stack.deps.clock.now() },
  );
  return token;
}

const access = (title: Title, headers: Record<string, string> = {}, env?: unknown) =>
  stack.app.request(`/titles/${title.id}/access`, { method: 'POST', headers }, env);

async function counted(title: Title, metric: string): Promise<number> {
  const day = stack.deps.clock.now().toISOString().slice(0, 10);
  const { Item } = await stack.clients.documents.send(
    new GetCommand({ TableName: stack.config.TABLE_NAME, Key: usageKeys.counter(title.id, day, metric) }),
  );
  return Number(Item?.count ?? 0);
}

async function withLicence(title: Title, concurrency: number | null, expires: string | null = null) {
  const licence = newLicence(
    `l-${randomUUID()}`,
    title.id,
    { concurrency, checkouts: null, expires, loanLength: null },
    stack.deps.clock.now(),
  );
  expect(await stack.deps.lending.addLicence(licence)).toBe(true);
}

beforeAll(async () => {
  stack = await createTestStack();
  const librarian = (await createLibrarian(stack)).accessToken;
  await registerPartner(
    stack,
    librarian,
    partnerInput(
      { issuer: 'https://idp.slots.edu', jwksUri: 'https://idp.slots.edu/jwks', audience: 'pustaka' },
      { id: partnerId, ipRanges: ['198.51.100.0/24'] },
    ),
  );
});

afterAll(async () => {
  await stack?.destroy();
});

describe('partner titles through POST /titles/{id}/access', () => {
  it('opens to an entitled member without a loan', async () => {
    const title = await createTitle(stack);
    const response = await access(title, bearer(await memberToken('a')));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ url: expect.stringContaining(title.contentKey) });
  });

  it('opens to a campus address without a token', async () => {
    const title = await createTitle(stack);
    expect((await access(title, {}, campus('198.51.100.20'))).status).toBe(200);
  });

  it('refuses a member without the entitlement, and a library patron, and counts No_License', async () => {
    const title = await createTitle(stack);
    await expectProblem(await access(title, bearer(await memberToken('b', ['other']))), 403, 'NOT_ENTITLED');
    await expectProblem(
      await access(title, bearer((await createPatron(stack)).accessToken)),
      403,
      'NOT_ENTITLED',
    );
    expect(await counted(title, 'No_License')).toBe(2);
  });

  it('asks an anonymous caller off campus to sign in', async () => {
    const title = await createTitle(stack);
    await expectProblem(await access(title, {}, campus('203.0.113.1')), 401, 'UNAUTHORIZED');
  });

  it('caps concurrent readers by the licence: the next reader is turned away (Limit_Exceeded), the same one renews', async () => {
    // Prepare: one concurrent reader allowed.
    const title = await createTitle(stack);
    await withLicence(title, 1);
    const first = await memberToken('first');
    // Act
    const a = await access(title, bearer(first));
    const b = await access(title, bearer(await memberToken('second')));
    const again = await access(title, bearer(first));
    // Assess
    expect(a.status).toBe(200);
    await expectProblem(b, 409, 'NO_COPY_AVAILABLE');
    expect(again.status).toBe(200);
    expect(await counted(title, 'Limit_Exceeded')).toBe(1);
  });

  it('frees a slot when its lease runs out', async () => {
    // Prepare: the same table, seen by an app whose clock is one link lifetime ahead.
    const title = await createTitle(stack);
    await withLicence(title, 1);
    expect((await access(title, bearer(await memberToken('early')))).status).toBe(200);
    const later = new Date(stack.deps.clock.now().getTime() + (stack.config.LINK_TTL_SECONDS + 1) * 1000);
    const laterApp = createApp({ ...stack.deps, clock: { now: () => later } });
    const token = await memberToken('later');
    // Act
    const response = await laterApp.request(`/titles/${title.id}/access`, {
      method: 'POST',
      headers: bearer(token),
    });
    // Assess
    expect(response.status).toBe(200);
  });

  it('counts a partner title whose only licence has expired as No_License', async () => {
    const title = await createTitle(stack);
    await withLicence(title, 3, '2020-01-01T00:00:00Z');
    await expectProblem(await access(title, bearer(await memberToken('c'))), 409, 'NO_COPY_AVAILABLE');
    expect(await counted(title, 'No_License')).toBe(1);
  });

  it('campus access does not make a signed-in patron: a licensed title still asks to sign in', async () => {
    const title = await createTitle(stack, { access: 'licensed' });
    await expectProblem(await access(title, {}, campus('198.51.100.20')), 401, 'UNAUTHORIZED');
  });
});
