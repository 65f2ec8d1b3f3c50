import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config';
import { lockoutPolicy } from '../../functions/domain/sign-in';
import { createApp } from '../../functions/http/app';
import type { AppDeps } from '../../functions/http/deps';
import { createPatron, json } from '../helpers/auth';
import { fakeClock } from '../helpers/clock';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * The lockout under concurrency and the per-address limit of POST /auth/login. PIN checks are counted through
 * the deps' PinVerifier (the real scrypt verifier, wrapped): what matters is how many PINs were checked.
 */

const clock = fakeClock('2030-05-06T07:03:20.000Z');
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({
    env: { LOGIN_ATTEMPTS_PER_ADDRESS: '3', TRUSTED_PROXY_CIDRS: '10.0.0.0/8' },
    adjust: (deps) => ({ ...deps, clock }),
  });
  // Open the client's socket pool to DynamoDB Local with a burst like the ones measured, outcome ignored: on a
  // busy 2-core machine the emulator can take longer than the client's 2 s connect timeout to accept dozens of
  // new connections at once (a Lambda instance serves one request at a time and never opens them in a burst).
  // The measured bursts then test the lockout rather than the emulator's accept queue.
  await Promise.allSettled(
    Array.from({ length: 100 }, () => stack.deps.loginAttempts.reserve('WARM-UP', clock.now())),
  );
});

afterAll(async () => {
  await stack?.destroy();
});

/** The app over the stack's deps, with a PIN verifier that records every PIN it checks. */
function countingApp() {
  const checked: string[] = [];
  const deps: AppDeps = {
    ...stack.deps,
    pins: {
      verify: (pin, stored) => {
        checked.push(pin);
        return stack.deps.pins.verify(pin, stored);
      },
    },
  };
  return { app: createApp(deps), checked };
}

type App = ReturnType<typeof createApp>;
const login = (app: App, body: unknown, env?: unknown, headers: Record<string, string> = {}) =>
  app.request('/auth/login', json('POST', body, headers), env as never);

/** How each runtime hands the app its network peer. */
const fromGateway = (sourceIp: string) => ({ event: { requestContext: { http: { sourceIp } } } });
const fromSocket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { code: string; status: number; retryAfterSeconds?: number };
}

const pinOf = (n: number) => String(n).padStart(4, '0');

