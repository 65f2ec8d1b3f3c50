import type { Caller } from './caller';
import { entitlementsFromClaims } from './entitlements';
import { ServiceUnavailableError, UnauthorizedError } from './errors';
import type { Partner } from './partner';
import type { Clock } from './ports';

/**
 * Exchanging a partner member's token (an "assertion" signed by the university's identity provider) for a
 * gateway session: the issuer is looked up exactly, the token verified against the partner's pinned key set
 * with the partner's algorithms, audience and age limits, its `jti` claimed once, its claims mapped to
 * entitlements by the partner's rules, and the member known from then on only by a pseudonym.
 */

/** The claims of a verified member token that the exchange relies on. */
export interface VerifiedAssertion {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
  claims: Record<string, unknown>;
}

/** Port: verifies member tokens (adapter: jose with a remote key set cached per partner). */
export interface AssertionVerifier {
  /** The `iss` of a token, read without verifying (only to find the partner); undefined if unreadable. */
  peekIssuer(assertion: string): string | undefined;
  /**
   * Verifies the token for the partner. Throws UnauthorizedError (INVALID_ASSERTION) for a token that does not
   * verify, ServiceUnavailableError (PARTNER_KEYS_UNAVAILABLE) when the partner's key set cannot be fetched.
   */
  verify(assertion: string, partner: Partner, now: Date): Promise<VerifiedAssertion>;
}

/** Port: remembers used token ids until the token would have expired anyway. */
export interface ReplayGuard {
  /** True the first time (partner, jti) is seen; false on a replay. */
  claimOnce(partnerId: string, jti: string, expiresAt: Date, now: Date): Promise<boolean>;
}

/**
 * Port: a stable pseudonymous id for (issuer, subject): the same member always gets the same id. Async because
 * the adapter reads its secret lazily (Secrets Manager on AWS); throws ServiceUnavailableError when it cannot.
 */
export interface Pseudonyms {
  subjectFor(issuer: string, sub: string): Promise<string>;
}

export interface GatewaySession {
  accessToken: string;
  /** Rotated by POST /auth/refresh like a patron's (functions/domain/sign-in.ts). */
  refreshToken: string;
  expiresIn: number;
}

/** Port: issues the gateway's own tokens (identity's token service and sessions). */
export interface GatewaySessionIssuer {
  issue(member: Caller, now: Date): Promise<GatewaySession>;
}

export interface PartnerLookup {
  getByIssuer(issuer: string): Promise<Partner | undefined>;
}

export interface FederationPorts {
  clock: Clock;
  partners: PartnerLookup;
  assertions: AssertionVerifier;
  replays: ReplayGuard;
  pseudonyms: Pseudonyms;
  sessions: GatewaySessionIssuer;
}

export interface FederatedSignIn extends GatewaySession {
  partnerId: string;
  entitlements: string[];
}

export const federationErrors = {
  invalidAssertion: (detail = 'The partner token is not valid.') =>
    new UnauthorizedError({ code: 'INVALID_ASSERTION', detail }),
  unknownIssuer: () =>
    new UnauthorizedError({
      code: 'UNKNOWN_ISSUER',
      detail: 'The partner token comes from an issuer the library does not trust.',
    }),
  replayed: () =>
    new UnauthorizedError({ code: 'ASSERTION_REPLAYED', detail: 'This partner token was already used.' }),
  notEntitled: () =>
    new UnauthorizedError({
      code: 'NOT_ENTITLED',
      detail: 'Your university did not grant you access to the library’s resources.',
    }),
  keysUnavailable: (partnerId: string, cause?: unknown) =>
    new ServiceUnavailableError({
      code: 'PARTNER_KEYS_UNAVAILABLE',
      detail: 'The university’s sign-in keys cannot be reached right now. Please try again shortly.',
      context: { partnerId },
      cause,
    }),
};

export async function exchangeAssertion(ports: FederationPorts, assertion: string): Promise<FederatedSignIn> {
  const now = ports.clock.now();
  const issuer = ports.assertions.peekIssuer(assertion);
  if (issuer === undefined) throw federationErrors.invalidAssertion();
  // Exact match: `https://idp.partner.edu/` and `https://IDP.partner.edu` are different (unknown) issuers.
  const partner = await ports.partners.getByIssuer(issuer);
  if (!partner || partner.status !== 'active' || partner.issuer !== issuer)
    throw federationErrors.unknownIssuer();

  const verified = await ports.assertions.verify(assertion, partner, now);
  const member = await admitMember(ports, partner, {
    sub: verified.sub,
    claims: verified.claims,
    replayId: verified.jti,
    expiresAt: new Date(verified.exp * 1000),
  });
  const { accessToken, refreshToken, expiresIn } = await ports.sessions.issue(member, now);
  return { accessToken, refreshToken, expiresIn, partnerId: partner.id, entitlements: member.entitlements! };
}

/** A member's identity as the partner vouched for it, by a token exchange or a campus sign-in. */
export interface VouchedMember {
  sub: string;
  claims: Record<string, unknown>;
  /** Accepted once per partner (a token's `jti`, a sign-in's nonce). */
  replayId: string;
  /** How long the replay id must be remembered. */
  expiresAt: Date;
}

/**
 * The one way a partner's member becomes a gateway caller, shared by `POST /auth/federated` and campus sign-in
 * (functions/domain/campus-sign-in.ts): the partner's rules turn claims into entitlements (none: refused), the
 * member is known by a pseudonym, and the replay id is claimed once.
 */
export async function admitMember(
  ports: Pick<FederationPorts, 'clock' | 'replays' | 'pseudonyms'>,
  partner: Partner,
  vouched: VouchedMember,
): Promise<Caller> {
  const now = ports.clock.now();
  const entitlements = entitlementsFromClaims(partner, vouched.claims);
  if (entitlements.length === 0) throw federationErrors.notEntitled();
  const patronId = await ports.pseudonyms.subjectFor(partner.issuer, vouched.sub);
  // Claimed only for tokens that would otherwise succeed, so a refused token does not burn its jti.
  if (!(await ports.replays.claimOnce(partner.id, vouched.replayId, vouched.expiresAt, now))) {
    throw federationErrors.replayed();
  }
  return { patronId, roles: [], partnerId: partner.id, entitlements };
}
