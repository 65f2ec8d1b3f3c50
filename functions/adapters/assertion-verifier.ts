import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { federationErrors, type AssertionVerifier, type VerifiedAssertion } from '../domain/federation';
import { asymmetricAlgorithms, type Partner } from '../domain/partner';

/**
 * Verifies partner member tokens with jose.
 *
 * - Keys come only from the partner's pinned `jwksUri`, through one `createRemoteJWKSet` per partner kept for
 *   the life of the process (rebuilt when the URI changes). Token headers that point elsewhere (`jku`, `x5u`)
 *   or carry a key (`jwk`, `x5c`) are never used: the remote set selects by `kid`/`alg` from the pinned set.
 * - The fetch has a timeout (a slow IdP gives 503 quickly, not a hang), a cooldown (an unknown `kid` triggers
 *   at most one refetch per cooldown, so forged kids cannot make us hammer the partner, while a real rotation
 *   is picked up), a cache age, and refuses redirects (the location is pinned, not just its first hop).
 * - `jwtVerify` names the partner's algorithms (asymmetric only, re-checked here), issuer, audience, the most
 *   a token may age, the required claims and the injected clock.
 */

export interface AssertionVerifierOptions {
  /** Give up fetching a key set after this long (ms). */
  timeoutMs: number;
  /** After a fetch, an unknown `kid` does not cause another fetch for this long (ms). */
  cooldownMs: number;
  /** Refetch a key set at the latest after this long (ms). */
  cacheMaxAgeMs: number;
  /** Leeway for `exp`, `nbf` and `iat` against our clock (seconds). */
  clockToleranceSeconds: number;
}

export const defaultAssertionVerifierOptions: AssertionVerifierOptions = {
  timeoutMs: 1_500,
  cooldownMs: 30_000,
  cacheMaxAgeMs: 10 * 60_000,
  clockToleranceSeconds: 30,
};

/** Longest assertion accepted before any parsing (a member token is a few KiB at most). */
const maxAssertionLength = 8 * 1024;

const noRedirects: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'error' });

function isKeySetFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // Connection refused, DNS failure, a refused redirect: fetch rejects with TypeError('fetch failed').
  if (!(error instanceof errors.JOSEError))
    return error instanceof TypeError && error.message === 'fetch failed';
  // A non-200 answer or a body that is not JSON: jose's generic error.
  return error.code === 'ERR_JOSE_GENERIC';
}

export function createAssertionVerifier(
  options: AssertionVerifierOptions = defaultAssertionVerifierOptions,
): AssertionVerifier & { forget(partnerId: string): void } {
  const keySets = new Map<string, { jwksUri: string; keys: JWTVerifyGetKey }>();

  function keySetOf(partner: Partner): JWTVerifyGetKey {
    const known = keySets.get(partner.id);
    if (known && known.jwksUri === partner.jwksUri) return known.keys;
    const keys = createRemoteJWKSet(new URL(partner.jwksUri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      [customFetch]: noRedirects,
    });
    keySets.set(partner.id, { jwksUri: partner.jwksUri, keys });
    return keys;
  }

  return {
    peekIssuer(assertion: string): string | undefined {
      if (assertion.length > maxAssertionLength) return undefined;
      try {
        const { iss } = decodeJwt(assertion);
        return typeof iss === 'string' ? iss : undefined;
      } catch {
        return undefined;
      }
    },

    async verify(assertion: string, partner: Partner, now: Date): Promise<VerifiedAssertion> {
      const algorithms = partner.algorithms.filter((a) =>
        (asymmetricAlgorithms as readonly string[]).includes(a),
      );
      if (algorithms.length === 0) throw federationErrors.invalidAssertion();
      try {
        const { payload } = await jwtVerify(assertion, keySetOf(partner), {
          algorithms,
          issuer: partner.issuer,
          audience: partner.audience,
          maxTokenAge: partner.maxTokenAgeSeconds,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
          clockTolerance: options.clockToleranceSeconds,
          currentDate: now,
        });
        const { sub, jti, exp, iat } = payload;
        if (typeof sub !== 'string' || !sub || typeof jti !== 'string' || !jti || jti.length > 256) {
          throw federationErrors.invalidAssertion('The partner token lacks a usable sub or jti.');
        }
        return { sub, jti, exp: exp!, iat: iat!, claims: payload as Record<string, unknown> };
      } catch (error) {
        if (error instanceof errors.JOSEError || error instanceof TypeError) {
          if (isKeySetFailure(error)) throw federationErrors.keysUnavailable(partner.id, error);
          throw federationErrors.invalidAssertion(
            error instanceof errors.JOSEError ? reasonOf(error) : undefined,
          );
        }
        throw error;
      }
    },

    forget(partnerId: string): void {
      keySets.delete(partnerId);
    },
  };
}

/** A short reason for the problem body; never the key material or the token. */
function reasonOf(error: errors.JOSEError): string {
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The partner token has expired.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The partner token is signed with an algorithm this partner may not use.';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'The partner token is signed with a key the partner does not publish.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The partner token's ${(error as errors.JWTClaimValidationFailed).claim} claim is not acceptable.`;
    default:
      return 'The partner token is not valid.';
  }
}
