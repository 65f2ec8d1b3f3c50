import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { login, logout, refresh } from '../../domain/sign-in';
import { requestAddress } from '../campus';
import type { AppEnv } from '../deps';
import { JwksSchema, MemberSignedInSchema, problemContent, SignedInSchema } from '../schemas';

const LoginSchema = doc(
  z.object({
    cardNumber: doc(z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), { example: '20000001' }),
    pin: doc(z.string().check(z.minLength(1), z.maxLength(128)), { example: '1234' }),
  }),
  { id: 'Login' },
);

const RefreshTokenSchema = doc(
  z.object({ refreshToken: z.string().check(z.minLength(1), z.maxLength(512)) }),
  { id: 'RefreshTokenRequest' },
);

const json = <T extends z.ZodMiniType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const signedIn = (description: string) => ({
  description,
  content: { 'application/json': { schema: SignedInSchema } },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  summary: 'Sign in with a library card and PIN',
  request: { body: json(LoginSchema) },
  responses: {
    200: signedIn('Signed in'),
    400: problemContent('Invalid body'),
    401: problemContent('INVALID_CREDENTIALS: unknown card or wrong PIN (the same answer for both)', [
      'INVALID_CREDENTIALS',
    ]),
    403: problemContent('ACCOUNT_BLOCKED', ['ACCOUNT_BLOCKED']),
    429: problemContent(
      'ACCOUNT_LOCKED: 5 wrong PINs in 15 minutes, or the card’s 5 PIN checks of the window are taken; ' +
        'RATE_LIMITED: too many attempts from the client’s address. See Retry-After',
      ['ACCOUNT_LOCKED', 'RATE_LIMITED'],
    ),
  },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/auth/refresh',
  summary: 'A new token pair for a refresh token (rotation: the old refresh token stops working)',
  description:
    'Presenting a refresh token that was already rotated revokes its whole session. Partner members’ sessions ' +
    'are refused (and revoked) once the partner is suspended or no longer defines their entitlements.',
  request: { body: json(RefreshTokenSchema) },
  responses: {
    200: {
      description:
        'New tokens: a patron’s with the profile, a partner member’s with partner and entitlements',
      content: { 'application/json': { schema: z.union([SignedInSchema, MemberSignedInSchema]) } },
    },
    400: problemContent('Invalid body'),
    401: problemContent('INVALID_REFRESH_TOKEN', ['INVALID_REFRESH_TOKEN']),
    403: problemContent('ACCOUNT_BLOCKED', ['ACCOUNT_BLOCKED']),
  },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  summary: 'Sign out: revokes the session of the refresh token',
  request: { body: json(RefreshTokenSchema) },
  responses: {
    204: { description: 'Signed out (also when the token was unknown or already revoked)' },
    400: problemContent('Invalid body'),
  },
});

const jwksRoute = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  summary: 'Public keys that verify the gateway’s access tokens (current and, during a rotation, previous)',
  responses: {
    200: { description: 'The key set', content: { 'application/json': { schema: JwksSchema } } },
  },
});

export function authRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(loginRoute, async (c) => {
    const deps = c.get('deps');
    const clientAddress = requestAddress(c, deps.config.TRUSTED_PROXY_CIDRS);
    const result = await login(deps, { ...c.req.valid('json'), clientAddress });
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const result = await refresh(c.get('deps'), c.req.valid('json').refreshToken);
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });

  app.openapi(logoutRoute, async (c) => {
    await logout(c.get('deps'), c.req.valid('json').refreshToken);
    return c.body(null, 204);
  });

  app.openapi(jwksRoute, async (c) => {
    const jwks = await c.get('deps').tokens.jwks();
    // Short caching: verifiers pick up a rotation within minutes.
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(jwks, 200);
  });
}
