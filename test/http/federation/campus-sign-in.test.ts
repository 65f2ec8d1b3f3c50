import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampusFlowSealer } from '../../../functions/adapters/campus-flows';
import { filePseudonymSecret } from '../../../functions/adapters/pseudonyms';
import type { CampusFlow } from '../../../functions/domain/campus-sign-in';
import { demoMembers } from '../../../functions/local/campus-idp';
import { bearer, createLibrarian, json } from '../../helpers/auth';
import {
  campusPartnerInput,
  signInAtIdp,
  startTestCampusIdp,
  type TestCampusIdp,
} from '../../helpers/campus-idp';
import { expectProblem } from '../../helpers/problem';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { closedPortEndpoint, startSilentServer, type SilentServer } from '../../helpers/unresponsive';
import { createTitle } from './fixtures';

/**
 * Campus sign-in (OpenID Connect, code + PKCE) against the in-process demo provider (oidc-provider): the whole
 * flow at the HTTP level, and each way it can go wrong.
 */

const publicUrl = 'https://pustaka.test';
const redirectUri = `${publicUrl}/auth/oidc/callback`;
const timeoutMs = 1_000;
const [lecturer, student] = demoMembers as [(typeof demoMembers)[0], (typeof demoMembers)[0]];

let stack: TestStack;
let librarian: string;
let alfa: TestCampusIdp;
let beta: TestCampusIdp;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  stack = await createTestStack({ env: { PUBLIC_API_URL: publicUrl, JWKS_TIMEOUT_MS: String(timeoutMs) } });
  librarian = (await createLibrarian(stack)).accessToken;
  alfa = await startTestCampusIdp({ redirectUri, name: 'Universitas Alfa' });
  beta = await startTestCampusIdp({ redirectUri, name: 'Institut Beta' });
  opened.push(alfa, beta);
  await register(campusPartnerInput(alfa, 'alfa'));
  await register(campusPartnerInput(beta, 'beta'));
});

afterAll(async () => {
  await Promise.all(opened.map((server) => server.close()));
  await stack?.destroy();
});

async function register(input: Record<string, unknown>) {
  const response = await stack.app.request('/admin/partners', json('POST', input, bearer(librarian)));
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Record<string, unknown>;
}

/** GET /auth/oidc/{id}/start: the authorization URL and the flow cookie's value. */
async function start(partnerId: string, returnPath?: string) {
  const query = returnPath === undefined ? '' : `?return=${encodeURIComponent(returnPath)}`;
  const response = await stack.app.request(`/auth/oidc/${partnerId}/start${query}`);
  expect(response.status, await response.clone().text()).toBe(302);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = /pustaka_campus_flow=([^;]+)/.exec(setCookie)?.[1];
  expect(cookie).toBeDefined();
  return { authorizationUrl: new URL(response.headers.get('location')!), cookie: cookie!, setCookie };
}

function callback(
  callbackUrl: string | URL,
  cookie: string | undefined,
  headers: Record<string, string> = {},
) {
  const search = new URL(callbackUrl).search;
  return stack.app.request(`/auth/oidc/callback${search}`, {
    headers: { ...headers, ...(cookie ? { cookie: `pustaka_campus_flow=${cookie}` } : {}) },
  });
}

/** The hand-off code from the app URL the callback redirects to. */
function handoffOf(response: Response): string {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(`${publicUrl}/`);
  expect(location.search).toBe('');
  const fragment = new URLSearchParams(location.hash.split('?')[1]);
  expect(location.hash.startsWith('#/signin/campus?')).toBe(true);
  return fragment.get('handoff')!;
}

const redeem = (handoff: string) => stack.app.request('/auth/oidc/session', json('POST', { handoff }));

const sealer = () => createCampusFlowSealer(filePseudonymSecret(stack.config.DATA_DIR));

async function reseal(cookie: string, change: Partial<CampusFlow>): Promise<string> {
  const flows = sealer();
  const flow = await flows.open(cookie, new Date());
  expect(flow).toBeDefined();
  return flows.seal({ ...flow!, ...change });
}

