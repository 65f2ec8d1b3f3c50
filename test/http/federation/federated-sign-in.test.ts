import { base64url, decodeJwt, exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePseudonymSecretFile, pseudonymOf } from '../../../functions/adapters/pseudonyms';
import { bearer, createLibrarian, json } from '../../helpers/auth';
import { newKey, signWith, startPartnerIdp, type PartnerIdp } from '../../helpers/partner-idp';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle, libTerms, partnerInput, registerPartner } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/**
 * POST /auth/federated against test partner IdPs on 127.0.0.1 (allowed because the stack runs in local mode;
 * on AWS a JWKS must be https — see test/domain/federation/partner.test.ts).
 */

let stack: TestStack;
let idp: PartnerIdp;
let other: PartnerIdp;
let partnerId: string;
let librarian: string;

const entitled = { eduperson_entitlement: [libTerms] };
const exchange = (assertion: unknown) => stack.app.request('/auth/federated', json('POST', { assertion }));

beforeAll(async () => {
  stack = await createTestStack({ env: { JWKS_TIMEOUT_MS: '300', JWKS_COOLDOWN_MS: '0' } });
  idp = await startPartnerIdp({ issuer: 'https://idp.partner.edu' });
  other = await startPartnerIdp({ issuer: 'https://sso.other-university.ac.id', audience: 'pustaka-other' });
  librarian = (await createLibrarian(stack)).accessToken;
  partnerId = (await registerPartner(stack, librarian, partnerInput(idp))).id;
  await registerPartner(stack, librarian, partnerInput(other));
});

afterAll(async () => {
  await idp?.close();
  await other?.close();
  await stack?.destroy();
});

describe('exchanging a member token', () => {
  it('gives gateway tokens with the partner, the entitlements and a stable pseudonym that open a partner title', async () => {
    // Prepare
    const title = await createTitle(stack);
    // Act
    const response = await exchange(await idp.sign(entitled));
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      accessToken: string;
      partnerId: string;
      entitlements: string[];
    };
    expect(body).toMatchObject({ partnerId, entitlements: ['library'] });
    const claims = decodeJwt(body.accessToken);
    expect(claims).toMatchObject({ partner_id: partnerId, entitlements: ['library'], roles: [] });
    expect(claims.sub).toMatch(/^fm-[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(claims)).not.toContain('member-42');

    const again = (await (await exchange(await idp.sign(entitled))).json()) as { accessToken: string };
    expect(decodeJwt(again.accessToken).sub).toBe(claims.sub);

    const read = await stack.app.request(`/opds/publications/${title.id}/content`, {
      headers: bearer(body.accessToken),
    });
    expect(read.status).toBe(302);
    expect(read.headers.get('location')).toContain(title.contentKey);
  });

  it('maps member@<scope> only for the partner’s exact scope', async () => {
    const ok = await exchange(await idp.sign({ eduperson_scoped_affiliation: ['member@partner.edu'] }));
    expect(ok.status).toBe(200);
  });

  it('keeps members of different partners apart (same sub, different pseudonyms)', async () => {
    const a = (await (await exchange(await idp.sign(entitled))).json()) as { accessToken: string };
    const b = (await (await exchange(await other.sign(entitled))).json()) as { accessToken: string };
    expect(decodeJwt(a.accessToken).sub).not.toBe(decodeJwt(b.accessToken).sub);
  });

  it('picks up a key rotation at the partner (new kid)', async () => {
    // Prepare: the old key set is cached by now.
    expect((await exchange(await idp.sign(entitled))).status).toBe(200);
    const before = idp.hits('/jwks.json');
    const oldKey = idp.current;
    // Act
    await idp.rotate();
    const response = await exchange(await idp.sign(entitled));
    // Assess
    expect(response.status).toBe(200);
    expect(idp.hits('/jwks.json')).toBe(before + 1);
    await expectProblem(await exchange(await idp.sign(entitled, { key: oldKey })), 401, 'INVALID_ASSERTION');
  });
});

