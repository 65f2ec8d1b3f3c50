import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from './errors';
import { profileOf, type Patron, type PatronProfile } from './patron';
import type { Clock, PatronRepository } from './ports';
import type { TokenService } from './tokens';

/**
 * Signing in with a library card and PIN, refreshing and signing out.
 *
 * Rules:
 * - An unknown card and a wrong PIN get the same answer (INVALID_CREDENTIALS) after the same work: the PIN is
 *   checked against a dummy hash when the card is unknown, and failed attempts are counted per card number
 *   whether or not the card exists, so neither timing nor lockout tells an attacker which cards are real.
 * - 5 failures within 15 minutes lock the card for 15 minutes, even for the right PIN (ACCOUNT_LOCKED).
 * - Blocked patrons are told so only after the PIN is right, so "blocked" is not an oracle either.
 * - Refresh tokens rotate; presenting one that was already rotated revokes its whole family (theft detection).
 */

export const lockoutPolicy = {
  maxFailures: 5,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
} as const;

/** Failed sign-ins of one card number within the current window. */
export interface LoginAttempts {
  failures: number;
  /** Epoch ms of the first failure of the window. */
  windowStartedAt: number;
  /** Epoch ms until which the card is locked. */
  lockedUntil?: number;
}

/** When a card is locked, until when (epoch ms); undefined when it is not. */
export function lockedUntil(attempts: LoginAttempts | undefined, now: Date): number | undefined {
  if (!attempts) return undefined;
  const t = now.getTime();
  if (attempts.lockedUntil !== undefined && attempts.lockedUntil > t) return attempts.lockedUntil;
  // The failure that reached the limit may not have written `lockedUntil` yet (two steps): the count decides.
  const windowEnds = attempts.windowStartedAt + lockoutPolicy.windowSeconds * 1000;
  if (attempts.failures >= lockoutPolicy.maxFailures && windowEnds > t) {
    return Math.max(attempts.lockedUntil ?? 0, t + lockoutPolicy.lockSeconds * 1000);
  }
  return undefined;
}

export interface LoginAttemptRepository {
  get(cardNumber: string): Promise<LoginAttempts | undefined>;
  /**
   * Counts one failure atomically (concurrent failures are all counted) and locks the card when the count
   * reaches the limit. Returns the attempts after this failure.
   */
  recordFailure(cardNumber: string, now: Date): Promise<LoginAttempts>;
  /** Forgets the failures after a successful sign-in (but never a lock that started meanwhile). */
  clear(cardNumber: string, now: Date): Promise<void>;
}

/** Checks PINs against stored scrypt hashes (adapter: functions/adapters/pin-hasher.ts). */
export interface PinVerifier {
  /** With `stored` undefined it checks against a dummy hash (same work) and answers false. */
  verify(pin: string, stored: string | undefined): Promise<boolean>;
}

export type RefreshOutcome =
  | { outcome: 'rotated'; patronId: string; sessionId: string; refreshToken: string; expiresAt: Date }
  /** The token was already rotated: the family is now revoked. */
  | { outcome: 'reused' }
  /** Unknown, expired or its family revoked. */
  | { outcome: 'invalid' };

/** Refresh-token families. Tokens are opaque random strings; only their hashes are stored. */
export interface SessionRepository {
  /** Starts a family with its first refresh token. */
  start(patronId: string, now: Date): Promise<{ sessionId: string; refreshToken: string; expiresAt: Date }>;
  rotate(refreshToken: string, now: Date): Promise<RefreshOutcome>;
  /** Revokes the family the token belongs to (any of its tokens, rotated or not). False when unknown. */
  revoke(refreshToken: string, now: Date): Promise<boolean>;
}

export interface SignInPorts {
  clock: Clock;
  patrons: PatronRepository;
  loginAttempts: LoginAttemptRepository;
  sessions: SessionRepository;
  tokens: TokenService;
  pins: PinVerifier;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  patron: PatronProfile;
}

function lockedError(until: number, now: Date): TooManyRequestsError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  return new TooManyRequestsError(
    'ACCOUNT_LOCKED',
    'Too many wrong PINs: this card is locked for a while. Try again later.',
    retryAfterSeconds,
    { retryAfterSeconds },
  );
}

const invalidCredentials = () =>
  new UnauthorizedError('The card number or PIN is not right.', 'INVALID_CREDENTIALS');

const blocked = () =>
  new ForbiddenError('This card is blocked. Please contact the library.', 'ACCOUNT_BLOCKED');

async function tokensFor(
  ports: SignInPorts,
  patron: Patron,
  session: { sessionId: string; refreshToken: string },
  now: Date,
): Promise<SignedIn> {
  const access = await ports.tokens.issue(
    { patronId: patron.id, roles: patron.roles, sessionId: session.sessionId },
    { now },
  );
  return {
    accessToken: access.token,
    refreshToken: session.refreshToken,
    expiresIn: access.expiresIn,
    patron: profileOf(patron),
  };
}

export async function login(
  ports: SignInPorts,
  input: { cardNumber: string; pin: string },
): Promise<SignedIn> {
  const now = ports.clock.now();
  const [attempts, patron] = await Promise.all([
    ports.loginAttempts.get(input.cardNumber),
    ports.patrons.getByCard(input.cardNumber),
  ]);
  const locked = lockedUntil(attempts, now);
  if (locked !== undefined) throw lockedError(locked, now);

  // Same work whether or not the card exists: a dummy hash stands in for the unknown card's.
  const pinIsRight = await ports.pins.verify(input.pin, patron?.pinHash);
  if (!patron || !pinIsRight) {
    const after = await ports.loginAttempts.recordFailure(input.cardNumber, now);
    const nowLocked = lockedUntil(after, now);
    if (nowLocked !== undefined) throw lockedError(nowLocked, now);
    throw invalidCredentials();
  }
  if (patron.status === 'blocked') throw blocked();
  if (attempts) await ports.loginAttempts.clear(input.cardNumber, now);

  const session = await ports.sessions.start(patron.id, now);
  return tokensFor(ports, patron, session, now);
}

const invalidRefreshToken = () =>
  new UnauthorizedError('The refresh token is not valid. Please sign in again.', 'INVALID_REFRESH_TOKEN');

export async function refresh(ports: SignInPorts, refreshToken: string): Promise<SignedIn> {
  const now = ports.clock.now();
  const rotated = await ports.sessions.rotate(refreshToken, now);
  if (rotated.outcome !== 'rotated') throw invalidRefreshToken();
  // Roles and status are read again: a change by a librarian applies at the next refresh at the latest.
  const patron = await ports.patrons.get(rotated.patronId);
  if (!patron) {
    await ports.sessions.revoke(rotated.refreshToken, now);
    throw invalidRefreshToken();
  }
  if (patron.status === 'blocked') {
    await ports.sessions.revoke(rotated.refreshToken, now);
    throw blocked();
  }
  return tokensFor(ports, patron, rotated, now);
}

/** Ends the session of the refresh token. Idempotent: an unknown or revoked token is not an error. */
export async function logout(ports: SignInPorts, refreshToken: string): Promise<void> {
  await ports.sessions.revoke(refreshToken, ports.clock.now());
}
