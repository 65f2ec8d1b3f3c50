import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberSessionPolicy } from '../../../functions/domain/sign-in';
import { bearer, createLibrarian, json } from '../../helpers/auth';
import { fakeClock } from '../../helpers/clock';
import { startPartnerIdp, type PartnerIdp } from '../../helpers/partner-idp';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle, libTerms, partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/**
 * Partner members' sessions: POST /auth/federated gives a refresh token like POST /auth/login, and
 * POST /auth/refresh rotates it without a patron record, keeping the partner, the entitlements and the
 * pseudonym; reuse detection, logout, the partner's suspension and the session's absolute end all apply.
 */

interface MemberTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  partnerId: string;
  entitlements: string[];
}

const clock = fakeClock();
let stack: TestStack;
let idp: PartnerIdp;
let librarian: string;
let partnerId: string;

const entitled = { eduperson_entitlement: [libTerms] };
const refresh = (refreshToken: string) => stack.app.request('/auth/refresh', json('POST', { refreshToken }));
const logout = (refreshToken: string) => stack.app.request('/auth/logout', json('POST', { refreshToken }));

async function exchange(idpOf: PartnerIdp = idp, claims: Record<string, unknown> = entitled) {
  const response = await stack.app.request(
    '/auth/federated',
    json('POST', { assertion: await idpOf.sign(claims) }),
  );
  const body = (await response.json()) as MemberTokens;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

async function refreshed(refreshToken: string): Promise<MemberTokens> {
  const response = await refresh(refreshToken);
  const body = (await response.json()) as MemberTokens;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** A partner of its own, so suspending it touches no other test. */
async function ownPartner() {
  const own = await startPartnerIdp({
    issuer: `https://idp-${crypto.randomUUID().slice(0, 6)}.example.edu`,
    now: () => clock.now(),
  });
  const { id } = await registerPartner(stack, librarian, partnerInput(own));
  return { own, id };
}

const patchPartner = (id: string, patch: Record<string, unknown>) =>
  stack.app.request(`/admin/partners/${id}`, json('PATCH', patch, bearer(librarian)));

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
  idp = await startPartnerIdp({ issuer: 'https://idp.partner.edu', now: () => clock.now() });
  librarian = (await createLibrarian(stack)).accessToken;
  partnerId = (await registerPartner(stack, librarian, partnerInput(idp))).id;
});

afterAll(async () => {
  await idp?.close();
  await stack?.destroy();
});

describe('refreshing a partner member’s session', () => {
  it('exchange gives a refresh token; refresh gives a new pair with the same partner, entitlements and pseudonym', async () => {
    // Prepare
    const title = await createTitle(stack);
    const first = await exchange();
    // Act
    const response = await refresh(first.refreshToken);
    // Assess
    expect(first.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const second = (await response.json()) as MemberTokens & { patron?: unknown };
    expect(second).toMatchObject({ partnerId, entitlements: ['library'] });
    expect(second).not.toHaveProperty('patron');
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    const before = decodeJwt(first.accessToken);
    const after = decodeJwt(second.accessToken);
    expect(after).toMatchObject({ partner_id: partnerId, entitlements: ['library'], roles: [] });
    expect(after.sub).toBe(before.sub);
    expect(after.sid).toBeDefined();
    expect(after.sid).toBe(before.sid);
    const read = await stack.app.request(`/opds/publications/${title.id}/content`, {
      headers: bearer(second.accessToken),
    });
    expect(read.status).toBe(302);
    expect((await refresh(second.refreshToken)).status).toBe(200);
  });

  it('reuse of a rotated refresh token revokes the family: the newest one fails too', async () => {
    // Prepare
    const first = await exchange();
    const second = await refreshed(first.refreshToken);
    // Act: the first token again (as a thief would)
    const reuse = await refresh(first.refreshToken);
    // Assess
    await expectProblem(reuse, 401, 'INVALID_REFRESH_TOKEN');
    await expectProblem(await refresh(second.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    // Another session of the same member is untouched
    const other = await exchange();
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('logout revokes the member’s session', async () => {
    // Prepare
    const session = await exchange();
    // Act
    const out = await logout(session.refreshToken);
    // Assess
    expect(out.status).toBe(204);
    await expectProblem(await refresh(session.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('is refused, and the session revoked, once the partner is suspended', async () => {
    // Prepare
    const { own, id } = await ownPartner();
    try {
      const session = await exchange(own);
      expect((await patchPartner(id, { status: 'suspended' })).status).toBe(200);
      // Act
      const response = await refresh(session.refreshToken);
      // Assess
      await expectProblem(response, 401, 'INVALID_REFRESH_TOKEN');
      expect((await patchPartner(id, { status: 'active' })).status).toBe(200);
      await expectProblem(await refresh(session.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    } finally {
      await own.close();
    }
  });

  it('drops entitlements the partner no longer defines, and refuses when none is left', async () => {
    // Prepare
    const { own, id } = await ownPartner();
    try {
      const session = await exchange(own);
      const renamed = partnerInput(own).entitlementRules.map((rule) => ({ ...rule, entitlement: 'staff' }));
      expect((await patchPartner(id, { entitlementRules: renamed })).status).toBe(200);
      // Act
      const response = await refresh(session.refreshToken);
      // Assess
      await expectProblem(response, 401, 'INVALID_REFRESH_TOKEN');
    } finally {
      await own.close();
    }
  });

  it('ends a fixed time after the federated sign-in however often it is refreshed', async () => {
    // Prepare
    let tokens = await exchange();
    const step = 2 * 60 * 60 * 1000;
    // Act: refreshed every two hours until just before the end
    for (let elapsed = step; elapsed < memberSessionPolicy.maxSeconds * 1000; elapsed += step) {
      clock.advance(step);
      tokens = await refreshed(tokens.refreshToken);
    }
    clock.advance(step);
    // Assess
    await expectProblem(await refresh(tokens.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expect((await refresh((await exchange()).refreshToken)).status).toBe(200);
  });
});
