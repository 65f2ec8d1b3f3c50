import ipaddr from 'ipaddr.js';
import { ValidationError } from './errors';
import { checkGoTargetAgainst } from './go-target';

/**
 * An academic partner: a university whose identity provider the library trusts for its members, whose campus
 * networks get its entitlements without a login, and whose licensed databases the library's patrons may be
 * sent to through `/go`.
 *
 * Everything that decides trust is matched exactly: the issuer string (no trailing-slash or case folding), the
 * JWKS location (pinned; never taken from a token header), the algorithms (asymmetric only), the audience,
 * and the scopes of scoped affiliations (equality, never a suffix).
 */

/** Asymmetric JWS algorithms a partner may sign member tokens with. HMAC and `none` are never accepted. */
export const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type AsymmetricAlgorithm = (typeof asymmetricAlgorithms)[number];

/**
 * Turns claims of a member token into an entitlement of the gateway.
 *
 * - `values`: the claim (e.g. `eduperson_entitlement`) must hold one of `values` exactly.
 * - `scoped-affiliation`: the claim (e.g. `eduperson_scoped_affiliation`) must hold `<affiliation>@<scope>`
 *   with the affiliation in `affiliations` and the scope equal to one of `scopes` (`member@partner.edu`
 *   matches scope `partner.edu`; `member@evil.partner.edu` and `member@partner.edu.evil` do not).
 *
 * Multi-valued claims arrive as JSON arrays. `shape: 'array'` (the default) ignores a claim sent as a bare
 * string; `'array-or-string'` accepts a string as one whole value. Values are always compared whole, so a
 * string never matches by containing the wanted value.
 */
export type EntitlementRule =
  | {
      kind: 'values';
      claim: string;
      values: string[];
      shape?: 'array' | 'array-or-string';
      entitlement: string;
    }
  | {
      kind: 'scoped-affiliation';
      claim: string;
      affiliations: string[];
      scopes: string[];
      shape?: 'array' | 'array-or-string';
      entitlement: string;
    };

/** What an entitlement opens: whole collections (title subjects/collections) or single titles. */
export interface EntitlementGrant {
  entitlement: string;
  collections: string[];
  titles: string[];
}

/** A partner's licensed database that patrons may be redirected to through `/go`. */
export interface DatabaseResource {
  name: string;
  /** Exactly this host. */
  host?: string;
  /** This domain and its subdomains (on a dot boundary). */
  domain?: string;
  /** Where `/go` users usually start; must itself be allowed by `host`/`domain`. */
  startUrl: string;
}

export type PartnerStatus = 'active' | 'suspended';

/**
 * Campus sign-in (OpenID Connect, authorization code + PKCE) against the partner's provider. The provider is
 * the partner's `issuer`: its metadata is read from `<issuer>/.well-known/openid-configuration` (cached) and
 * must name exactly that issuer; its key set is the `jwks_uri` of that document, never one named by a token.
 * The client secret is not part of the record: it lives in the partner secret store (Secrets Manager on AWS,
 * DATA_DIR locally) and is never returned by the API.
 */
export interface PartnerOidc {
  clientId: string;
  /** Always includes `openid`. */
  scopes: string[];
  /** Whether a client secret is stored for this partner (a public client when false). */
  clientSecretSet: boolean;
}

/** What a librarian sends for campus sign-in; `clientSecret` goes to the secret store, not the record. */
export interface PartnerOidcInput {
  clientId: string;
  scopes?: string[];
  clientSecret?: string;
}

export const defaultOidcScopes = ['openid'];

export interface Partner {
  id: string;
  name: string;
  status: PartnerStatus;
  /** The exact `iss` of member tokens. */
  issuer: string;
  /** Pinned JWKS location (https; plain http on loopback only in local mode). */
  jwksUri: string;
  algorithms: AsymmetricAlgorithm[];
  /** The `aud` member tokens must carry. */
  audience: string;
  /** How old (by `iat`) a member token may be when exchanged, seconds. */
  maxTokenAgeSeconds: number;
  /** Campus networks (CIDR, IPv4 and IPv6), canonical form. */
  ipRanges: string[];
  /** Entitlements a request from a campus range gets. */
  campusEntitlements: string[];
  entitlementRules: EntitlementRule[];
  grants: EntitlementGrant[];
  databases: DatabaseResource[];
  /** Campus sign-in; absent when members only come through token exchange (POST /auth/federated). */
  oidc?: PartnerOidc;
  createdAt: string;
  updatedAt: string;
}

/** The fields a librarian supplies; the rest is filled in on save. */
export type PartnerInput = Omit<
  Partner,
  'createdAt' | 'updatedAt' | 'status' | 'maxTokenAgeSeconds' | 'campusEntitlements' | 'oidc'