/** A started flow taken through the provider's login and consent: the callback URL and the flow cookie. */
async function throughProvider(
  partnerId: string,
  idp: TestCampusIdp,
  member = lecturer,
  decision: 'allow' | 'deny' = 'allow',
  returnPath?: string,
) {
  const { authorizationUrl, cookie } = await start(partnerId, returnPath);
  const callbackUrl = await signInAtIdp(authorizationUrl.href, idp, { ...member, decision });
  return { callbackUrl: new URL(callbackUrl), cookie };
}

describe('campus sign-in', () => {
  it('lists the institutions that offer it, by name', async () => {
    const response = await stack.app.request('/auth/oidc/partners');
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { id: string; name: string }[] };
    expect(data.filter((p) => ['alfa', 'beta'].includes(p.id))).toEqual([
      { id: 'beta', name: 'Institut Beta' },
      { id: 'alfa', name: 'Universitas Alfa' },
    ]);
  });

  it('signs a member in with code + PKCE S256, state and nonce, and hands over by a one-time code', async () => {
    // Prepare
    const title = await createTitle(stack);
    const { authorizationUrl, setCookie } = await start('alfa', `#/titles/${title.id}`);
    // Assess the request to the provider and the browser binding
    const params = authorizationUrl.searchParams;
    expect(authorizationUrl.origin).toBe(alfa.issuer);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(alfa.clientId);
    expect(params.get('redirect_uri')).toBe(redirectUri);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('scope')).toBe('openid eduperson');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/Path=\/auth\/oidc/);
    expect(setCookie).toMatch(/Max-Age=600/);

    // Act: the member signs in at the university and comes back
    const { callbackUrl, cookie } = await throughProvider(
      'alfa',
      alfa,
      lecturer,
      'allow',
      `#/titles/${title.id}`,
    );
    expect(callbackUrl.searchParams.get('iss')).toBe(alfa.issuer);
    const back = await callback(callbackUrl, cookie);
    const handoff = handoffOf(back);
    // No token in the URL, and the flow cookie is gone
    expect(back.headers.get('location')).not.toMatch(/eyJ|access|token/i);
    expect(back.headers.get('set-cookie')).toMatch(/pustaka_campus_flow=;.*Max-Age=0/);

    const redeemed = await redeem(handoff);
    const session = (await redeemed.json()) as Record<string, unknown> & { accessToken: string };
    expect(redeemed.status, JSON.stringify(session)).toBe(200);
    expect(session).toMatchObject({
      partnerId: 'alfa',
      partnerName: 'Universitas Alfa',
      entitlements: ['library-terms'],
      returnPath: `#/titles/${title.id}`,
    });
    // A pseudonym, never the university's username
    expect(decodeJwt(session.accessToken).sub).toMatch(/^fm-/);
    // Reads an entitled partner title with it
    const read = await stack.app.request(`/titles/${title.id}/access`, {
      method: 'POST',
      headers: bearer(session.accessToken),
    });
    expect(read.status).toBe(200);
    // The hand-off works once
    await expectProblem(await redeem(handoff), 401, 'CAMPUS_SIGN_IN_EXPIRED');
  });

  it('refuses a member whose university grants no entitlement, and signs nobody in', async () => {
    const { callbackUrl, cookie } = await throughProvider('alfa', alfa, student);
    await expectProblem(await callback(callbackUrl, cookie), 401, 'NOT_ENTITLED');
  });

  it('refuses a tampered state, a tampered or missing flow cookie', async () => {
    const { callbackUrl, cookie } = await throughProvider('alfa', alfa);
    const otherState = new URL(callbackUrl);
    otherState.searchParams.set('state', 'x' + callbackUrl.searchParams.get('state'));
    await expectProblem(await callback(otherState, cookie), 400, 'CAMPUS_STATE_INVALID');
    // One character of the signed value changed (to another one, whatever it was).
    const flipped = cookie.slice(0, -2) + (cookie.at(-2) === 'A' ? 'B' : 'A') + cookie.slice(-1);
    expect(flipped).not.toBe(cookie);
    await expectProblem(await callback(callbackUrl, flipped), 400, 'CAMPUS_STATE_INVALID');
    await expectProblem(await callback(callbackUrl, undefined), 400, 'CAMPUS_STATE_INVALID');
  });

  it('refuses a flow without its PKCE verifier, and the provider refuses another verifier', async () => {
    const first = await throughProvider('alfa', alfa);
    const withoutVerifier = await reseal(first.cookie, { codeVerifier: '' });
    await expectProblem(await callback(first.callbackUrl, withoutVerifier), 400, 'CAMPUS_STATE_INVALID');

    const second = await throughProvider('alfa', alfa);
    const otherVerifier = await reseal(second.cookie, { codeVerifier: 'A'.repeat(43) });
    await expectProblem(await callback(second.callbackUrl, otherVerifier), 400, 'CAMPUS_CODE_REJECTED');
  });

  it('refuses an ID token with another nonce', async () => {
    const { callbackUrl, cookie } = await throughProvider('alfa', alfa);
    const wrongNonce = await reseal(cookie, { nonce: 'not-the-nonce-that-was-sent' });
    await expectProblem(await callback(callbackUrl, wrongNonce), 401, 'CAMPUS_ID_TOKEN_INVALID');
  });

  it('refuses a replayed callback (the same code twice)', async () => {
    const { callbackUrl, cookie } = await throughProvider('alfa', alfa);
    handoffOf(await callback(callbackUrl, cookie));
    await expectProblem(await callback(callbackUrl, cookie), 400, 'CAMPUS_CODE_REPLAYED');
    // With a fresh flow of its own, an old code does not match the new state either
    const fresh = await start('alfa');
    await expectProblem(await callback(callbackUrl, fresh.cookie), 400, 'CAMPUS_STATE_INVALID');
  });

  it('refuses a response or an ID token from another registered partner (mix-up)', async () => {
    // The member is sent to Alfa, but a response from Beta comes back (its code and iss, Alfa's state)
    const atAlfa = await start('alfa');
    const atBeta = await throughProvider('beta', beta);
    const mixed = new URL(atBeta.callbackUrl);
    mixed.searchParams.set('state', atAlfa.authorizationUrl.searchParams.get('state')!);
    expect(mixed.searchParams.get('iss')).toBe(beta.issuer);
    await expectProblem(await callback(mixed, atAlfa.cookie), 401, 'CAMPUS_ISSUER_MISMATCH');
    // Without the iss parameter that Alfa promises (RFC 9207)
    const alfaFlow = await throughProvider('alfa', alfa);
    const withoutIss = new URL(alfaFlow.callbackUrl);
    withoutIss.searchParams.delete('iss');
    await expectProblem(await callback(withoutIss, alfaFlow.cookie), 401, 'CAMPUS_ISSUER_MISMATCH');

    // Alfa's token endpoint hands out an ID token Beta issued (for the same nonce)
    const betaFlow = await throughProvider('beta', beta);
    const betaSecrets = (await sealer().open(betaFlow.cookie, new Date()))!;
    const betaTokens = await fetch(`${beta.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${beta.clientId}:${beta.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: betaFlow.callbackUrl.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: betaSecrets.codeVerifier,
      }),
    }).then((r) => r.json() as Promise<{ id_token: string }>);
    expect(decodeJwt(betaTokens.id_token).iss).toBe(beta.issuer);
    const alfaAgain = await throughProvider('alfa', alfa);
    const sameNonce = await reseal(alfaAgain.cookie, { nonce: betaSecrets.nonce });
    alfa.rewriteTokenResponse = async (body) => ({ ...body, id_token: betaTokens.id_token });
    try {
      await expectProblem(await callback(alfaAgain.callbackUrl, sameNonce), 401, 'CAMPUS_ISSUER_MISMATCH');
    } finally {
      alfa.rewriteTokenResponse = undefined;
    }
  });

  it('answers a denied consent with 403, and sends a browser to the app’s page for it', async () => {
    const denied = await throughProvider('alfa', alfa, lecturer, 'deny');
    expect(denied.callbackUrl.searchParams.get('error')).toBe('access_denied');
    await expectProblem(await callback(denied.callbackUrl, denied.cookie), 403, 'CAMPUS_CONSENT_DENIED');

    const again = await throughProvider('alfa', alfa, lecturer, 'deny');
    const page = await callback(again.callbackUrl, again.cookie, { accept: 'text/html,*/*;q=0.8' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`${publicUrl}/#/signin/campus?error=CAMPUS_CONSENT_DENIED`);
  });

  it('refuses a suspended partner at the start and at the callback', async () => {
    const gamma = await startTestCampusIdp({ redirectUri, name: 'Politeknik Gamma' });
    opened.push(gamma);
    await register(campusPartnerInput(gamma, 'gamma'));
    const started = await throughProvider('gamma', gamma);
    const suspend = await stack.app.request(
      '/admin/partners/gamma',
      json('PATCH', { status: 'suspended' }, bearer(librarian)),
    );
    expect(suspend.status).toBe(200);
    await expectProblem(await callback(started.callbackUrl, started.cookie), 403, 'PARTNER_SUSPENDED');
    await expectProblem(await stack.app.request('/auth/oidc/gamma/start'), 403, 'PARTNER_SUSPENDED');
    const listed = (await (await stack.app.request('/auth/oidc/partners')).json()) as {
      data: { id: string }[];
    };
    expect(listed.data.map((p) => p.id)).not.toContain('gamma');
  });

  it('answers 503 PARTNER_UNAVAILABLE within the timeout when the provider is down or never answers', async () => {
    // Prepare: one provider on a closed port, one that accepts connections and stays silent
    const closed = await closedPortEndpoint();
    const silent: SilentServer = await startSilentServer();
    opened.push(silent);
    const fake = { clientId: 'pustaka', clientSecret: 'x'.repeat(24), redirectUri } as TestCampusIdp;
    await register(
      campusPartnerInput({ ...fake, name: 'Down', issuer: closed, jwksUri: `${closed}/jwks` }, 'down'),
    );
    await register(
      campusPartnerInput(
        { ...fake, name: 'Slow', issuer: silent.endpoint, jwksUri: `${silent.endpoint}/j` },
        'slow',
      ),
    );
    for (const partnerId of ['down', 'slow']) {
      // Act
      const started = performance.now();
      const response = await stack.app.request(`/auth/oidc/${partnerId}/start`);
      const elapsed = performance.now() - started;
      // Assess
      await expectProblem(response, 503, 'PARTNER_UNAVAILABLE');
      expect(elapsed).toBeLessThan(timeoutMs + 1_500);
    }
    expect(silent.connections).toBeGreaterThan(0);

    // A provider that goes down between the start and the callback
    const delta = await startTestCampusIdp({ redirectUri, name: 'Sekolah Tinggi Delta' });
    await register(campusPartnerInput(delta, 'delta'));
    const flow = await throughProvider('delta', delta);
    await delta.close();
    const started = performance.now();
    await expectProblem(await callback(flow.callbackUrl, flow.cookie), 503, 'PARTNER_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(timeoutMs + 1_500);
  });

  it('takes app-relative return paths only, and the redirect URI is exact', async () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example/x',
      '#//evil.example',
      '#/\\evil.example',
      '/titles/t-1',
      'javascript:alert(1)',
      '#/ spaced',
    ]) {
      await expectProblem(
        await stack.app.request(`/auth/oidc/alfa/start?return=${encodeURIComponent(bad)}`),
        400,
        'INVALID_RETURN_PATH',
      );
    }
    // A redirect_uri of the caller's choosing is ignored: the one registered is always sent
    const chosen = await stack.app.request(
      `/auth/oidc/alfa/start?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    );
    expect(new URL(chosen.headers.get('location')!).searchParams.get('redirect_uri')).toBe(redirectUri);
    // And the provider refuses any other redirect URI than the exact one registered
    const { authorizationUrl } = await start('alfa');
    for (const other of [
      `${redirectUri}/`,
      `${redirectUri}?next=x`,
      'https://evil.example/auth/oidc/callback',
    ]) {
      const url = new URL(authorizationUrl);
      url.searchParams.set('redirect_uri', other);
      const answer = await fetch(url, { redirect: 'manual' });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
    }
  });

  it('refuses to start for an unknown partner or one without campus sign-in', async () => {
    await expectProblem(
      await stack.app.request('/auth/oidc/nobody/start'),
      404,
      'CAMPUS_SIGN_IN_NOT_OFFERED',
    );
    await expectProblem(await redeem('A'.repeat(43)), 401, 'CAMPUS_SIGN_IN_EXPIRED');
  });
});