describe('the lockout holds under 100 concurrent sign-ins of one card', () => {
  it.each([
    ['first', 0],
    ['among 100 guesses', 42],
  ])('the right PIN %s: at most 5 PINs checked, one 200 at most, then locked', async (_name, at) => {
    // Prepare: a card whose PIN is one of 100 guesses sent at once (a brute force of 0000–0099)
    const pin = pinOf(at);
    const { patron } = await createPatron(stack, { pin });
    const { app, checked } = countingApp();
    const guesses = Array.from({ length: 100 }, (_, i) => pinOf(i));

    // Act
    const responses = await Promise.all(
      guesses.map((guess) => login(app, { cardNumber: patron.cardNumber, pin: guess })),
    );

    // Assess
    const statuses = responses.map((r) => r.status);
    const count = (status: number) => statuses.filter((s) => s === status).length;
    if (process.env.LOCKOUT_REPORT) {
      console.info(
        `right PIN ${_name}: 200×${count(200)} 401×${count(401)} 429×${count(429)}; PINs checked: ${checked.length}`,
      );
    }
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(lockoutPolicy.maxChecks);
    expect(statuses.filter((s) => ![200, 401, 429].includes(s))).toEqual([]);
    expect(count(200)).toBeLessThanOrEqual(1);
    // A 200 can only be the right PIN, and only if it was among the (at most 5) PINs checked.
    if (count(200) === 1) {
      expect(checked).toContain(pin);
      const success = responses[statuses.indexOf(200)]!;
      expect(((await success.json()) as { patron: { id: string } }).patron.id).toBe(patron.id);
    }
    for (const response of responses.filter((r) => r.status === 429)) {
      expect((await problemOf(response)).code).toBe('ACCOUNT_LOCKED');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    for (const response of responses.filter((r) => r.status === 401)) {
      expect((await problemOf(response)).code).toBe('INVALID_CREDENTIALS');
    }

    // The right PIN afterwards: still refused, unchecked, with Retry-After
    const after = await login(app, { cardNumber: patron.cardNumber, pin });
    expect(after.status).toBe(429);
    expect((await problemOf(after)).code).toBe('ACCOUNT_LOCKED');
    const retryAfter = Number(after.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(lockoutPolicy.lockSeconds);
    expect(checked.length).toBeLessThanOrEqual(lockoutPolicy.maxChecks);

    // Once Retry-After has passed, the right PIN signs in again.
    clock.advance(retryAfter * 1000);
    expect((await login(app, { cardNumber: patron.cardNumber, pin })).status).toBe(200);
  });

  it('a success while other checks are in flight hands none back: the rest of the burst stays refused', async () => {
    // Prepare: four wrong PINs hold their checks (their scrypt runs are held back until the end)
    const { patron, pin } = await createPatron(stack);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let fourthStarted!: () => void;
    const fourHeld = new Promise<void>((resolve) => (fourthStarted = resolve));
    const heldGuesses = ['0001', '0002', '0003', '0004'];
    const checked: string[] = [];
    const app = createApp({
      ...stack.deps,
      pins: {
        verify: async (guess, stored) => {
          checked.push(guess);
          if (heldGuesses.includes(guess)) {
            if (checked.filter((g) => heldGuesses.includes(g)).length === heldGuesses.length) fourthStarted();
            await held;
          }
          return stack.deps.pins.verify(guess, stored);
        },
      },
    });
    const card = patron.cardNumber;
    const inFlight = ['0001', '0002', '0003', '0004'].map((guess) =>
      login(app, { cardNumber: card, pin: guess }),
    );
    await fourHeld;

    // Act: the right PIN takes the last check and succeeds; then the rest of the burst arrives
    const success = await login(app, { cardNumber: card, pin });
    const rest = await Promise.all(
      Array.from({ length: 95 }, (_, i) => login(app, { cardNumber: card, pin: pinOf(i + 5) })),
    );
    release();
    const settled = await Promise.all(inFlight);

    // Assess
    expect(success.status).toBe(200);
    expect(rest.map((r) => r.status)).toEqual(Array(95).fill(429));
    expect((await problemOf(rest[0]!)).code).toBe('ACCOUNT_LOCKED');
    for (const r of settled) expect([401, 429]).toContain(r.status);
    expect(checked).toHaveLength(lockoutPolicy.maxChecks);
    const after = await login(app, { cardNumber: card, pin });
    expect(after.status).toBe(429);
    expect(checked).toHaveLength(lockoutPolicy.maxChecks);
  });

  it('unknown card numbers get the same bound and the same answers (a dummy hash is checked)', async () => {
    // Prepare
    const { app, checked } = countingApp();
    // Act
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(app, { cardNumber: 'NO-SUCH-CARD-7', pin: pinOf(i) })),
    );
    // Assess
    expect(checked.length).toBe(lockoutPolicy.maxChecks);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401 || s === 429)).toHaveLength(100);
    const after = await login(app, { cardNumber: 'NO-SUCH-CARD-7', pin: '1234' });
    expect((await problemOf(after)).code).toBe('ACCOUNT_LOCKED');
    expect(checked.length).toBe(lockoutPolicy.maxChecks);
  });

  it('one right PIN on its own leaves no trace: a patron who types it right is never limited', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const { app, checked } = countingApp();
    // Act: more sign-ins in one window than it has checks
    const statuses: number[] = [];
    for (let i = 0; i < lockoutPolicy.maxChecks + 3; i++)
      statuses.push((await login(app, { cardNumber: patron.cardNumber, pin })).status);
    // Assess
    expect(statuses).toEqual(Array(lockoutPolicy.maxChecks + 3).fill(200));
    expect(checked).toHaveLength(lockoutPolicy.maxChecks + 3);
    expect(await stack.deps.loginAttempts.get(patron.cardNumber)).toBeUndefined();
  });

  it('after a wrong PIN, a right one forgives the failure but not the checks of the window', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const { app, checked } = countingApp();
    // Act: one wrong, then right ones until the window's checks are used
    const wrong = await login(app, { cardNumber: patron.cardNumber, pin: '0000' });
    const rights: number[] = [];
    for (let i = 0; i < lockoutPolicy.maxChecks - 1; i++)
      rights.push((await login(app, { cardNumber: patron.cardNumber, pin })).status);
    const beyond = await login(app, { cardNumber: patron.cardNumber, pin });
    // Assess
    expect(wrong.status).toBe(401);
    expect(rights).toEqual(Array(lockoutPolicy.maxChecks - 1).fill(200));
    expect(beyond.status).toBe(429);
    expect((await problemOf(beyond)).code).toBe('ACCOUNT_LOCKED');
    expect(checked).toHaveLength(lockoutPolicy.maxChecks);
    // The failures were forgiven: only the refusal counts now, nowhere near a lock.
    expect((await stack.deps.loginAttempts.get(patron.cardNumber))?.failures).toBe(1);
  });
});