> & {
  status?: PartnerStatus;
  maxTokenAgeSeconds?: number;
  campusEntitlements?: string[];
  /** null removes campus sign-in. */
  oidc?: PartnerOidcInput | PartnerOidc | null;
};

export const defaultMaxTokenAgeSeconds = 300;

export interface PartnerPolicy {
  /**
   * Local mode only: allow `http://127.0.0.1`, `http://[::1]` and `http://localhost` JWKS locations, so tests and
   * `npm start` can run a partner IdP on the laptop. Never on AWS.
   */
  allowLoopbackHttpJwks: boolean;
}

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

function refuse(field: string, message: string): never {
  throw new ValidationError({
    code: 'VALIDATION_FAILED',
    detail: message,
    context: { errors: [{ field, message }] },
  });
}

/** The pinned JWKS URI: https with a host, no credentials, no fragment; http only on loopback in local mode. */
export function checkJwksUri(raw: string, policy: PartnerPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('jwksUri', 'jwksUri must be an absolute URL.');
  }
  if (url.username || url.password) refuse('jwksUri', 'jwksUri must not carry credentials.');
  if (url.hash) refuse('jwksUri', 'jwksUri must not have a fragment.');
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && policy.allowLoopbackHttpJwks && loopbackHosts.has(url.hostname)) {
    return url.href;
  }
  return refuse(
    'jwksUri',
    policy.allowLoopbackHttpJwks
      ? 'jwksUri must use https (plain http is allowed on 127.0.0.1/localhost in local mode only).'
      : 'jwksUri must use https.',
  );
}

/** Parses a CIDR range; refuses `/0` and ranges that are not a network address. Returns the canonical form. */
export function checkIpRange(raw: string): string {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(raw.trim());
  } catch {
    return refuse('ipRanges', `${raw} is not a CIDR range (e.g. 192.0.2.0/24 or 2001:db8::/32).`);
  }
  const [address, bits] = parsed;
  if (bits === 0) refuse('ipRanges', `${raw} would match every address: a /0 range is refused.`);
  // No campus is bigger than a /8 (IPv4) or a /16 (IPv6): anything broader is a mistake that opens the
  // partner's entitlements to a large part of the internet.
  const broadest = address.kind() === 'ipv4' ? 8 : 16;
  if (bits < broadest) refuse('ipRanges', `${raw} is broader than /${broadest}: not a campus network.`);
  // `::ffff:a.b.c.d/n` ranges are written as IPv4 instead; requests are compared in IPv4 form.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    refuse('ipRanges', `${raw}: write IPv4-mapped ranges as IPv4.`);
  }
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  if (network.toString() !== address.toString()) {
    refuse('ipRanges', `${raw} has host bits set; the network is ${network.toString()}/${bits}.`);
  }
  return `${network.toString()}/${bits}`;
}

/** Parses an issuer: an absolute https URL kept exactly as given (it is compared as a string). */
function checkIssuer(raw: string, policy: PartnerPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('issuer', 'issuer must be an absolute URL.');
  }
  const loopback = policy.allowLoopbackHttpJwks && loopbackHosts.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    refuse('issuer', 'issuer must be an https URL.');
  }
  return raw;
}

/** A host or domain name of a database: lower-case ASCII (punycode for IDNs), no port, not an IP address. */
export function checkHostName(raw: string, field: string): string {
  const value = raw.trim();
  // Letters (any script: an IDN is stored as punycode), digits, dots and hyphens; nothing that ends a host.
  if (!/^[\p{L}\p{N}.-]+$/u.test(value)) return refuse(field, `${raw} is not a host name.`);
  let hostname: string;
  try {
    hostname = new URL(`https://${value}/`).hostname;
  } catch {
    return refuse(field, `${raw} is not a host name.`);
  }
  if (ipaddr.isValid(hostname)) refuse(field, `${raw} must be a host name, not an IP address.`);
  if (!hostname.includes('.') || hostname.endsWith('.') || hostname.startsWith('.')) {
    refuse(field, `${raw} must be a fully qualified host name.`);
  }
  return hostname;
}

function checkRule(rule: EntitlementRule, index: number): EntitlementRule {
  const field = `entitlementRules.${index}`;
  if (!rule.claim.trim()) refuse(`${field}.claim`, 'A rule needs a claim name.');
  if (rule.kind === 'values' && rule.values.length === 0) refuse(`${field}.values`, 'A rule needs values.');
  if (rule.kind === 'scoped-affiliation') {
    if (rule.scopes.length === 0) refuse(`${field}.scopes`, 'A scoped-affiliation rule needs scopes.');
    for (const scope of rule.scopes) {
      if (scope !== scope.toLowerCase() || !/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(scope)) {
        refuse(`${field}.scopes`, `${scope} must be a lower-case domain name.`);
      }
    }
    if (rule.affiliations.length === 0) {
      refuse(`${field}.affiliations`, 'A scoped-affiliation rule needs affiliations.');
    }
  }
  return { ...rule, shape: rule.shape ?? 'array' };
}

