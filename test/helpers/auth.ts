import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { hashPin } from '../../functions/adapters/pin-hasher';
import { defaultLimits, type Patron, type PatronProfile, type Role } from '../../functions/domain/patron';
import type { createApp } from '../../functions/http/app';
import type { AppDeps } from '../../functions/http/deps';
import { demoAccounts } from '../../functions/local/seed';

/**
 * Signing in for tests of other features.
 *
 *   const { accessToken } = await signIn(stack.app, '20000001', '1234');
 *   await stack.app.request('/me', { headers: bearer(accessToken) });
 *
 *   const { patron, accessToken } = await createPatron(stack, { loanLimit: 2 });   // fast: no scrypt, no login
 */

type App = ReturnType<typeof createApp>;

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  patron: PatronProfile;
}

/** `Authorization: Bearer …` (plus any other headers given). */
export function bearer(token: string, headers: Record<string, string> = {}): Record<string, string> {
  return { ...headers, Authorization: `Bearer ${token}` };
}

/** JSON request options: `app.request(path, json('POST', body, bearer(token)))`. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** POST /auth/login; fails the test with the problem body when it is not 200. */
export async function signIn(app: App, cardNumber: string, pin: string): Promise<SignedIn> {
  const response = await app.request('/auth/login', json('POST', { cardNumber, pin }));
  const body = (await response.json()) as SignedIn;
  expect(response.status, `sign-in of ${cardNumber}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

/** scrypt is slow on purpose; tests hash each distinct PIN once per worker. */
const hashes = new Map<string, Promise<string>>();
export function hashOnce(pin: string): Promise<string> {
  let hash = hashes.get(pin);
  if (!hash) {
    hash = hashPin(pin);
    hashes.set(pin, hash);
  }
  return hash;
}

export interface NewPatron {
  cardNumber?: string;
  pin?: string;
  name?: string;
  email?: string;
  roles?: Role[];
  status?: Patron['status'];
  loanLimit?: number;
  holdLimit?: number;
}

export interface CreatedPatron {
  patron: Patron;
  pin: string;
  /** An access token for the patron, issued directly by the token service (no login round trip). */
  accessToken: string;
}

/** Starts with `T`, so it never collides with a demo card. */
const uniqueCard = () => `T${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/**
 * Writes a patron through the repository (PIN hashed once per distinct PIN) and issues an access token for it.
 * Cheap enough for tests that need dozens of patrons.
 */
export async function createPatron(
  stack: { deps: AppDeps },
  options: NewPatron = {},
): Promise<CreatedPatron> {
  const { deps } = stack;
  const pin = options.pin ?? '1234';
  const now = deps.clock.now().toISOString();
  const id = `p-${randomUUID()}`;
  const patron: Patron = {
    id,
    cardNumber: options.cardNumber ?? uniqueCard(),
    name: options.name ?? `Test Patron ${id.slice(2, 10)}`,
    ...(options.email ? { email: options.email } : {}),
    status: options.status ?? 'active',
    roles: options.roles ?? ['patron'],
    loanLimit: options.loanLimit ?? defaultLimits.loanLimit,
    holdLimit: options.holdLimit ?? defaultLimits.holdLimit,
    pinHash: await hashOnce(pin),
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.patrons.create(patron))) throw new Error(`card ${patron.cardNumber} is taken`);
  const { token } = await deps.tokens.issue(
    { patronId: patron.id, roles: patron.roles },
    { now: deps.clock.now() },
  );
  return { patron, pin, accessToken: token };
}

/** A librarian (roles patron + librarian). */
export const createLibrarian = (stack: { deps: AppDeps }, options: NewPatron = {}) =>
  createPatron(stack, { ...options, roles: ['patron', 'librarian'] });

/** The demo accounts of `npm start` (same cards and PINs), without the sample titles. */
export async function createDemoAccounts(stack: { deps: AppDeps }): Promise<void> {
  for (const account of demoAccounts) {
    if (await stack.deps.patrons.getByCard(account.cardNumber)) continue;
    await createPatron(stack, {
      cardNumber: account.cardNumber,
      pin: account.pin,
      name: account.name,
      email: account.email,
      roles: account.roles,
    });
  }
}
