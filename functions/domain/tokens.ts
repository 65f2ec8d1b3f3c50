import type { Caller } from './caller';

/**
 * Port: the gateway's own access tokens. Short-lived signed JWTs that anyone can verify from the published
 * key set; the adapter (functions/adapters/token-service.ts) signs with jose.
 *
 * Time is passed in (`now`) rather than read from a clock inside, so every caller uses the injected clock.
 */

/** Whom a token speaks for: a patron or librarian, or (federation) a partner member with entitlements. */
export interface TokenSubject extends Caller {
  /** The refresh-token family (sign-in session) the token was issued under, if any. */
  sessionId?: string;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds from `now` until the token expires. */
  expiresIn: number;
  expiresAt: Date;
  /** The token's unique id (`jti`). */
  id: string;
}

/** A public key as published in the JWKS (RFC 7517). */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  [parameter: string]: unknown;
}

export interface JsonWebKeySet {
  keys: PublicJwk[];
}

export interface TokenService {
  /** Access-token lifetime in seconds (≤ 15 minutes). */
  readonly accessTokenSeconds: number;
  issue(subject: TokenSubject, options: { now: Date }): Promise<IssuedAccessToken>;
  /**
   * The subject of a valid token. Throws `UnauthorizedError` with code `INVALID_TOKEN` for anything else
   * (bad signature, wrong algorithm, issuer or audience, expired, unknown key, missing claims).
   */
  verify(token: string, options: { now: Date }): Promise<TokenSubject>;
  /** The public keys that verify tokens: the current one and, during a rotation, the previous one. */
  jwks(): Promise<JsonWebKeySet>;
}

/** The most an access token may live; the design caps it at 15 minutes. */
export const maxAccessTokenSeconds = 15 * 60;
