import { randomBytes } from 'node:crypto';
import { startCampusIdp, type CampusIdp, type DemoMember } from '../../functions/local/campus-idp';

/**
 * The demo university's OpenID Provider (functions/local/campus-idp.ts, oidc-provider in process on 127.0.0.1,
 * the same one `npm start` runs) for tests, and a small user agent that goes through its login and consent
 * screens the way a member's browser would, without a browser:
 *
 *   const idp = await startTestCampusIdp({ redirectUri: 'https://pustaka.test/auth/oidc/callback' });
 *   const callbackUrl = await signInAtIdp(authorizationUrl, idp, { username: 'dosen', password: '…' });
 *
 * It follows redirects itself (keeping the provider's cookies) and stops at the first one to the redirect URI,
 * returning that URL (code, state, iss) for the test to hand to the gateway.
 */

export interface TestCampusIdp extends CampusIdp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export async function startTestCampusIdp(options: {
  redirectUri: string;
  name?: string;
  members?: DemoMember[];
}): Promise<TestCampusIdp> {
  const clientId = `pustaka-${randomBytes(3).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const idp = await startCampusIdp({
    ...(options.name ? { name: options.name } : {}),
    ...(options.members ? { members: options.members } : {}),
    clients: [{ clientId, clientSecret, redirectUris: [options.redirectUri] }],
  });
  return Object.assign(idp, { clientId, clientSecret, redirectUri: options.redirectUri });
}

/** A partner registration (the admin API's body) for this provider, entitling member@scope. */
export function campusPartnerInput(idp: TestCampusIdp, id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: idp.name,
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    algorithms: ['RS256'],
    audience: idp.clientId,
    ipRanges: [],
    entitlementRules: [
      {
        kind: 'values',
        claim: 'eduperson_entitlement',
        values: ['urn:mace:dir:entitlement:common-lib-terms'],
        entitlement: 'library-terms',
      },
    ],
    grants: [{ entitlement: 'library-terms', collections: ['Partner Collection'], titles: [] }],
    databases: [],
    oidc: { clientId: idp.clientId, scopes: ['openid', 'eduperson'], clientSecret: idp.clientSecret },
    ...overrides,
  };
}

export interface MemberAtIdp {
  username: string;
  password: string;
  /** At the consent screen (default allow). */
  decision?: 'allow' | 'deny';
}

/** Cookies of one origin, as a browser keeps them (paths ignored: the provider reads them by name). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /expires=.*1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Goes through the provider's screens and returns the redirect to the gateway's callback. */
export async function signInAtIdp(
  authorizationUrl: string,
  idp: { redirectUri: string },
  member: MemberAtIdp,
): Promise<string> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url).href;
      if (next.startsWith(`${idp.redirectUri}?`)) return next;
      [url, method, body] = [next, 'GET', undefined];
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action || response.status >= 400) {
      throw new Error(`The provider stopped at ${url} (${response.status}): ${html.slice(0, 300)}`);
    }
    url = new URL(action, url).href;
    method = 'POST';
    body = action.endsWith('/login')
      ? new URLSearchParams({ username: member.username, password: member.password }).toString()
      : new URLSearchParams({ decision: member.decision ?? 'allow' }).toString();
  }
  throw new Error('The provider never sent the browser back to the gateway.');
}
