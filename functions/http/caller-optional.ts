import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { requireCaller } from './auth';
import type { AppEnv } from './deps';

/**
 * For routes that serve everyone but answer more to a signed-in caller (OPDS feeds, partner titles): a token,
 * when sent, must verify (identity's requireCaller, same rules and errors); no token means no caller, and a
 * later middleware (campusAccess) or the route decides.
 */
export function optionalCaller(): MiddlewareHandler<AppEnv> {
  const required = requireCaller();
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.header('Authorization') === undefined) return next();
    return required(c, next);
  });
}

export function callerOf(c: {
  get(key: 'caller'): AppEnv['Variables']['caller'];
}): AppEnv['Variables']['caller'] | undefined {
  return c.get('caller') as AppEnv['Variables']['caller'] | undefined;
}
