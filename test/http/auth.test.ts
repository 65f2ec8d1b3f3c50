import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  base64url,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportSPKI,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureSigningKeysFile,
  deriveSigningKey,
  staticKeySource,
} from '../../functions/adapters/signing-keys';
import { createTokenService } from '../../functions/adapters/token-service';
import { createApp } from '../../functions/http/app';
import { maxJsonBodyBytes } from '../../functions/http/shell';
import type { AppDeps } from '../../functions/http/deps';
import { demoAccounts, seedSampleLibrary } from '../../functions/local/seed';
import { bearer, createLibrarian, createPatron, json, signIn } from '../helpers/auth';
import { fakeClock } from '../helpers/clock';
import { createTestStack, type TestStack } from '../helpers/stack';
import { expectProblem } from '../helpers/problem';

const clock = fakeClock();
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ adjust: (deps) => ({ ...deps, clock }) });
  // The real seed with no fixtures folder: only the demo accounts, exactly as `npm start` creates them.
  await seedSampleLibrary(
    { titles: stack.deps.titles, patrons: stack.deps.patrons, content: stack.content, clock },
    '/nonexistent-fixtures',
  );
});

afterAll(async () => {
  await stack?.destroy();
});

const me = (headers: Record<string, string> = {}) => stack.app.request('/me', { headers });
const login = (body: unknown) => stack.app.request('/auth/login', json('POST', body));

describe('sign-in with the demo accounts', () => {
  it.each(demoAccounts.map((a) => [a.cardNumber, a.pin, a.roles] as const))(
    'card %s signs in; the token names its kid and an asymmetric alg, and verifies against the JWKS alone',
    async (cardNumber, pin, roles) => {
      // Act
      const response = await login({ cardNumber, pin });
      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as {
        accessToken: string;
        refreshToken: string;
        expiresIn: number;
        patron: Record<string, unknown>;
      };
      expect(body.expiresIn).toBeGreaterThan(0);
      expect(body.expiresIn).toBeLessThanOrEqual(15 * 60);
      expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.patron).toMatchObject({
        cardNumber,
        roles,
        status: 'active',
        loanLimit: 10,
        holdLimit: 10,
      });
      expect(body.patron).not.toHaveProperty('pinHash');

      const header = decodeProtectedHeader(body.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
      expect(header.kid).toEqual(expect.any(String));

      const jwksResponse = await stack.app.request('/.well-known/jwks.json');
      expect(jwksResponse.status).toBe(200);
      const jwks = (await jwksResponse.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
      for (const key of jwks.keys) expect(key).not.toHaveProperty('d');

      const { payload } = await jwtVerify(body.accessToken, createLocalJWKSet(jwks as never), {
        algorithms: ['EdDSA'],
        issuer: stack.config.TOKEN_ISSUER,
        audience: stack.config.TOKEN_AUDIENCE,
        currentDate: clock.now(),
      });
      expect(payload).toMatchObject({ sub: body.patron.id, roles });
      expect(payload.exp! - payload.iat!).toBe(body.expiresIn);
      expect(payload.jti).toEqual(expect.any(String));
    },
  );

  it('GET /me returns the profile and limits, never the PIN hash', async () => {
    // Prepare
    const { accessToken, patron } = await signIn(stack.app, '20000002', '1234');
    // Act
    const response = await me(bearer(accessToken));
    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ ...patron });
    expect(body).toMatchObject({ cardNumber: '20000002', loanLimit: 10, holdLimit: 10, roles: ['patron'] });
    expect(JSON.stringify(body)).not.toMatch(/pinHash|scrypt/);
  });

  it('documents the auth routes in /openapi.json', async () => {
    const doc = (await (await stack.app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/auth/login',
        '/auth/refresh',
        '/auth/logout',
        '/.well-known/jwks.json',
        '/me',
      ]),
    );
  });
});

