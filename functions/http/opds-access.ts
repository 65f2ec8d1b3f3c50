import { createHmac, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { signedIn, type Caller } from '../domain/caller';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import { lendingErrors } from '../domain/lending-errors';
import {
  authenticationDocument,
  opdsMediaTypes,
  opdsPaths,
  opdsRels,
  patronStates,
  type PatronTitleState,
} from '../domain/opds';
import type { Patron } from '../domain/patron';
import { verifyCard } from '../domain/sign-in';
import { requireCaller } from './auth';
import { requestAddress } from './campus';
import type { AppDeps, AppEnv } from './deps';

/**
 * Who is reading under /opds, and what an OPDS client is told when it must sign in.
 *
 * Reading apps sign in either with the OAuth password flow (a Bearer token from POST /auth/token) or with
 * HTTP Basic, card number and PIN on every request. Basic goes through the same checks as signing in
 * (functions/domain/sign-in.ts `verifyCard`: per-address limit, at most 5 PIN checks per card and window,
 * lockout), so it is no way around them. An app fetches a feed and its covers at once, and every PIN check
 * takes one of the card's 5 per window: so a card and PIN that verified are remembered for a few minutes in
 * this instance (as an HMAC under a per-instance random key, never the PIN), and concurrent requests with the
 * same credentials share one check. A remembered pair still re-reads the patron: a block or a PIN reset applies
 * at the next request.
 */

/** The API's public base URL (config), from which every absolute OPDS link is built; never the Host header. */
export const publicBase = (deps: Pick<AppDeps, 'config'>): string => deps.config.PUBLIC_API_URL;

/** The web reader's address: its own origin on AWS; locally the gateway serves it beside the API. */
export const readerUrl = (deps: Pick<AppDeps, 'config'>): string => {
  const origin = deps.config.WEB_ORIGIN;
  return origin && origin !== '*' ? origin.replace(/\/+$/, '') : deps.config.PUBLIC_API_URL;
};

const basicPattern = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
const rememberMs = 5 * 60 * 1000;
const rememberMax = 1000;

const badBasic = () =>
  new UnauthorizedError({
    code: 'INVALID_CREDENTIALS',
    detail: 'HTTP Basic credentials must be the library card number and PIN, as card:PIN.',
  });

function credentialsOf(encoded: string): { cardNumber: string; pin: string } | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const cardNumber = decoded.slice(0, colon).trim();
  const pin = decoded.slice(colon + 1);
  if (!cardNumber || cardNumber.length > 64 || !pin || pin.length > 128) return undefined;
  return { cardNumber, pin };
}

class VerifiedCards {
  private readonly key = randomBytes(32);
  private readonly remembered = new Map<string, { patronId: string; pinHash: string; until: number }>();
  private readonly checking = new Map<string, Promise<Patron>>();

  async check(
    deps: AppDeps,
    credentials: { cardNumber: string; pin: string },
    clientAddress: string | undefined,
  ): Promise<Patron> {
    const id = createHmac('sha256', this.key)
      .update(credentials.cardNumber)
      .update('\0')
      .update(credentials.pin)
      .digest('base64url');
    const now = deps.clock.now().getTime();
    const hit = this.remembered.get(id);
    if (hit && hit.until > now) {
      const patron = await deps.patrons.get(hit.patronId);
      if (patron?.pinHash === hit.pinHash && patron.cardNumber === credentials.cardNumber) {
        if (patron.status === 'blocked') throw lendingErrors.patronBlocked();
        return patron;
      }
    }
    this.remembered.delete(id);
    let pending = this.checking.get(id);
    if (!pending) {
      pending = verifyCard(deps, { ...credentials, clientAddress }).finally(() => this.checking.delete(id));
      this.checking.set(id, pending);
    }
    const patron = await pending;
    if (this.remembered.size >= rememberMax) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
    this.remembered.set(id, { patronId: patron.id, pinHash: patron.pinHash, until: now + rememberMs });
    return patron;
  }
}

/** What a client must reach however stale its credentials (Authentication for OPDS §2.2: no authentication). */
const withoutCredentials = new Set<string>([opdsPaths.authentication, opdsPaths.logo, opdsPaths.help]);

/**
 * The caller under /opds: a Bearer token (verified as everywhere), HTTP Basic card:PIN, or nobody. A token or
 * credentials that are sent must be right: a wrong one is a 401, never silently anonymous. The sign-in
 * document and what it shows are served without looking at them.
 */
export function opdsCaller(): MiddlewareHandler<AppEnv> {
  const bearer = requireCaller();
  const cards = new VerifiedCards();
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('Authorization');
    if (header === undefined || withoutCredentials.has(c.req.path)) return next();
    const basic = basicPattern.exec(header.trim());
    if (!basic?.[1]) return bearer(c, next);
    const credentials = credentialsOf(basic[1]);
    if (!credentials) throw badBasic();
    const deps = c.get('deps');
    const patron = await cards.check(deps, credentials, requestAddress(c, deps.config.TRUSTED_PROXY_CIDRS));
    c.set('caller', { patronId: patron.id, roles: patron.roles });
    return next();
  });
}

/** Machine clients that ask for JSON problems keep them; everyone else (reading apps) gets the document. */
function wantsProblem(c: Context): boolean {
  const accept = c.req.header('Accept') ?? '';
  return !/application\/opds/i.test(accept) && /application\/(problem\+)?json/i.test(accept);
}

/**
 * Every 401 under /opds (no credentials, a bad or expired token, wrong Basic credentials) carries the
 * `Link` to the Authentication Document, and its body is the document itself (Authentication for OPDS 1.0
 * §2.4), unless the client asked for JSON problems. Mount before the middleware that may refuse.
 */
export function opdsChallenge(): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.res.status !== 401) return;
    const deps = c.get('deps');
    const base = publicBase(deps);
    const headers = new Headers(c.res.headers);
    headers.set(
      'Link',
      `<${base}${opdsPaths.authentication}>; rel="${opdsRels.authDocument}"; type="${opdsMediaTypes.authentication}"`,
    );
    if (wantsProblem(c)) {
      c.res = new Response(c.res.body, { status: 401, headers });
      return;
    }
    headers.set('Content-Type', opdsMediaTypes.authentication);
    headers.delete('Content-Length');
    c.res = new Response(JSON.stringify(authenticationDocument(base)), {
      status: 401,
      headers,
    });
  });
}

const signInFirst = () =>
  new UnauthorizedError({ code: 'UNAUTHORIZED', detail: 'Sign in with your library card first.' });

/** The signed-in patron (Bearer or Basic); partner members and campus readers have no loans or holds. */
export function opdsPatron(caller: Caller | undefined): Caller {
  const patron = signedIn(caller);
  if (!patron) throw signInFirst();
  if (patron.partnerId !== undefined)
    throw new ForbiddenError({
      code: 'FORBIDDEN',
      detail: 'Borrowing needs a library card; partner members read partner titles without a loan.',
    });
  return patron;
}

/** The caller's loans and holds by title; empty for anyone who is not a signed-in patron. */
export async function callerStates(
  deps: AppDeps,
  caller: Caller | undefined,
): Promise<Map<string, PatronTitleState>> {
  const patron = signedIn(caller);
  if (!patron || patron.partnerId !== undefined) return new Map();
  const [loans, holds] = await Promise.all([
    deps.lending.loansOf(patron.patronId),
    deps.lending.holdsOf(patron.patronId),
  ]);
  return patronStates(loans, holds, deps.clock.now());
}
