import { createHash } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import {
  campusErrors,
  type CampusFlow,
  type CampusIdentity,
  type CampusProvider,
  type PartnerSecretStore,
} from '../domain/campus-sign-in';
import { currentDeadline } from '../domain/deadline';
import { PustakaError } from '../domain/errors';
import type { Partner } from '../domain/partner';
import { isUnreachable } from './dependency-timeouts';

/**
 * The relying party of campus sign-in, with openid-client (a certified RP library).
 *
 * - Metadata from `<issuer>/.well-known/openid-configuration`, once per partner and then cached for
 *   `metadataMaxAgeMs` (and rebuilt when the issuer, client or secret changes). Its `issuer` must equal the
 *   partner's issuer exactly; its `jwks_uri` is the only key set ID tokens are checked against (non-repudiation
 *   checks on), never a key or URL named by a token.
 * - Every request to the provider is bounded by `timeoutMs` and by the API request's deadline, refuses
 *   redirects, and a provider that is down, slow or answers 5xx becomes 503 PARTNER_UNAVAILABLE: the same
 *   bounds as the key-set fetch of token exchange (JWKS_TIMEOUT_MS) and the same reading of network errors as
 *   the AWS clients (isUnreachable).
 * - The redirect URI is one fixed, exact URL (the API's callback), never taken from a request.
 * - The client secret is read from the partner secret store when needed and sent in the Authorization header
 *   (client_secret_basic), never in a body, a URL or a log line.
 */
export interface CampusProviderOptions {
  redirectUri: string;
  timeoutMs: number;
  metadataMaxAgeMs: number;
  /** Local mode: providers on http://127.0.0.1 / localhost (the demo university, tests). */
  allowLoopbackHttp: boolean;
  secrets: PartnerSecretStore;
}

interface Cached {
  fingerprint: string;
  until: number;
  config: Promise<oidc.Configuration>;
}

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function createCampusProvider(options: CampusProviderOptions): CampusProvider & {
  forget(partnerId: string): void;
} {
  const cache = new Map<string, Cached>();

  const boundedFetch: oidc.CustomFetch = (url, init) => {
    const signals = [AbortSignal.timeout(options.timeoutMs)];
    const deadline = currentDeadline();
    if (deadline) signals.push(deadline.signal);
    if (init.signal) signals.push(init.signal);
    return fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any(signals) } as RequestInit);
  };

  async function configure(partner: Partner): Promise<oidc.Configuration> {
    const settings = partner.oidc!;
    const secret = settings.clientSecretSet ? await options.secrets.get(partner.id) : undefined;
    if (settings.clientSecretSet && secret === undefined) {
      throw campusErrors.unavailable(partner.id, new Error('the client secret is not in the secret store'));
    }
    const issuerUrl = new URL(partner.issuer);
    const insecure = options.allowLoopbackHttp && loopbackHosts.has(issuerUrl.hostname);
    const config = await oidc.discovery(
      issuerUrl,
      settings.clientId,
      {
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        id_token_signed_response_alg: partner.algorithms[0] ?? 'RS256',
      },
      secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
      {
        [oidc.customFetch]: boundedFetch,
        timeout: options.timeoutMs / 1000,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      },
    );
    // openid-client compares issuers as URLs; trust decisions here compare them as exact strings.
    if (config.serverMetadata().issuer !== partner.issuer) {
      throw campusErrors.unavailable(
        partner.id,
        new Error('the discovered issuer is not the partner issuer'),
      );
    }
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  function configOf(partner: Partner): Promise<oidc.Configuration> {
    const fingerprint = JSON.stringify([
      partner.issuer,
      partner.oidc?.clientId,
      partner.oidc?.clientSecretSet,
      partner.algorithms[0],
      partner.updatedAt,
    ]);
    const now = Date.now();
    const known = cache.get(partner.id);
    if (known && known.fingerprint === fingerprint && known.until > now) return known.config;
    const config = configure(partner).catch((error: unknown) => {
      cache.delete(partner.id);
      throw asUnavailable(partner, error);
    });
    cache.set(partner.id, { fingerprint, until: now + options.metadataMaxAgeMs, config });
    return config;
  }

  return {
    async begin(partner: Partner) {
      const config = await configOf(partner);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: partner.oidc!.scopes.join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state, nonce, codeVerifier };
    },

    async complete(partner: Partner, response: URLSearchParams, flow: CampusFlow): Promise<CampusIdentity> {
      const config = await configOf(partner);
      const metadata = config.serverMetadata();
      // RFC 9207 before anything else: a response from another provider (a mix-up) is refused as such.
      const iss = response.get('iss');
      if (iss !== null ? iss !== partner.issuer : metadata.authorization_response_iss_parameter_supported) {
        throw campusErrors.issuerMismatch();
      }
      const callback = new URL(options.redirectUri);
      for (const [name, value] of response) callback.searchParams.append(name, value);
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw refusalOf(partner, error);
      }
      const claims = tokens.claims();
      if (!claims || typeof claims.sub !== 'string' || !claims.sub) throw campusErrors.idTokenInvalid();
      checkAtHash(tokens.id_token!, tokens.access_token, claims.at_hash);
      return {
        sub: claims.sub,
        claims: { ...claims },
        expiresAt: new Date(claims.exp * 1000),
      };
    },

    forget(partnerId: string) {
      cache.delete(partnerId);
    },
  };
}

/** OIDC Core 3.1.3.6: the left half of the hash of the access token, with the ID token's hash function. */
export function checkAtHash(idToken: string, accessToken: string, atHash: unknown): void {
  if (atHash === undefined) return;
  const { alg = '' } = decodeProtectedHeader(idToken);
  const hash = /512$|^EdDSA$|^Ed25519$/.test(alg) ? 'sha512' : /384$/.test(alg) ? 'sha384' : 'sha256';
  const digest = createHash(hash).update(accessToken).digest();
  const expected = digest.subarray(0, digest.length / 2).toString('base64url');
  if (atHash !== expected) throw campusErrors.idTokenInvalid('The ID token’s at_hash does not match.');
}

function isProviderDown(error: unknown): boolean {
  if (isUnreachable(error)) return true;
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  const code = (error as { code?: unknown })?.code;
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return true;
  // A 5xx or a body that is not JSON where JSON was due: the provider is broken right now, not the member.
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') return true;
  const cause = (error as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== error && isUnreachable(cause);
}

function asUnavailable(partner: Partner, error: unknown): PustakaError {
  return error instanceof PustakaError ? error : campusErrors.unavailable(partner.id, error);
}

/** What went wrong in the code exchange or the ID token, as the campus errors say it. */
function refusalOf(partner: Partner, error: unknown): PustakaError {
  if (error instanceof PustakaError) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    return error.error === 'access_denied'
      ? campusErrors.consentDenied()
      : campusErrors.failed(`The university answered ${error.error}.`);
  }
  if (error instanceof oidc.ResponseBodyError) {
    if (error.status >= 500) return campusErrors.unavailable(partner.id, error);
    return campusErrors.codeRejected();
  }
  if (isProviderDown(error)) return campusErrors.unavailable(partner.id, error);
  if (failedClaim(error) === 'iss') return campusErrors.issuerMismatch();
  return campusErrors.idTokenInvalid();
}

/** The claim an ID token check failed on (oauth4webapi puts it in the cause chain). */
function failedClaim(error: unknown, depth = 0): unknown {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { claim, cause } = error as { claim?: unknown; cause?: unknown };
  return claim ?? failedClaim(cause, depth + 1);
}