describe('wrong credentials', () => {
  it('answers an unknown card and a wrong PIN identically, after checking a PIN hash in both cases', async () => {
    // Prepare: count PIN checks
    let checks = 0;
    const counted: AppDeps = {
      ...stack.deps,
      pins: {
        verify: (pin, stored) => {
          checks++;
          return stack.deps.pins.verify(pin, stored);
        },
      },
    };
    const app = createApp(counted);
    const strip = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    // Act
    const unknown = await app.request('/auth/login', json('POST', { cardNumber: '99999999', pin: '0000' }));
    const checksAfterUnknown = checks;
    const wrong = await app.request('/auth/login', json('POST', { cardNumber: '20000003', pin: '0000' }));
    // Assess
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(checksAfterUnknown).toBe(1);
    expect(checks).toBe(2);
    const [a, b] = [strip(await unknown.json()), strip(await wrong.json())];
    expect(a).toEqual(b);
    expect(a).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('tells a blocked patron so only when the PIN is right', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack, { status: 'blocked' });
    // Act
    const wrongPin = await login({ cardNumber: patron.cardNumber, pin: '0000' });
    const rightPin = await login({ cardNumber: patron.cardNumber, pin });
    // Assess
    await expectProblem(wrongPin, 401, 'INVALID_CREDENTIALS');
    await expectProblem(rightPin, 403, 'ACCOUNT_BLOCKED');
  });
});

describe('lockout after 5 wrong PINs in 15 minutes', () => {
  it('locks the card for 15 minutes, even for the right PIN, and unlocks after', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const card = patron.cardNumber;
    // Act: four wrong PINs are plain failures, the fifth locks
    for (let i = 0; i < 4; i++)
      await expectProblem(await login({ cardNumber: card, pin: '0000' }), 401, 'INVALID_CREDENTIALS');
    const fifth = await login({ cardNumber: card, pin: '0000' });
    // Assess
    await expectProblem(fifth, 429, 'ACCOUNT_LOCKED');
    expect(fifth.headers.get('retry-after')).toBe('900');

    const right = await login({ cardNumber: card, pin });
    await expectProblem(right, 429, 'ACCOUNT_LOCKED');

    clock.advance(14 * 60_000);
    const stillLocked = await login({ cardNumber: card, pin });
    await expectProblem(stillLocked, 429, 'ACCOUNT_LOCKED');
    expect(stillLocked.headers.get('retry-after')).toBe('60');

    clock.advance(61_000);
    const unlocked = await login({ cardNumber: card, pin });
    expect(unlocked.status).toBe(200);
    // The success cleared the failures: one wrong PIN now is an ordinary failure again.
    await expectProblem(await login({ cardNumber: card, pin: '0000' }), 401, 'INVALID_CREDENTIALS');
  });

  it('locks unknown cards the same way (lockout is no oracle for card existence)', async () => {
    for (let i = 0; i < 4; i++)
      await expectProblem(await login({ cardNumber: 'NOPE-1', pin: '1' }), 401, 'INVALID_CREDENTIALS');
    await expectProblem(await login({ cardNumber: 'NOPE-1', pin: '1' }), 429, 'ACCOUNT_LOCKED');
  });

  it('forgets failures older than the window', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    for (let i = 0; i < 4; i++) await login({ cardNumber: patron.cardNumber, pin: '0000' });
    // Act: the window has passed; one more failure starts a new window
    clock.advance(15 * 60_000 + 1_000);
    const failure = await login({ cardNumber: patron.cardNumber, pin: '0000' });
    const success = await login({ cardNumber: patron.cardNumber, pin });
    // Assess
    await expectProblem(failure, 401, 'INVALID_CREDENTIALS');
    expect(success.status).toBe(200);
  });

  it('counts concurrent wrong PINs without losing any', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    // Act
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => login({ cardNumber: patron.cardNumber, pin: '0000' })),
    );
    // Assess
    for (const r of responses) expect([401, 429]).toContain(r.status);
    const attempts = await stack.deps.loginAttempts.get(patron.cardNumber);
    expect(attempts?.failures).toBe(8);
    await expectProblem(await login({ cardNumber: patron.cardNumber, pin }), 429, 'ACCOUNT_LOCKED');
  });
});

