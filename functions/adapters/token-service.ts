import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  SignJWT,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import type { Role } from '../domain/patron';
import { ServiceUnavailableError, UnauthorizedError } from '../domain/errors';
import {
  maxAccessTokenSeconds,
  type IssuedAccessToken,
  type JsonWebKeySet,
  type TokenService,
  type TokenSubject,
} from '../domain/tokens';
import { deriveSigningKey, signingAlgorithm, type SigningKey, type SigningKeySource } from './signing-keys';

export interface TokenServiceOptions {
  issuer: string;
  audience: string;
  keys: SigningKeySource;
  /** Access-token lifetime, seconds, 60..900 (default 900). */
  accessTokenSeconds?: number;
  /** Accepted clock skew when verifying, seconds, 0..30 (default 5). */
  clockToleranceSeconds?: number;
}

/** RFC 9068 access-token media type: a token of another kind (e.g. an ID token) is not accepted as one. */
const accessTokenType = 'at+jwt';
const knownRoles: readonly Role[] = ['patron', 'librarian'];

interface KeyRing {
  signing: SigningKey;
  jwks: JsonWebKeySet;
  verifyWith: ReturnType<typeof createLocalJWKSet>;
}

const invalidToken = (detail = 'The access token is not valid.', cause?: unknown) =>
  Object.assign(new UnauthorizedError({ code: 'INVALID_TOKEN', detail }), cause ? { cause } : {});

function subjectOf(payload: JWTPayload): TokenSubject {
  const { sub, roles, partner_id: partnerId, entitlements, sid } = payload;
  if (typeof sub !== 'string' || sub.length === 0) throw invalidToken();
  if (!Array.isArray(roles) || !roles.every((r) => knownRoles.includes(r as Role))) throw invalidToken();
  if (partnerId !== undefined && typeof partnerId !== 'string') throw invalidToken();
  if (
    entitlements !== undefined &&
    !(Array.isArray(entitlements) && entitlements.every((e) => typeof e === 'string'))
  ) {
    throw invalidToken();
  }
  if (sid !== undefined && typeof sid !== 'string') throw invalidToken();
  return {
    patronId: sub,
    roles: roles as Role[],
    ...(partnerId !== undefined ? { partnerId } : {}),
    ...(entitlements !== undefined ? { entitlements: entitlements as string[] } : {}),
    ...(sid !== undefined ? { sessionId: sid } : {}),
  };
}

/**
 * Access tokens with jose: EdDSA (Ed25519) JWTs with `kid`, `typ: at+jwt`, iss/aud/sub/roles/iat/exp/jti.
 * The key material is read once (first use, i.e. once per cold start) and kept; a failed read is retried on
 * the next request rather than cached.
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const accessTokenSeconds = options.accessTokenSeconds ?? maxAccessTokenSeconds;
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  if (
    !Number.isInteger(accessTokenSeconds) ||
    accessTokenSeconds < 60 ||
    accessTokenSeconds > maxAccessTokenSeconds
  ) {
    throw new RangeError(`accessTokenSeconds must be a whole number in 60..${maxAccessTokenSeconds}`);
  }
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 30) {
    throw new RangeError('clockToleranceSeconds must be a whole number in 0..30');
  }
  if (!options.issuer || !options.audience) throw new RangeError('issuer and audience are required');

  let ring: Promise<KeyRing> | undefined;
  const keyRing = (): Promise<KeyRing> => {
    ring ??= (async () => {
      const material = await options.keys();
      const current = await deriveSigningKey(material.current);
      const previous =
        material.previous && material.previous !== material.current
          ? await deriveSigningKey(material.previous)
          : undefined;
      const jwks: JsonWebKeySet = { keys: [current.jwk, ...(previous ? [previous.jwk] : [])] };
      return {
        signing: current,
        jwks,
        verifyWith: createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
      };
    })().catch((error: unknown) => {
      ring = undefined;
      throw new ServiceUnavailableError({
        code: 'KEYS_UNAVAILABLE',
        detail: 'Signing keys are not available.',
        cause: error,
      });
    });
    return ring;
  };

  return {
    accessTokenSeconds,

    async issue(subject: TokenSubject, { now }: { now: Date }): Promise<IssuedAccessToken> {
      const { signing } = await keyRing();
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + accessTokenSeconds;
      const id = randomUUID();
      const token = await new SignJWT({
        roles: subject.roles,
        ...(subject.partnerId !== undefined ? { partner_id: subject.partnerId } : {}),
        ...(subject.entitlements !== undefined ? { entitlements: subject.entitlements } : {}),
        ...(subject.sessionId !== undefined ? { sid: subject.sessionId } : {}),
      })
        .setProtectedHeader({ alg: signingAlgorithm, kid: signing.kid, typ: accessTokenType })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(subject.patronId)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(id)
        .sign(signing.privateKey);
      return { token, expiresIn: accessTokenSeconds, expiresAt: new Date(exp * 1000), id };
    },

    async verify(token: string, { now }: { now: Date }): Promise<TokenSubject> {
      const { verifyWith } = await keyRing();
      try {
        // Our tokens always name their key: one without a kid is not ours, even if a key would fit.
        const keyFor = (header: JWSHeaderParameters, input: FlattenedJWSInput) => {
          if (typeof header.kid !== 'string') throw new errors.JWKSNoMatchingKey();
          return verifyWith(header, input);
        };
        const { payload } = await jwtVerify(token, keyFor, {
          algorithms: [signingAlgorithm],
          issuer: options.issuer,
          audience: options.audience,
          typ: accessTokenType,
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
          maxTokenAge: `${accessTokenSeconds + clockTolerance}s`,
          clockTolerance,
          currentDate: now,
        });
        return subjectOf(payload);
      } catch (error) {
        if (error instanceof UnauthorizedError) throw error;
        if (error instanceof errors.JWTExpired) throw invalidToken('The access token has expired.', error);
        // Everything else jose refuses (signature, alg, kid, claims, shape) gets the same answer.
        throw invalidToken('The access token is not valid.', error);
      }
    },

    async jwks(): Promise<JsonWebKeySet> {
      return (await keyRing()).jwks;
    },
  };
}
