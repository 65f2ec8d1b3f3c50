import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import { lendingErrors } from '../domain/lending-errors';
import type { Role } from '../domain/patron';
import type { AppEnv } from './deps';

/**
 * Authentication and role guards, as Hono middleware factories (options checked once, when the app is built).
 *
 *   app.use('/loans/*', requireCaller());                         // any signed-in caller
 *   app.use('/admin/*', requireCaller({ recheckPatron: true }), requireRole('librarian'));
 *
 * `requireCaller` verifies the Bearer access token (EdDSA only, issuer, audience, expiry with a small clock
 * tolerance, required claims, the injected clock) and sets `c.get('caller')`. It is stateless by default: a
 * blocked patron keeps a valid access token until it expires (≤ 15 min) and cannot refresh it; routes that must
 * act at once (e.g. checkout) check the patron record anyway. `recheckPatron: true` adds one consistent GetItem
 * per request and refuses patrons who are gone or blocked, and librarians who lost the role. Partner members
 * have no patron record and are not rechecked.
 *
 * Failures are 401 problems with `WWW-Authenticate: Bearer` (UNAUTHORIZED when no token, INVALID_TOKEN when
 * it does not verify) and 403 FORBIDDEN for a missing role.
 */

export interface RequireCallerOptions {
  /** Read the patron record on each request and refuse blocked or deleted patrons (default false). */
  recheckPatron?: boolean;
}

/** RFC 6750 §2.1: `Bearer` + one space + the token (token68 characters only). */
const bearerPattern = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const maxTokenLength = 8 * 1024;

const missingToken = () =>
  new UnauthorizedError({ code: 'UNAUTHORIZED', detail: 'Sign in first: this needs an access token.' });
const invalidToken = (detail = 'The access token is not valid.') =>
  new UnauthorizedError({ code: 'INVALID_TOKEN', detail });

export function requireCaller(options: RequireCallerOptions = {}): MiddlewareHandler<AppEnv> {
  const allowed = new Set(['recheckPatron']);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw new TypeError(`requireCaller: unknown option ${key}`);
  }
  const recheckPatron = options.recheckPatron ?? false;

  return createMiddleware<AppEnv>(async (c, next) => {
    const deps = c.get('deps');
    const header = c.req.header('Authorization');
    if (header === undefined || header.trim() === '') {
      throw missingToken();
    }
    const match = header.length <= maxTokenLength + 7 ? bearerPattern.exec(header) : null;
    if (!match?.[1]) throw invalidToken();

    // Throws UnauthorizedError INVALID_TOKEN for anything that does not verify.
    const subject = await deps.tokens.verify(match[1], { now: deps.clock.now() });
    let roles = subject.roles;
    if (recheckPatron && subject.partnerId === undefined) {
      const patron = await deps.patrons.get(subject.patronId);
      if (!patron) throw invalidToken();
      if (patron.status === 'blocked') {
        throw lendingErrors.patronBlocked();
      }
      // Roles can only shrink against the token: a role removed since sign-in is gone now.
      roles = roles.filter((role) => patron.roles.includes(role));
    }
    c.set('caller', {
      patronId: subject.patronId,
      roles,
      ...(subject.partnerId !== undefined ? { partnerId: subject.partnerId } : {}),
      ...(subject.entitlements !== undefined ? { entitlements: subject.entitlements } : {}),
    });
    await next();
  });
}

export function requireRole(...roles: [Role, ...Role[]]): MiddlewareHandler<AppEnv> {
  if (roles.length === 0) throw new TypeError('requireRole needs at least one role');
  const needed = new Set<Role>(roles);
  return createMiddleware<AppEnv>(async (c, next) => {
    const caller = c.get('caller') as AppEnv['Variables']['caller'] | undefined;
    // Mounted without requireCaller before it: a wiring mistake, refused rather than let through.
    if (!caller) throw missingToken();
    if (!caller.roles.some((role) => needed.has(role))) {
      throw new ForbiddenError({
        code: 'FORBIDDEN',
        detail: `This needs the ${[...needed].join(' or ')} role.`,
      });
    }
    await next();
  });
}

/**
 * RFC 6750 §3: every 401 names the scheme; an invalid token says so. app.onError adds it to 401 problems.
 */
export function authChallenge(code: string): Record<string, string> {
  return { 'WWW-Authenticate': code === 'INVALID_TOKEN' ? 'Bearer error="invalid_token"' : 'Bearer' };
}
