import ipaddr from 'ipaddr.js';
import { parseAddress } from './campus';
import type { Caller } from './caller';
import { TooManyRequestsError, UnauthorizedError } from './errors';
import { lendingErrors } from './lending-errors';
import { profileOf, type Patron, type PatronProfile } from './patron';
import type { Clock, PartnerRepository, PatronRepository } from './ports';
import type { TokenService } from './tokens';

/**
 * Signing in with a library card and PIN, refreshing and signing out.
 *
 * Rules:
 * - An unknown card and a wrong PIN get the same answer (INVALID_CREDENTIALS) after the same work: the PIN is
 *   checked against a dummy hash when the card is unknown, and failed attempts are counted per card number
 *   whether or not the card exists, so neither timing nor lockout tells an attacker which cards are real.
 * - At most 5 PINs are checked per card number per window (15 minutes from its first attempt), however many
 *   requests arrive at once: each attempt reserves its check atomically BEFORE the PIN is verified, and an attempt
 *   that finds the window's checks taken is refused unchecked (ACCOUNT_LOCKED until the window ends). Reading a
 *   lock first and counting the failure after the scrypt run let a burst of guesses pass the read together.
 * - 5 failures within the window lock the card for 15 minutes, even for the right PIN (ACCOUNT_LOCKED). An attempt
 *   refused unchecked counts as a failure too (no attempt goes uncounted).
 * - A right PIN clears the record only when its check was the window's only one: then nobody else is in flight
 *   and nothing is handed back. Otherwise it forgives the failures (they will not lock the card) but the checks
 *   already reserved stay reserved, including those of requests still verifying: handing them back would let the
 *   rest of a burst that carries the right PIN take fresh checks, which is the bypass again.
 * - Per client address, sign-in attempts are limited too (RATE_LIMITED): spraying a few PINs over many cards
 *   from one address stays under every card's limit. IPv6 clients count per /64 (one subscriber's network).
 * - Blocked patrons are told so only after the PIN is right, so "blocked" is not an oracle either.
 * - Refresh tokens rotate; presenting one that was already rotated revokes its whole family (theft detection).
 * - Partner members (federated sign-in) have no patron record: their session keeps what the partner granted
 *   (partner, entitlements, pseudonymous id), and a refresh checks the partner instead: suspended or gone ends
 *   the session, and entitlements the partner no longer defines are dropped. A member session ends
 *   `memberSessionPolicy.maxSeconds` after the federated sign-in however often it is refreshed, so the partner
 *   is asked again at least that often (someone who left the university loses access within that time).
 */

export const lockoutPolicy = {
  /** PIN checks per card number and window, whatever the outcome and however concurrent. */
  maxChecks: 5,
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
  /** PIN checks reserved in the window (absent on a record that only ever counted failures). */
  checks?: number;
}

/** The outcome of reserving a PIN check: its number in the window, or until when none is to be had. */
export type CheckReservation = { granted: true; check: number } | { granted: false; until: number };

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
   * Reserves one PIN check of the card's window atomically (a conditional counter): at most
   * `lockoutPolicy.maxChecks` are granted per window, and none while the card is locked. A refused attempt is
   * counted as a failure (and may lock the card).
   */
  reserve(cardNumber: string, now: Date): Promise<CheckReservation>;
  /**
   * Counts one failure atomically (concurrent failures are all counted) and locks the card when the count
   * reaches the limit. Returns the attempts after this failure.
   */
  recordFailure(cardNumber: string, now: Date): Promise<LoginAttempts>;
  /**
   * After a successful sign-in: drops the record when its check was the window's only one; otherwise forgives
   * the failures but keeps the reserved checks. Never lifts a lock that started meanwhile.
   */
  clear(cardNumber: string, now: Date): Promise<void>;
}

/** Sign-in attempts per client address (fixed windows; the adapter holds the limit from the configuration). */
export interface AddressAttemptLimiter {
  /** Counts one attempt of the address; refused (with until when) once the window's limit is passed. */
  take(address: string, now: Date): Promise<{ allowed: true } | { allowed: false; until: number }>;
}

/**
 * Whose attempts are counted together: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber
 * usually holds a whole /64, so counting single IPv6 addresses would count nothing). Undefined when unparseable.
 */
