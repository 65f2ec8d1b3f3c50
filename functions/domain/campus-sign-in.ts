import type { Caller } from './caller';
import {
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from './errors';
import {
  admitMember,
  type FederatedSignIn,
  type FederationPorts,
  type GatewaySessionIssuer,
} from './federation';
import type { Partner } from './partner';
import type { Clock, PartnerRepository } from './ports';

/**
 * Campus sign-in: a member signs in at their university's OpenID Provider (authorization code + PKCE S256) and
 * comes back a gateway member, through the same admission as `POST /auth/federated` (admitMember: the
 * partner's rules, a pseudonym, replay protection).
 *
 * The browser carries the flow (state, nonce, PKCE verifier, where to go afterwards) in a short-lived signed
 * HttpOnly cookie, so nothing is stored before the member comes back and a callback that was not started in
 * this browser is refused. Nothing is signed in until the app redeems the one-time hand-off code by POST: the
 * callback puts no token in any URL, and a failed callback leaves no session behind.
 */

/** What the browser keeps between the start and the callback (sealed: the browser cannot read or change it). */
export interface CampusFlow {
  partnerId: string;
  state: string;
  nonce: string;
  /** PKCE S256 verifier; only its challenge went to the provider. */
  codeVerifier: string;
  /** App-relative route to open after sign-in (checkReturnPath). */
  returnPath: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Port: signs and checks the flow cookie (adapter: jose, key derived from a server secret). */
export interface CampusFlowSealer {
  seal(flow: CampusFlow): Promise<string>;
  /** The flow, or undefined when the value is missing, altered, signed with another key or expired. */
  open(value: string | undefined, now: Date): Promise<CampusFlow | undefined>;
}

/** What the provider vouched for once the code exchange and the ID token checked out. */
export interface CampusIdentity {
  sub: string;
  claims: Record<string, unknown>;
  /** The ID token's `exp`. */
  expiresAt: Date;
}

/** Port: the relying party (adapter: openid-client, metadata and keys cached per partner). */
export interface CampusProvider {
  /**
   * A new flow's secrets and the authorization URL (code, S256 challenge, state, nonce, the exact redirect
   * URI). Throws ServiceUnavailableError (PARTNER_UNAVAILABLE) when the provider's metadata cannot be read.
   */
  begin(partner: Partner): Promise<{ url: string; state: string; nonce: string; codeVerifier: string }>;
  /**
   * Checks the authorization response (`iss` per RFC 9207, error, state), exchanges the code with the
   * verifier and checks the ID token (pinned keys, iss, aud, exp, nonce, at_hash). Throws the campus errors.
   */
  complete(partner: Partner, response: URLSearchParams, flow: CampusFlow): Promise<CampusIdentity>;
}

/** Port: the one-time codes that hand a finished sign-in to the app. */
export interface CampusHandoffs {
  /** A fresh code (returned once, stored only as a hash) that redeems `member` until `expiresAt`. */
  issue(member: Caller, returnPath: string, expiresAt: Date): Promise<string>;
  /** The member and return path, the first time only and before expiry; undefined otherwise. */
  redeem(code: string, now: Date): Promise<{ member: Caller; returnPath: string } | undefined>;
}

/** Port: partners' OIDC client secrets (Secrets Manager on AWS, DATA_DIR locally); never in the record. */
export interface PartnerSecretStore {
  put(partnerId: string, secret: string): Promise<void>;
  get(partnerId: string): Promise<string | undefined>;
}

export interface CampusSignInPorts extends Pick<FederationPorts, 'clock' | 'replays' | 'pseudonyms'> {
  clock: Clock;
  partners: Pick<PartnerRepository, 'get'>;
  provider: CampusProvider;
  flows: CampusFlowSealer;
  handoffs: CampusHandoffs;
  sessions: GatewaySessionIssuer;
}

/** How long a member may take at the university's login and consent screens. */
export const campusFlowSeconds = 600;
/** How long the app has to redeem the hand-off code (it does so at once). */
export const handoffSeconds = 60;

export const campusErrors = {
  notOffered: (partnerId: string) =>
    new NotFoundError({
      code: 'CAMPUS_SIGN_IN_NOT_OFFERED',
      detail: 'This institution does not offer campus sign-in here.',
      context: { partnerId },
    }),
  suspended: (partnerId: string) =>
    new ForbiddenError({
      code: 'PARTNER_SUSPENDED',
      detail: 'The library’s agreement with this institution is suspended: its members cannot sign in now.',
      context: { partnerId },
    }),
  stateInvalid: (detail = 'This sign-in was not started in this browser, or it was altered.') =>
    new ValidationError({ code: 'CAMPUS_STATE_INVALID', detail }),
  replayed: () =>
    new ValidationError({
      code: 'CAMPUS_CODE_REPLAYED',
      detail: 'This sign-in response was already used. Start the sign-in again.',
    }),
  consentDenied: () =>
    new ForbiddenError({
      code: 'CAMPUS_CONSENT_DENIED',
      detail: 'Sign-in was cancelled at the university, or it did not agree to share what the library needs.',
    }),
  failed: (detail = 'The university could not sign you in.') =>
    new ValidationError({ code: 'CAMPUS_SIGN_IN_FAILED', detail }),
  codeRejected: () =>
    new ValidationError({
      code: 'CAMPUS_CODE_REJECTED',
      detail:
        'The university refused the sign-in code (used already, expired, or not issued for this browser).',
    }),
  idTokenInvalid: (detail = 'The university’s ID token did not pass the checks.') =>
    new UnauthorizedError({ code: 'CAMPUS_ID_TOKEN_INVALID', detail }),
  issuerMismatch: () =>
    new UnauthorizedError({
      code: 'CAMPUS_ISSUER_MISMATCH',
      detail: 'The sign-in response comes from another identity provider than the one it was sent to.',
    }),
  expired: () =>
    new UnauthorizedError({
      code: 'CAMPUS_SIGN_IN_EXPIRED',
      detail: 'This sign-in hand-off is unknown, used already or expired. Sign in again.',
    }),
  unavailable: (partnerId: string, cause?: unknown) =>
    new ServiceUnavailableError({
      code: 'PARTNER_UNAVAILABLE',
      detail: 'The university’s sign-in service is not answering right now. Please try again shortly.',
      context: { partnerId },
      cause,
    }),
  invalidReturnPath: () =>
    new ValidationError({
      code: 'INVALID_RETURN_PATH',
      detail: 'The return path must be a route of the app (starting with #/), never another site.',
    }),
};

/**
 * Where the app goes after sign-in: one of its own hash routes (`#/titles/t-1`), never a URL of another site
 * (`https://…`, `//host`, `#//host`, backslashes), printable ASCII only, at most 512 characters.
 */
export function checkReturnPath(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '#/';
  if (raw.length > 512 || !/^#\/(?![/\\])[\x21-\x7E]*$/.test(raw) || raw.includes('\\')) {
    throw campusErrors.invalidReturnPath();
  }
  return raw;
}

async function offeringPartner(ports: Pick<CampusSignInPorts, 'partners'>, id: string): Promise<Partner> {
  const partner = await ports.partners.get(id);
  if (!partner?.oidc) throw campusErrors.notOffered(id);
  if (partner.status !== 'active') throw campusErrors.suspended(id);
  return partner;
}

/** Step 1: the authorization URL to send the browser to, and the sealed flow for its cookie. */
export async function startCampusSignIn(
  ports: Pick<CampusSignInPorts, 'clock' | 'partners' | 'provider' | 'flows'>,
  partnerId: string,
  returnPath: string | undefined,
): Promise<{ url: string; flowCookie: string }> {
  const path = checkReturnPath(returnPath);
  const partner = await offeringPartner(ports, partnerId);
  const { url, state, nonce, codeVerifier } = await ports.provider.begin(partner);
  const expiresAt = Math.floor(ports.clock.now().getTime() / 1000) + campusFlowSeconds;
  const flowCookie = await ports.flows.seal({
    partnerId: partner.id,
    state,
    nonce,
    codeVerifier,
    returnPath: path,
    expiresAt,
  });
  return { url, flowCookie };
}

/**
 * Step 2, the callback: checks the browser's flow against the response, uses the flow once, has the provider
 * complete it, admits the member and returns a one-time hand-off code. Nothing is signed in yet.
 */
export async function finishCampusSignIn(
  ports: CampusSignInPorts,
  response: URLSearchParams,
  flowCookie: string | undefined,
): Promise<{ handoff: string; returnPath: string }> {
  const now = ports.clock.now();
  const flow = await ports.flows.open(flowCookie, now);
  if (!flow) throw campusErrors.stateInvalid();
  const state = response.get('state');
  if (state === null || state !== flow.state) {
    throw campusErrors.stateInvalid('The sign-in response does not belong to the sign-in started here.');
  }
  if (!flow.codeVerifier) throw campusErrors.stateInvalid('The sign-in lacks its PKCE verifier.');
  const partner = await offeringPartner(ports, flow.partnerId);
  // A flow is used once, whatever its outcome: a replayed callback URL is refused before the code is sent.
  const flowEnds = new Date(flow.expiresAt * 1000);
  if (!(await ports.replays.claimOnce(partner.id, `campus-state:${flow.state}`, flowEnds, now))) {
    throw campusErrors.replayed();
  }
  const identity = await ports.provider.complete(partner, response, flow);
  const member = await admitMember(ports, partner, {
    sub: identity.sub,
    claims: identity.claims,
    replayId: `campus-nonce:${flow.nonce}`,
    expiresAt: identity.expiresAt > flowEnds ? identity.expiresAt : flowEnds,
  });
  const handoff = await ports.handoffs.issue(
    member,
    flow.returnPath,
    new Date(now.getTime() + handoffSeconds * 1000),
  );
  return { handoff, returnPath: flow.returnPath };
}

export interface CampusSignedIn extends FederatedSignIn {
  partnerName: string;
  returnPath: string;
}

/** Step 3, by the app: the one-time code becomes the gateway session (the partner is read again first). */
export async function redeemCampusHandoff(
  ports: Pick<CampusSignInPorts, 'clock' | 'partners' | 'handoffs' | 'sessions'>,
  code: string,
): Promise<CampusSignedIn> {
  const now = ports.clock.now();
  const taken = await ports.handoffs.redeem(code, now);
  if (!taken?.member.partnerId) throw campusErrors.expired();
  const partner = await offeringPartner(ports, taken.member.partnerId);
  const session = await ports.sessions.issue(taken.member, now);
  return {
    ...session,
    partnerId: partner.id,
    partnerName: partner.name,
    entitlements: taken.member.entitlements ?? [],
    returnPath: taken.returnPath,
  };
}