describe('refresh tokens', () => {
  const refresh = (refreshToken: string) =>
    stack.app.request('/auth/refresh', json('POST', { refreshToken }));
  const logout = (refreshToken: string) => stack.app.request('/auth/logout', json('POST', { refreshToken }));

  it('rotate: each refresh returns a new pair and the old refresh token stops working', async () => {
    // Prepare
    const first = await signIn(stack.app, '20000001', '1234');
    // Act
    const response = await refresh(first.refreshToken);
    // Assess
    expect(response.status).toBe(200);
    const second = (await response.json()) as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
    };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await me(bearer(second.accessToken))).status).toBe(200);
    const third = await refresh(second.refreshToken);
    expect(third.status).toBe(200);
  });

  it('reuse of a rotated refresh token revokes the whole family: the newest one fails too', async () => {
    // Prepare
    const first = await signIn(stack.app, '20000001', '1234');
    const second = (await (await refresh(first.refreshToken)).json()) as { refreshToken: string };
    // Act: the first token again (as a thief would)
    const reuse = await refresh(first.refreshToken);
    // Assess
    await expectProblem(reuse, 401, 'INVALID_REFRESH_TOKEN');
    await expectProblem(await refresh(second.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    // Another session of the same patron is untouched
    const other = await signIn(stack.app, '20000001', '1234');
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('logout revokes the family; logging out twice is fine', async () => {
    // Prepare
    const session = await signIn(stack.app, '20000002', '1234');
    // Act
    const out = await logout(session.refreshToken);
    // Assess
    expect(out.status).toBe(204);
    await expectProblem(await refresh(session.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expect((await logout(session.refreshToken)).status).toBe(204);
    expect((await logout('never-issued')).status).toBe(204);
  });

  it('refuses unknown and expired refresh tokens, and blocked patrons', async () => {
    await expectProblem(await refresh(randomBytes(32).toString('base64url')), 401, 'INVALID_REFRESH_TOKEN');

    const old = await signIn(stack.app, '20000003', '1234');
    clock.advance(30 * 24 * 3600_000 + 1_000);
    await expectProblem(await refresh(old.refreshToken), 401, 'INVALID_REFRESH_TOKEN');

    const { patron, pin } = await createPatron(stack);
    const session = await signIn(stack.app, patron.cardNumber, pin);
    await stack.deps.patrons.update(patron.id, { status: 'blocked' }, clock.now());
    await expectProblem(await refresh(session.refreshToken), 403, 'ACCOUNT_BLOCKED');
  });
});

describe('access tokens that are refused', () => {
  let good: string;
  let patronId: string;
  let kid: string;
  let privateKey: CryptoKey | import('node:crypto').KeyObject;
  let publicJwk: { x: string };
  let publicPem: string;

  beforeAll(async () => {
    const signedIn = await signIn(stack.app, '20000001', '1234');
    good = signedIn.accessToken;
    patronId = signedIn.patron.id;
    const key = await deriveSigningKey(ensureSigningKeysFile(stack.config.DATA_DIR).material.current);
    kid = key.kid;
    privateKey = key.privateKey;
    publicJwk = key.jwk as unknown as { x: string };
    publicPem = await exportSPKI(key.publicKey);
  });

  const claims = (overrides: JWTPayload = {}): JWTPayload => {
    const iat = Math.floor(clock.now().getTime() / 1000);
    return {
      iss: stack.config.TOKEN_ISSUER,
      aud: stack.config.TOKEN_AUDIENCE,
      sub: patronId,
      roles: ['patron', 'librarian'],
      iat,
      exp: iat + 600,
      jti: 'forged',
      ...overrides,
    };
  };
  const sign = (payload: JWTPayload, header: Record<string, unknown> = {}, key: unknown = privateKey) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header } as never)
      .sign(key as CryptoKey);
  const encode = (part: unknown) => base64url.encode(JSON.stringify(part));

  async function expectRefused(authorization: string | undefined, code = 'INVALID_TOKEN') {
    const response = await me(authorization === undefined ? {} : { Authorization: authorization });
    await expectProblem(response, 401, code);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  }

  it('accepts the real token (control) and a token of our own key made the same way', async () => {
    expect((await me(bearer(good))).status).toBe(200);
    expect((await me(bearer(await sign(claims())))).status).toBe(200);
  });

  it('no token → 401 UNAUTHORIZED with WWW-Authenticate: Bearer', async () => {
    await expectRefused(undefined, 'UNAUTHORIZED');
    const response = await me();
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it.each([
    ['garbage', 'Bearer abc'],
    ['three dots', 'Bearer a.b.c'],
    ['empty parts', 'Bearer ..'],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['scheme only', 'Bearer'],
    ['two tokens', 'Bearer a b'],
  ])('malformed (%s) → 401', async (_name, authorization) => {
    await expectRefused(authorization);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('alg: %s → 401', async (alg) => {
    const token = `${encode({ alg, kid, typ: 'at+jwt' })}.${encode(claims())}.`;
    await expectRefused(`Bearer ${token}`);
    // also with a signature part present
    await expectRefused(`Bearer ${token}${base64url.encode('x')}`);
  });

  it('HS256 signed with the public key as the secret → 401', async () => {
    const secrets = [
      base64url.decode(publicJwk.x), // the raw key bytes
      new TextEncoder().encode(publicJwk.x), // the JWK x text
      new TextEncoder().encode(publicPem), // the SPKI PEM text
      new TextEncoder().encode(JSON.stringify(publicJwk)), // the JWK JSON
    ];
    for (const secret of secrets) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
        .sign(secret);
      await expectRefused(`Bearer ${token}`);
    }
  });

  it('tampered payload → 401', async () => {
    const [header, , signature] = good.split('.');
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(good.split('.')[1]!))) as JWTPayload;
    const tampered = `${header}.${encode({ ...payload, roles: ['patron', 'librarian'] })}.${signature}`;
    await expectRefused(`Bearer ${tampered}`);
    const otherSub = `${header}.${encode({ ...payload, sub: 'p-someone-else' })}.${signature}`;
    await expectRefused(`Bearer ${otherSub}`);
  });

  it('expired (beyond the 5 s tolerance) → 401', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    await expectRefused(`Bearer ${await sign(claims({ iat: now - 900, exp: now - 6 }))}`);
    // and the real token once the clock has moved past its end
    const fresh = await signIn(stack.app, '20000001', '1234');
    clock.advance((fresh.expiresIn + 6) * 1000);
    await expectRefused(`Bearer ${fresh.accessToken}`);
  });

  it('within the clock tolerance still passes', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    expect((await me(bearer(await sign(claims({ iat: now - 600, exp: now - 3 }))))).status).toBe(200);
  });

  it.each([
    ['wrong iss', { iss: 'https://evil.example' }],
    ['wrong aud', { aud: 'another-api' }],
    ['no sub', { sub: undefined }],
    ['no exp', { exp: undefined }],
    ['no jti', { jti: undefined }],
    ['roles not a list', { roles: 'librarian' }],
    ['unknown role', { roles: ['root'] }],
    ['issued far in the past with a far expiry', { iat: 1_000_000_000, exp: 4_000_000_000 }],
  ])('%s → 401', async (_name, overrides) => {
    await expectRefused(`Bearer ${await sign(claims(overrides as JWTPayload))}`);
  });

  it('wrong typ (an ID token, say) → 401', async () => {
    await expectRefused(`Bearer ${await sign(claims(), { typ: 'JWT' })}`);
  });

  it('unknown kid → 401', async () => {
    await expectRefused(`Bearer ${await sign(claims(), { kid: 'not-our-key' })}`);
    await expectRefused(`Bearer ${await sign(claims(), { kid: undefined })}`);
  });

  it('signed by another key pair (with our kid) → 401', async () => {
    const other = generateKeyPairSync('ed25519');
    await expectRefused(`Bearer ${await sign(claims(), {}, other.privateKey)}`);
  });

  it('ES256 with our kid → 401 (only EdDSA is accepted)', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expectRefused(`Bearer ${await sign(claims(), { alg: 'ES256' }, other.privateKey)}`);
  });
});