export function addressSubject(address: string | undefined): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/64`);
  return `${prefix.toString()}/64`;
}

/** Checks PINs against stored scrypt hashes (adapter: functions/adapters/pin-hasher.ts). */
export interface PinVerifier {
  /** With `stored` undefined it checks against a dummy hash (same work) and answers false. */
  verify(pin: string, stored: string | undefined): Promise<boolean>;
}

export const memberSessionPolicy = {
  /** A member session's absolute lifetime from the federated sign-in (12 hours). */
  maxSeconds: 12 * 60 * 60,
} as const;

/** Whom a session (refresh-token family) belongs to. */
export interface SessionHolder {
  /** The patron id, or the partner member's pseudonymous id. */
  patronId: string;
  /** A partner member: what the partner granted at federated sign-in (there is no patron record to re-read). */
  member?: { partnerId: string; entitlements: string[] };
}

export type RefreshOutcome =
  | { outcome: 'rotated'; holder: SessionHolder; sessionId: string; refreshToken: string; expiresAt: Date }
  /** The token was already rotated: the family is now revoked. */
  | { outcome: 'reused' }
  /** Unknown, expired or its family revoked. */
  | { outcome: 'invalid' };

/** Refresh-token families. Tokens are opaque random strings; only their hashes are stored. */
export interface SessionRepository {
  /**
   * Starts a family with its first refresh token. With `endsAt`, the family ends then however often it is
   * rotated (no refresh token outlives it).
   */
  start(
    holder: SessionHolder,
    now: Date,
    options?: { endsAt?: Date },
  ): Promise<{ sessionId: string; refreshToken: string; expiresAt: Date }>;
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
  /** Sign-in attempts per client address. */
  loginAddresses: AddressAttemptLimiter;
  /** Member sessions: the partner is checked at each refresh. */
  partners: Pick<PartnerRepository, 'get'>;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  patron: PatronProfile;
}

/** The tokens of a partner member's session. */
export interface MemberSignedIn {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  partnerId: string;
  entitlements: string[];
}

export function lockedError(until: number, now: Date): TooManyRequestsError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  return new TooManyRequestsError({
    code: 'ACCOUNT_LOCKED',
    detail: 'Too many wrong PINs: this card is locked for a while. Try again later.',
    context: { retryAfterSeconds },
    retryAfterSeconds,
  });
}

function rateLimitedError(until: number, now: Date): TooManyRequestsError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  return new TooManyRequestsError({
    code: 'RATE_LIMITED',
    detail: 'Too many sign-in attempts from your network. Try again later.',
    context: { retryAfterSeconds },
    retryAfterSeconds,
  });
}

const invalidCredentials = () =>
  new UnauthorizedError({ code: 'INVALID_CREDENTIALS', detail: 'The card number or PIN is not right.' });

const blocked = lendingErrors.patronBlocked;

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

/**
 * Checks a card number and PIN under every sign-in rule above (address limit, reserved check, same work for
 * unknown cards, failures counted and locking, blocked told last) and answers the patron. Signing in and
 * HTTP Basic under /opds (where each request carries the card and PIN) both go through here, so neither is a
 * way around the lockout.
 */
export async function verifyCard(
  ports: Omit<SignInPorts, 'sessions' | 'tokens' | 'partners'>,
  input: { cardNumber: string; pin: string; clientAddress?: string | undefined },
): Promise<Patron> {
  const now = ports.clock.now();
  // The address is checked first, so that a refused address does not use up anyone's card checks. Without an
  // address (only an app called in-process has none) there is nothing to count by.
  const subject = addressSubject(input.clientAddress);
  if (subject !== undefined) {
    const admitted = await ports.loginAddresses.take(subject, now);
    if (!admitted.allowed) throw rateLimitedError(admitted.until, now);
  }
  // The patron is read only with a check reserved: a refused burst costs one write per attempt, not two calls.
  const reservation = await ports.loginAttempts.reserve(input.cardNumber, now);
  if (!reservation.granted) throw lockedError(reservation.until, now);
  const patron = await ports.patrons.getByCard(input.cardNumber);

  // Same work whether or not the card exists: a dummy hash stands in for the unknown card's.
  const pinIsRight = await ports.pins.verify(input.pin, patron?.pinHash);
  if (!patron || !pinIsRight) {
    const after = await ports.loginAttempts.recordFailure(input.cardNumber, now);
    const nowLocked = lockedUntil(after, now);
    if (nowLocked !== undefined) throw lockedError(nowLocked, now);
    throw invalidCredentials();
  }
  if (patron.status === 'blocked') throw blocked();
  await ports.loginAttempts.clear(input.cardNumber, now);
  return patron;
}

export async function login(
  ports: SignInPorts,
  input: { cardNumber: string; pin: string; clientAddress?: string | undefined },
): Promise<SignedIn> {
  const patron = await verifyCard(ports, input);
  const now = ports.clock.now();
  const session = await ports.sessions.start({ patronId: patron.id }, now);
  return tokensFor(ports, patron, session, now);
}

const invalidRefreshToken = (detail = 'The refresh token is not valid. Please sign in again.') =>
  new UnauthorizedError({ code: 'INVALID_REFRESH_TOKEN', detail });

/** Tokens for a partner member: access token with partner and entitlements, no roles, bound to the session. */
async function memberTokensFor(
  ports: Pick<SignInPorts, 'tokens'>,
  member: Required<SessionHolder>,
  session: { sessionId: string; refreshToken: string },
  now: Date,
): Promise<MemberSignedIn> {
  const { partnerId, entitlements } = member.member;
  const access = await ports.tokens.issue(
    { patronId: member.patronId, roles: [], partnerId, entitlements, sessionId: session.sessionId },
    { now },
  );
  return {
    accessToken: access.token,
    refreshToken: session.refreshToken,
    expiresIn: access.expiresIn,
    partnerId,
    entitlements,
  };
}

/**
 * Starts a partner member's session after a successful federated sign-in (functions/domain/federation.ts):
 * the caller must carry the partner and its entitlements.
 */
export async function startMemberSession(
  ports: Pick<SignInPorts, 'sessions' | 'tokens'>,
  member: Caller,
  now: Date,
): Promise<MemberSignedIn> {
  if (member.partnerId === undefined || !member.entitlements?.length) {
    throw new TypeError('startMemberSession: a partner member needs a partner and entitlements');
  }
  const holder = {
    patronId: member.patronId,
    member: { partnerId: member.partnerId, entitlements: [...member.entitlements] },
  };
  const endsAt = new Date(now.getTime() + memberSessionPolicy.maxSeconds * 1000);
  const session = await ports.sessions.start(holder, now, { endsAt });
  return memberTokensFor(ports, holder, session, now);
}

async function refreshMember(
  ports: SignInPorts,
  rotated: Extract<RefreshOutcome, { outcome: 'rotated' }> & { holder: Required<SessionHolder> },
  now: Date,
): Promise<MemberSignedIn> {
  const { partnerId, entitlements } = rotated.holder.member;
  // The partner is read again: suspending or removing it ends its members' sessions at the next refresh.
  const partner = await ports.partners.get(partnerId);
  const defined = new Set(partner?.entitlementRules.map((rule) => rule.entitlement) ?? []);
  const kept = entitlements.filter((entitlement) => defined.has(entitlement));
  if (!partner || partner.status !== 'active' || kept.length === 0) {
    await ports.sessions.revoke(rotated.refreshToken, now);
    throw invalidRefreshToken(
      'Your university’s access to the library has ended or changed. Please sign in through it again.',
    );
  }
  return memberTokensFor(
    ports,
    { patronId: rotated.holder.patronId, member: { partnerId, entitlements: kept } },
    rotated,
    now,
  );
}

const isMemberSession = (holder: SessionHolder): holder is Required<SessionHolder> =>
  holder.member !== undefined;

export async function refresh(ports: SignInPorts, refreshToken: string): Promise<SignedIn | MemberSignedIn> {
  const now = ports.clock.now();
  const rotated = await ports.sessions.rotate(refreshToken, now);
  if (rotated.outcome !== 'rotated') throw invalidRefreshToken();
  const { holder } = rotated;
  if (isMemberSession(holder)) return refreshMember(ports, { ...rotated, holder }, now);
  // Roles and status are read again: a change by a librarian applies at the next refresh at the latest.
  const patron = await ports.patrons.get(holder.patronId);
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