/** RFC 6749 scope-token and client-id characters: printable ASCII without space, `"` and `\\`. */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const minClientSecretLength = 16;

function checkOidc(input: PartnerOidcInput | PartnerOidc, existing: PartnerOidc | undefined): PartnerOidc {
  const clientId = input.clientId.trim();
  if (!clientId || !/^[\x21-\x7E]+$/.test(clientId)) {
    refuse('oidc.clientId', 'oidc.clientId must be the client id the university registered (no spaces).');
  }
  const scopes = [...new Set(input.scopes ?? existing?.scopes ?? defaultOidcScopes)];
  for (const scope of scopes) {
    if (!scopeToken.test(scope)) refuse('oidc.scopes', `${scope} is not a scope (no spaces or quotes).`);
  }
  if (!scopes.includes('openid')) refuse('oidc.scopes', 'oidc.scopes must include openid.');
  const secret = 'clientSecret' in input ? input.clientSecret : undefined;
  if (secret !== undefined && secret.length < minClientSecretLength) {
    refuse(
      'oidc.clientSecret',
      `oidc.clientSecret must be at least ${minClientSecretLength} characters (as the university issued it).`,
    );
  }
  return {
    clientId,
    scopes,
    // A stored record keeps its flag; a librarian's input (no flag) sets it by sending a secret.
    clientSecretSet:
      secret !== undefined ||
      ('clientSecretSet' in input ? input.clientSecretSet : (existing?.clientSecretSet ?? false)),
  };
}

/**
 * Validates a partner as a librarian submits it and fills in defaults. Throws ValidationError naming the
 * field for anything that would weaken trust (a `/0` range, an http JWKS, an unknown algorithm, ...).
 */
export function buildPartner(
  input: PartnerInput,
  policy: PartnerPolicy,
  now: Date,
  existing?: Partner,
): Partner {
  const issuer = checkIssuer(input.issuer, policy);
  const jwksUri = checkJwksUri(input.jwksUri, policy);
  if (input.algorithms.length === 0) refuse('algorithms', 'At least one algorithm is needed.');
  for (const alg of input.algorithms) {
    if (!(asymmetricAlgorithms as readonly string[]).includes(alg)) {
      refuse('algorithms', `${alg} is not an allowed (asymmetric) algorithm.`);
    }
  }
  if (!input.audience.trim()) refuse('audience', 'audience is required.');
  const ipRanges = [...new Set(input.ipRanges.map(checkIpRange))];
  const entitlementRules = input.entitlementRules.map(checkRule);
  const databases = input.databases.map((database, index) => {
    const host =
      database.host === undefined ? undefined : checkHostName(database.host, `databases.${index}.host`);
    const domain =
      database.domain === undefined ? undefined : checkHostName(database.domain, `databases.${index}.domain`);
    if (!host && !domain) refuse(`databases.${index}`, 'A database needs a host or a domain.');
    const resource: DatabaseResource = {
      name: database.name,
      ...(host ? { host } : {}),
      ...(domain ? { domain } : {}),
      startUrl: database.startUrl,
    };
    const verdict = checkGoTargetAgainst(database.startUrl, [resource]);
    if (!verdict.ok) refuse(`databases.${index}.startUrl`, `startUrl: ${verdict.reason}`);
    return { ...resource, startUrl: verdict.url };
  });
  const granted = [...new Set(input.grants.map((g) => g.entitlement))];
  const timestamp = now.toISOString();
  return {
    id: input.id,
    name: input.name,
    status: input.status ?? existing?.status ?? 'active',
    issuer,
    jwksUri,
    algorithms: [...new Set(input.algorithms)],
    audience: input.audience,
    maxTokenAgeSeconds: input.maxTokenAgeSeconds ?? existing?.maxTokenAgeSeconds ?? defaultMaxTokenAgeSeconds,
    ipRanges,
    campusEntitlements: input.campusEntitlements ?? existing?.campusEntitlements ?? granted,
    entitlementRules,
    grants: input.grants,
    databases,
    ...(input.oidc ? { oidc: checkOidc(input.oidc, existing?.oidc) } : {}),
    createdAt: existing?.createdAt ?? timestamp,
    updatedAt: timestamp,
  };
}