describe('the /admin guard', () => {
  const adminRoutes: [string, string][] = [
    ['GET', '/admin'],
    ['GET', '/admin/uploads'],
    ['POST', '/admin/uploads'],
    ['POST', '/admin/uploads/x/complete'],
    ['GET', '/admin/titles'],
    ['POST', '/admin/titles'],
    ['GET', '/admin/titles/x'],
    ['PATCH', '/admin/titles/x'],
    ['DELETE', '/admin/titles/x'],
    ['GET', '/admin/titles/x/licences'],
    ['POST', '/admin/titles/x/licences'],
    ['GET', '/admin/patrons'],
    ['POST', '/admin/patrons'],
    ['GET', '/admin/patrons/x'],
    ['PATCH', '/admin/patrons/x'],
    ['POST', '/admin/patrons/import'],
    ['GET', '/admin/audit'],
    ['GET', '/admin/partners'],
    ['POST', '/admin/partners'],
    ['GET', '/admin/anything/not/built/yet'],
  ];
  const request = (method: string, path: string, headers: Record<string, string> = {}) =>
    stack.app.request(path, {
      method,
      headers: { ...headers, 'Content-Type': 'application/json' },
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    });

  it('no token → 401 on every /admin route', async () => {
    for (const [method, path] of adminRoutes) {
      const response = await request(method, path);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('a patron token → 403 FORBIDDEN on every /admin route', async () => {
    const { accessToken } = await signIn(stack.app, '20000001', '1234');
    for (const [method, path] of adminRoutes) {
      const response = await request(method, path, bearer(accessToken));
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(((await response.json()) as { code: string }).code).toBe('FORBIDDEN');
    }
  });

  it('a librarian token passes the guard (routes not built yet answer 404)', async () => {
    const { accessToken } = await signIn(stack.app, '90000001', '9876');
    for (const [method, path] of adminRoutes) {
      const response = await request(method, path, bearer(accessToken));
      expect([401, 403], `${method} ${path}`).not.toContain(response.status);
    }
    const response = await request('GET', '/admin/anything/not/built/yet', bearer(accessToken));
    await expectProblem(response, 404, 'ROUTE_NOT_FOUND');
  });

  it('a librarian who was blocked or lost the role since sign-in is refused at once', async () => {
    const blocked = await createLibrarian(stack);
    const demoted = await createLibrarian(stack);
    await stack.deps.patrons.update(blocked.patron.id, { status: 'blocked' }, clock.now());
    await stack.deps.patrons.update(demoted.patron.id, { roles: ['patron'] }, clock.now());
    await expectProblem(
      await request('GET', '/admin/titles', bearer(blocked.accessToken)),
      403,
      'ACCOUNT_BLOCKED',
    );
    await expectProblem(await request('GET', '/admin/titles', bearer(demoted.accessToken)), 403, 'FORBIDDEN');
  });
});

describe('bad bodies get a 4xx problem, never a 500', () => {
  const big = 'x'.repeat(maxJsonBodyBytes + 1);
  const cases: [string, RequestInit][] = [
    ['empty object', json('POST', {})],
    ['missing pin', json('POST', { cardNumber: '20000001' })],
    ['missing card', json('POST', { pin: '1234' })],
    ['numbers instead of strings', json('POST', { cardNumber: 20000001, pin: 1234 })],
    ['null fields', json('POST', { cardNumber: null, pin: null })],
    ['an array', json('POST', [])],
    ['a string', json('POST', 'hello')],
    ['null', json('POST', null)],
    ['empty strings', json('POST', { cardNumber: '', pin: '' })],
    ['huge card number', json('POST', { cardNumber: 'x'.repeat(1000), pin: '1' })],
    ['not JSON', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"cardNumber":' }],
    ['no body', { method: 'POST', headers: { 'Content-Type': 'application/json' } }],
    [
      'form encoded',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'cardNumber=1&pin=2',
      },
    ],
    ['no content type', { method: 'POST', body: '{"cardNumber":"20000001","pin":"1234"}' }],
    ['over 16 KiB', json('POST', { cardNumber: '20000001', pin: big })],
  ];

  for (const path of ['/auth/login', '/auth/refresh', '/auth/logout']) {
    it.each(cases)(`${path}: %s`, async (_name, init) => {
      const response = await stack.app.request(path, init);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const body = (await response.json()) as { code: string; detail: string };
      expect(body.code).toMatch(/^[A-Z_]+$/);
      expect(JSON.stringify(body)).not.toMatch(/ at .*\.ts:\d+/);
    });
  }

  it('over 16 KiB is 413 BODY_TOO_LARGE', async () => {
    await expectProblem(await login({ cardNumber: '1', pin: big }), 413, 'BODY_TOO_LARGE');
  });
});

describe('signing-key rotation', () => {
  const keyA = randomBytes(32).toString('base64url');
  const keyB = randomBytes(32).toString('base64url');
  const tokensWith = (current: string, previous?: string) =>
    createTokenService({
      issuer: stack.config.TOKEN_ISSUER,
      audience: stack.config.TOKEN_AUDIENCE,
      keys: staticKeySource({ current, ...(previous ? { previous } : {}) }),
    });
  const appWith = (current: string, previous?: string) =>
    createApp({ ...stack.deps, tokens: tokensWith(current, previous) });

  it('a token of the previous key verifies while it is published, and not once it is dropped', async () => {
    // Prepare: a token signed before the rotation
    const beforeRotation = appWith(keyA);
    const { patron } = await createPatron(stack);
    const token = (
      await tokensWith(keyA).issue({ patronId: patron.id, roles: patron.roles }, { now: clock.now() })
    ).token;
    expect((await beforeRotation.request('/me', { headers: bearer(token) })).status).toBe(200);

    // Act: rotate (B signs, A still published), then drop A
    const duringRotation = appWith(keyB, keyA);
    const afterRotation = appWith(keyB);

    // Assess
    const jwks = (await (await duringRotation.request('/.well-known/jwks.json')).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(token).kid);
    expect((await duringRotation.request('/me', { headers: bearer(token) })).status).toBe(200);

    const newToken = (
      await tokensWith(keyB, keyA).issue({ patronId: patron.id, roles: patron.roles }, { now: clock.now() })
    ).token;
    expect(decodeProtectedHeader(newToken).kid).toBe(jwks.keys[0]!.kid);
    expect((await afterRotation.request('/me', { headers: bearer(newToken) })).status).toBe(200);

    const refused = await afterRotation.request('/me', { headers: bearer(token) });
    await expectProblem(refused, 401, 'INVALID_TOKEN');
    const afterJwks = (await (await afterRotation.request('/.well-known/jwks.json')).json()) as {
      keys: unknown[];
    };
    expect(afterJwks.keys).toHaveLength(1);
  });

  it('the kid is the RFC 7638 thumbprint, the same for the same key material', async () => {
    const [a1, a2, b] = await Promise.all([
      deriveSigningKey(keyA),
      deriveSigningKey(keyA),
      deriveSigningKey(keyB),
    ]);
    expect(a1.kid).toBe(a2.kid);
    expect(a1.kid).not.toBe(b.kid);
    expect(a1.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