describe('sign-in attempts per client address (LOGIN_ATTEMPTS_PER_ADDRESS = 3 here)', () => {
  it('refuses the 4th attempt of an address with RATE_LIMITED and Retry-After, across cards, unchecked', async () => {
    // Prepare
    const { patron, pin } = await createPatron(stack);
    const { app, checked } = countingApp();
    const address = fromGateway('203.0.113.5');
    // Act: three wrong guesses on three cards, then the right PIN of a fourth
    const first = [];
    for (const card of ['SPRAY-1', 'SPRAY-2', 'SPRAY-3'])
      first.push((await login(app, { cardNumber: card, pin: '1234' }, address)).status);
    const fourth = await login(app, { cardNumber: patron.cardNumber, pin }, address);
    // Assess
    expect(first).toEqual([401, 401, 401]);
    expect(fourth.status).toBe(429);
    const body = await problemOf(fourth);
    expect(body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(stack.config.LOGIN_ADDRESS_WINDOW_SECONDS);
    expect(body.retryAfterSeconds).toBe(retryAfter);
    // Refused before the card was touched: no PIN checked, nothing counted against the card
    expect(checked).toHaveLength(3);
    expect(await stack.deps.loginAttempts.get(patron.cardNumber)).toBeUndefined();

    // Another address is not affected, over the socket as well as through API Gateway
    expect(
      (await login(app, { cardNumber: patron.cardNumber, pin }, fromGateway('198.51.100.7'))).status,
    ).toBe(200);
    expect(
      (await login(app, { cardNumber: patron.cardNumber, pin }, fromSocket('198.51.100.8'))).status,
    ).toBe(200);

    // When the window is over, the address may try again
    clock.advance(retryAfter * 1000);
    expect((await login(app, { cardNumber: patron.cardNumber, pin }, address)).status).toBe(200);
  });

  it('concurrent attempts of one address are each counted: exactly 3 get through', async () => {
    // Prepare
    const { app, checked } = countingApp();
    const address = fromSocket('203.0.113.77');
    // Act
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(app, { cardNumber: `BURST-${i}`, pin: '1234' }, address)),
    );
    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(27);
    expect(checked).toHaveLength(3);
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    // Prepare
    const { app } = countingApp();
    const peer = fromGateway('192.0.2.10');
    // Act: a new forwarded address each time, from the same untrusted peer
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const forged = { 'X-Forwarded-For': `198.51.100.${100 + i}` };
      statuses.push((await login(app, { cardNumber: `XFF-${i}`, pin: '1' }, peer, forged)).status);
    }
    // Assess: all counted against the peer
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('believes X-Forwarded-For from a trusted proxy (TRUSTED_PROXY_CIDRS), counting each client apart', async () => {
    // Prepare
    const { app } = countingApp();
    const proxy = fromSocket('10.1.2.3');
    const via = (client: string) => ({ 'X-Forwarded-For': client });
    // Act
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await login(app, { cardNumber: `PROXY-${i}`, pin: '1' }, proxy, via('198.51.100.30'))).status,
      );
    const otherClient = await login(app, { cardNumber: 'PROXY-9', pin: '1' }, proxy, via('198.51.100.31'));
    // Assess
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(otherClient.status).toBe(401);
  });

  it('counts an IPv6 client by its /64', async () => {
    // Prepare
    const { app } = countingApp();
    // Act: three addresses of one /64, then a fourth of it, then one of the next /64
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::a:b', '2001:db8:1:2:ffff:ffff:ffff:ffff'])
      await login(app, { cardNumber: `V6-${address}`, pin: '1' }, fromGateway(address));
    const sameNetwork = await login(app, { cardNumber: 'V6-x', pin: '1' }, fromGateway('2001:db8:1:2::99'));
    const nextNetwork = await login(app, { cardNumber: 'V6-y', pin: '1' }, fromGateway('2001:db8:1:3::1'));
    // Assess
    expect(sameNetwork.status).toBe(429);
    expect((await problemOf(sameNetwork)).code).toBe('RATE_LIMITED');
    expect(nextNetwork.status).toBe(401);
  });
});

describe('LOGIN_ATTEMPTS_PER_ADDRESS and LOGIN_ADDRESS_WINDOW_SECONDS', () => {
  it('default to 100 attempts per 15 minutes and refuse nonsense', () => {
    const config = loadConfig({});
    expect(config.LOGIN_ATTEMPTS_PER_ADDRESS).toBe(100);
    expect(config.LOGIN_ADDRESS_WINDOW_SECONDS).toBe(900);
    expect(() => loadConfig({ LOGIN_ATTEMPTS_PER_ADDRESS: '0' })).toThrow(/LOGIN_ATTEMPTS_PER_ADDRESS/);
    expect(() => loadConfig({ LOGIN_ATTEMPTS_PER_ADDRESS: 'many' })).toThrow(/LOGIN_ATTEMPTS_PER_ADDRESS/);
    expect(() => loadConfig({ LOGIN_ADDRESS_WINDOW_SECONDS: '-5' })).toThrow(/LOGIN_ADDRESS_WINDOW_SECONDS/);
  });
});
