import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockoutPolicy } from '../../functions/domain/sign-in';
import { bearer, createPatron, json } from '../helpers/auth';
import { fakeClock } from '../helpers/clock';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/** My account: a patron changes their own PIN (under the sign-in lockout) and sets their language. */

const clock = fakeClock('2030-07-01T03:00:00.000Z');
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ deps: { clock } });
});
afterAll(() => stack.destroy());

const changePin = (token: string, body: unknown) =>
  stack.app.request('/me/pin', json('PUT', body, bearer(token)));
const login = (cardNumber: string, pin: string) =>
  stack.app.request('/auth/login', json('POST', { cardNumber, pin }));

describe('PUT /me/pin', () => {
  it('changes the PIN when the current one is right: the new PIN signs in, the old one no longer does', async () => {
    // Prepare
    const { patron, accessToken } = await createPatron(stack, { pin: '1234' });
    // Act
    const response = await changePin(accessToken, { currentPin: '1234', newPin: '908172' });
    // Assess
    expect(response.status).toBe(204);
    expect((await login(patron.cardNumber, '908172')).status).toBe(200);
    await expectProblem(await login(patron.cardNumber, '1234'), 401, 'INVALID_CREDENTIALS');
    const stored = await stack.deps.patrons.get(patron.id);
    expect(await stack.deps.pins.verify('908172', stored!.pinHash)).toBe(true);
  });

  it('refuses a wrong current PIN with 403 CURRENT_PIN_WRONG and keeps the PIN as it was', async () => {
    // Prepare
    const { patron, accessToken } = await createPatron(stack, { pin: '1234' });
    // Act
    const response = await changePin(accessToken, { currentPin: '9999', newPin: '55556666' });
    // Assess
    await expectProblem(response, 403, 'CURRENT_PIN_WRONG');
    expect((await login(patron.cardNumber, '1234')).status).toBe(200);
    await expectProblem(await login(patron.cardNumber, '55556666'), 401, 'INVALID_CREDENTIALS');
  });

  it('counts wrong current PINs toward the sign-in lockout: with the last failure of the window the card is locked for both', async () => {
    // Prepare: one wrong PIN at sign-in, then the rest of the window's failures as PIN changes
    const { patron, accessToken } = await createPatron(stack, { pin: '1234' });
    await expectProblem(await login(patron.cardNumber, '0000'), 401, 'INVALID_CREDENTIALS');
    for (let i = 1; i < lockoutPolicy.maxFailures - 1; i++) {
      await expectProblem(
        await changePin(accessToken, { currentPin: `000${i}`, newPin: '4321' }),
        403,
        'CURRENT_PIN_WRONG',
      );
    }
    // Act: the last failure of the window
    const last = await changePin(accessToken, { currentPin: '0009', newPin: '4321' });
    // Assess: locked, for sign-in with the right PIN and for a PIN change with the right PIN alike
    await expectProblem(last, 429, 'ACCOUNT_LOCKED');
    expect(Number(last.headers.get('Retry-After'))).toBeGreaterThan(0);
    await expectProblem(await login(patron.cardNumber, '1234'), 429, 'ACCOUNT_LOCKED');
    await expectProblem(
      await changePin(accessToken, { currentPin: '1234', newPin: '4321' }),
      429,
      'ACCOUNT_LOCKED',
    );
    const stored = await stack.deps.patrons.get(patron.id);
    expect(await stack.deps.pins.verify('1234', stored!.pinHash)).toBe(true);
    // After the lock, the right current PIN works again
    clock.advance(lockoutPolicy.lockSeconds * 1000 + 1000);
    const { token } = await stack.deps.tokens.issue(
      { patronId: patron.id, roles: ['patron'] },
      { now: clock.now() },
    );
    expect((await changePin(token, { currentPin: '1234', newPin: '4321' })).status).toBe(204);
    expect((await login(patron.cardNumber, '4321')).status).toBe(200);
  });

  it('holds the new PIN to the PIN policy (4 to 12 digits) and needs a signed-in patron', async () => {
    // Prepare
    const { patron, accessToken } = await createPatron(stack, { pin: '1234' });
    // Act / Assess
    for (const newPin of ['123', '12a4', '1234567890123', '']) {
      await expectProblem(
        await changePin(accessToken, { currentPin: '1234', newPin }),
        400,
        'VALIDATION_FAILED',
      );
    }
    await expectProblem(await changePin(accessToken, { newPin: '4321' }), 400, 'VALIDATION_FAILED');
    await expectProblem(
      await stack.app.request('/me/pin', json('PUT', { currentPin: '1234', newPin: '4321' })),
      401,
      'UNAUTHORIZED',
    );
    expect((await login(patron.cardNumber, '1234')).status).toBe(200);
  });
});

describe('PUT /me/language', () => {
  it('stores the language on the patron: /me and the next sign-in carry it', async () => {
    // Prepare
    const { patron, accessToken } = await createPatron(stack, { pin: '1234' });
    // Act
    const response = await stack.app.request(
      '/me/language',
      json('PUT', { language: 'en' }, bearer(accessToken)),
    );
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: patron.id, language: 'en' });
    const me = await stack.app.request('/me', { headers: bearer(accessToken) });
    expect(await me.json()).toMatchObject({ language: 'en' });
    const signedIn = (await (await login(patron.cardNumber, '1234')).json()) as {
      patron: { language?: string };
    };
    expect(signedIn.patron.language).toBe('en');
  });

  it('refuses a language the app does not speak', async () => {
    const { accessToken } = await createPatron(stack);
    await expectProblem(
      await stack.app.request('/me/language', json('PUT', { language: 'fr' }, bearer(accessToken))),
      400,
      'VALIDATION_FAILED',
    );
  });
});