describe('refusals: 401 with a problem body', () => {
  const unsigned = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
  const claimsNow = () => {
    const iat = Math.floor(Date.now() / 1000);
    return {
      iss: idp.issuer,
      aud: idp.audience,
      sub: 'member-42',
      iat,
      exp: iat + 120,
      jti: crypto.randomUUID(),
      ...entitled,
    };
  };

  it.each(['none', 'None', 'NONE'])('alg %s', async (alg) => {
    await expectProblem(
      await exchange(unsigned({ alg, kid: idp.current.kid }, claimsNow())),
      401,
      'INVALID_ASSERTION',
    );
  });

  it('HS256 signed with the partner’s public key as the secret', async () => {
    // Prepare: every way an attacker might turn the public key into an HMAC secret.
    const jwk = idp.current.publicJwk;
    for (const secret of [JSON.stringify(jwk), String(jwk.x), `${jwk.x}${jwk.y}`]) {
      const token = await new SignJWT(claimsNow())
        .setProtectedHeader({ alg: 'HS256', kid: idp.current.kid })
        .sign(new TextEncoder().encode(secret));
      // Act / Assess
      await expectProblem(await exchange(token), 401, 'INVALID_ASSERTION');
    }
  });

  it('an algorithm outside the partner’s allow-list', async () => {
    const es384 = await newKey('ES384');
    await expectProblem(await exchange(await signWith(es384, claimsNow())), 401, 'INVALID_ASSERTION');
    const rs256 = await newKey('RS256');
    await expectProblem(
      await exchange(await signWith(rs256, claimsNow(), { kid: idp.current.kid })),
      401,
      'INVALID_ASSERTION',
    );
  });

  it.each(['jku', 'x5u'])('a %s header pointing at the attacker’s keys is never fetched', async (header) => {
    // Prepare
    const attacker = await newKey('ES256');
    const token = await signWith(attacker, claimsNow(), {
      [header]: `${idp.origin}/attacker-${header}.json`,
    });
    // Act
    const response = await exchange(token);
    // Assess
    await expectProblem(response, 401, 'INVALID_ASSERTION');
    expect(idp.hits(`/attacker-${header}.json`)).toBe(0);
  });

  it('an embedded jwk header signed by that key (with its own kid or the partner’s)', async () => {
    const attacker = await newKey('ES256');
    const embedded = await exportJWK(attacker.privateKey).then(({ d: _d, ...pub }) => pub);
    for (const kid of [attacker.kid, idp.current.kid]) {
      const token = await signWith(attacker, claimsNow(), { jwk: embedded, kid });
      await expectProblem(await exchange(token), 401, 'INVALID_ASSERTION');
    }
  });

  it('an unknown kid', async () => {
    const stray = await newKey('ES256');
    await expectProblem(await exchange(await signWith(stray, claimsNow())), 401, 'INVALID_ASSERTION');
  });

  it.each([
    ['an unknown issuer', 'https://idp.unknown.edu'],
    ['the issuer with a trailing slash', 'https://idp.partner.edu/'],
    ['the issuer in another case', 'https://IDP.partner.edu'],
    ['the issuer with a path', 'https://idp.partner.edu/x'],
  ])('%s', async (_case, iss) => {
    await expectProblem(await exchange(await idp.sign({ ...entitled, iss })), 401, 'UNKNOWN_ISSUER');
  });

  it('partner A’s key signing partner B’s issuer', async () => {
    const token = await idp.sign({ ...entitled, iss: other.issuer, aud: other.audience });
    await expectProblem(await exchange(token), 401, 'INVALID_ASSERTION');
  });

  it.each([
    ['a missing aud', { aud: undefined }],
    ['a wrong aud', { aud: 'https://someone-else.example' }],
    ['an aud list without ours', { aud: ['a', 'b'] }],
  ])('%s', async (_case, claims) => {
    await expectProblem(await exchange(await idp.sign({ ...entitled, ...claims })), 401, 'INVALID_ASSERTION');
  });

  it('an expired token', async () => {
    const iat = Math.floor(Date.now() / 1000) - 200;
    await expectProblem(
      await exchange(await idp.sign({ ...entitled, iat, exp: iat + 100 })),
      401,
      'INVALID_ASSERTION',
    );
  });

  it('nbf in the future', async () => {
    const nbf = Math.floor(Date.now() / 1000) + 600;
    await expectProblem(
      await exchange(await idp.sign({ ...entitled, nbf, exp: nbf + 60 })),
      401,
      'INVALID_ASSERTION',
    );
  });

  it('a too old iat (beyond the partner’s maxTokenAge) even with exp ahead', async () => {
    const iat = Math.floor(Date.now() / 1000) - 1000;
    await expectProblem(
      await exchange(await idp.sign({ ...entitled, iat, exp: iat + 2000 })),
      401,
      'INVALID_ASSERTION',
    );
  });

  it.each(['exp', 'iat', 'sub', 'jti'])('a token without %s', async (claim) => {
    await expectProblem(
      await exchange(await idp.sign({ ...entitled, [claim]: undefined })),
      401,
      'INVALID_ASSERTION',
    );
  });

  it('a replayed jti', async () => {
    const token = await idp.sign(entitled);
    expect((await exchange(token)).status).toBe(200);
    await expectProblem(await exchange(token), 401, 'ASSERTION_REPLAYED');
    // Another token with the same jti is a replay too.
    const { jti } = decodeJwt(token);
    await expectProblem(await exchange(await idp.sign({ ...entitled, jti })), 401, 'ASSERTION_REPLAYED');
  });

  it.each([
    ['member@evil.edu', { eduperson_scoped_affiliation: ['member@evil.edu'] }],
    ['member@partner.edu.evil', { eduperson_scoped_affiliation: ['member@partner.edu.evil'] }],
    ['member@sub.partner.edu', { eduperson_scoped_affiliation: ['member@sub.partner.edu'] }],
    ['the entitlement as a string', { eduperson_entitlement: libTerms }],
    ['the affiliation as a string', { eduperson_scoped_affiliation: 'member@partner.edu' }],
    ['no entitlement at all', {}],
  ])('%s', async (_case, claims) => {
    await expectProblem(await exchange(await idp.sign(claims)), 401, 'NOT_ENTITLED');
  });

  it.each([['not a JWT'], ['a.b.c'], ['']])('garbage %j', async (assertion) => {
    const response = await exchange(assertion);
    expect([400, 401]).toContain(response.status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('the pseudonym is the HMAC of issuer and sub under the server secret, nothing of the sub itself', async () => {
    const body = (await (
      await exchange(await idp.sign({ ...entitled, sub: 'alice@partner.edu' }))
    ).json()) as {
      accessToken: string;
    };
    const { secret, created } = ensurePseudonymSecretFile(stack.config.DATA_DIR);
    expect(created).toBe(false);
    const expected = pseudonymOf(secret, idp.issuer, 'alice@partner.edu');
    expect(decodeJwt(body.accessToken).sub).toBe(expected);
    expect(body.accessToken).not.toContain(base64url.encode('alice'));
  });
});

describe('the partner’s key set unavailable', () => {
  async function freshPartner(uri?: string) {
    const cold = await startPartnerIdp({
      issuer: `https://idp-${crypto.randomUUID().slice(0, 6)}.example.edu`,
    });
    await registerPartner(stack, librarian, partnerInput({ ...cold, jwksUri: uri ?? cold.jwksUri }));
    return cold;
  }

  it.each([
    ['down', 'down'],
    ['slow (not a hang)', 'slow'],
  ] as const)('answers 503 quickly when the JWKS server is %s', async (_, mode) => {
    const cold = await freshPartner();
    cold.mode = mode;
    try {
      const started = Date.now();
      await expectProblem(await exchange(await cold.sign(entitled)), 503, 'PARTNER_KEYS_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await cold.close();
    }
  });

  it('answers 503 when nothing listens at the JWKS address', async () => {
    const gone = await startPartnerIdp();
    const closedUri = gone.jwksUri;
    await gone.close();
    const cold = await freshPartner(closedUri);
    try {
      await expectProblem(await exchange(await cold.sign(entitled)), 503, 'PARTNER_KEYS_UNAVAILABLE');
    } finally {
      await cold.close();
    }
  });
});
