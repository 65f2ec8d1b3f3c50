import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Context } from 'hono';
import { ForbiddenError, PustakaError, TooManyRequestsError, ValidationError } from '../../domain/errors';
import { isHoldLive } from '../../domain/hold';
import { isLoanCurrent } from '../../domain/loan';
import { authenticationDocument, opdsMediaTypes, opdsPaths, profileDocument } from '../../domain/opds';
import { login, refresh } from '../../domain/sign-in';
import { requestAddress } from '../campus';
import { callerOf } from '../caller-optional';
import type { AppEnv } from '../deps';
import { opdsPatron, publicBase, readerUrl } from '../opds-access';
import { opdsLogoPng } from '../opds-logo';
import { problemContent } from '../schemas';

/**
 * Signing in from reading apps and what they show about it:
 *
 *   POST /auth/token            OAuth 2.0 token endpoint (RFC 6749 §4.3 password grant, §6 refresh), form-encoded
 *   GET  /opds/authentication   the Authentication for OPDS 1.0 document
 *   GET  /opds/logo.png         the logo it links
 *   GET  /opds/help             help for signing in (Bahasa Indonesia and English)
 *   GET  /opds/profile          the OPDS User Profile of the signed-in patron
 *
 * The token endpoint signs in exactly as POST /auth/login does (same lockout, same sessions and refresh-token
 * rotation) and answers in RFC 6749's words: `access_token`, `token_type`, `expires_in`, `refresh_token`, and
 * errors that carry RFC 6749's `error` beside the problem's `code`.
 */

const openApiTag = ['OPDS'];
const anyone: [] = [];
const patronSecurity: Record<string, string[]>[] = [{ bearer: [] }, { basic: [] }];

const LinkSchema = doc(
  z.object({
    href: z.string(),
    type: z.optional(z.string()),
    rel: z.optional(z.union([z.string(), z.array(z.string())])),
    title: z.optional(z.string()),
    width: z.optional(z.int()),
    height: z.optional(z.int()),
  }),
  { id: 'OpdsLink' },
);

export const AuthenticationDocumentSchema = doc(
  z.object({
    id: z.url(),
    title: z.string(),
    description: z.optional(z.string()),
    links: z.array(LinkSchema),
    authentication: z.array(
      z.object({
        type: z.string(),
        labels: z.optional(z.object({ login: z.string(), password: z.string() })),
        links: z.optional(z.array(LinkSchema)),
      }),
    ),
  }),
  { id: 'OpdsAuthenticationDocument' },
);

const TokenRequestSchema = doc(
  z.object({
    grant_type: doc(z.string().check(z.minLength(1), z.maxLength(64)), { example: 'password' }),
    username: doc(z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))), {
      description: 'The library card number',
    }),
    password: doc(z.optional(z.string().check(z.minLength(1), z.maxLength(128))), { description: 'The PIN' }),
    refresh_token: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
    scope: z.optional(z.string().check(z.maxLength(512))),
    client_id: z.optional(z.string().check(z.maxLength(256))),
  }),
  { id: 'OAuthTokenRequest' },
);

const TokenResponseSchema = doc(
  z.object({
    access_token: doc(z.string(), { description: 'EdDSA JWT (typ at+jwt), valid 15 minutes' }),
    token_type: z.literal('Bearer'),
    expires_in: z.int(),
    refresh_token: doc(z.string(), { description: 'Opaque, single use: each refresh returns a new one' }),
  }),
  { id: 'OAuthTokenResponse' },
);

const ProfileSchema = doc(
  z.object({
    name: z.string(),
    email: z.optional(z.string()),
    links: z.array(LinkSchema),
    loans: z.object({ total: z.int(), available: z.int() }),
    holds: z.object({ total: z.int(), available: z.int() }),
  }),
  { id: 'OpdsUserProfile' },
);

const tokenRoute = createRoute({
  method: 'post',
  path: opdsPaths.token,
  operationId: 'oauthToken',
  tags: openApiTag,
  security: anyone,
  summary: 'OAuth 2.0 token endpoint for reading apps (password and refresh_token grants)',
  description:
    'The Authentication for OPDS password flow: `grant_type=password&username=<card>&password=<PIN>` or ' +
    '`grant_type=refresh_token&refresh_token=…`, form-encoded. Same lockout as POST /auth/login.',
  request: {
    body: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: TokenRequestSchema } },
    },
  },
  responses: {
    200: {
      description: 'Signed in (RFC 6749 §5.1)',
      content: { 'application/json': { schema: TokenResponseSchema } },
    },
    400: problemContent(
      'VALIDATION_FAILED (missing field), INVALID_GRANT (wrong card, PIN or refresh token), ' +
        'UNSUPPORTED_GRANT_TYPE; each with RFC 6749 `error`',
      ['VALIDATION_FAILED', 'INVALID_GRANT', 'UNSUPPORTED_GRANT_TYPE'],
    ),
    403: problemContent('ACCOUNT_BLOCKED', ['ACCOUNT_BLOCKED']),
    413: problemContent('BODY_TOO_LARGE', ['BODY_TOO_LARGE']),
    415: problemContent('The body is not application/x-www-form-urlencoded'),
    429: problemContent('ACCOUNT_LOCKED, RATE_LIMITED (see Retry-After)', ['ACCOUNT_LOCKED', 'RATE_LIMITED']),
    503: problemContent('SERVICE_UNAVAILABLE', ['SERVICE_UNAVAILABLE']),
  },
});

const authenticationRoute = createRoute({
  method: 'get',
  path: opdsPaths.authentication,
  operationId: 'opdsAuthenticationDocument',
  tags: openApiTag,
  security: anyone,
  summary: 'Authentication for OPDS 1.0 document',
  responses: {
    200: {
      description: 'How to sign in',
      content: { [opdsMediaTypes.authentication]: { schema: AuthenticationDocumentSchema } },
    },
  },
});

const logoRoute = createRoute({
  method: 'get',
  path: opdsPaths.logo,
  operationId: 'opdsLogo',
  tags: openApiTag,
  security: anyone,
  summary: 'The library’s logo (90×90 PNG)',
  responses: {
    200: {
      description: 'The logo',
      content: { 'image/png': { schema: doc(z.string(), { format: 'binary' }) } },
    },
  },
});

const helpRoute = createRoute({
  method: 'get',
  path: opdsPaths.help,
  operationId: 'opdsHelp',
  tags: openApiTag,
  security: anyone,
  summary: 'Help for reading apps: how to sign in and borrow (Bahasa Indonesia and English)',
  responses: {
    200: { description: 'The help page', content: { 'text/html': { schema: z.string() } } },
  },
});

const profileRoute = createRoute({
  method: 'get',
  path: opdsPaths.profile,
  operationId: 'opdsProfile',
  tags: openApiTag,
  security: patronSecurity,
  summary: 'OPDS User Profile: name, loans and holds allowed and left, where to edit',
  responses: {
    200: {
      description: 'The profile',
      content: { [opdsMediaTypes.profile]: { schema: ProfileSchema } },
    },
    401: problemContent('Sign in (the body is the Authentication Document for OPDS clients)', [
      'UNAUTHORIZED',
      'INVALID_TOKEN',
      'INVALID_CREDENTIALS',
    ]),
    403: problemContent('FORBIDDEN (partner members), ACCOUNT_BLOCKED', ['FORBIDDEN', 'ACCOUNT_BLOCKED']),
    429: problemContent('ACCOUNT_LOCKED, RATE_LIMITED (HTTP Basic)', ['ACCOUNT_LOCKED', 'RATE_LIMITED']),
    503: problemContent('SERVICE_UNAVAILABLE', ['SERVICE_UNAVAILABLE']),
  },
});

/** Sign-in refusals in RFC 6749's words too (`error`), keeping the problem's code and status. */
function asOAuthError(error: unknown): unknown {
  if (!(error instanceof PustakaError)) return error;
  const context = { ...error.context, error: 'invalid_grant', error_description: error.message };
  if (error.code === 'INVALID_CREDENTIALS' || error.code === 'INVALID_REFRESH_TOKEN')
    return new ValidationError({ code: 'INVALID_GRANT', detail: error.message, context });
  if (
    error instanceof TooManyRequestsError &&
    (error.code === 'ACCOUNT_LOCKED' || error.code === 'RATE_LIMITED')
  )
    return new TooManyRequestsError({
      code: error.code,
      detail: error.message,
      context,
      retryAfterSeconds: error.retryAfterSeconds,
    });
  if (error.code === 'ACCOUNT_BLOCKED')
    return new ForbiddenError({ code: error.code, detail: error.message, context });
  return error;
}

function opdsDocument(c: Context, body: unknown, type: string): never {
  return c.body(JSON.stringify(body), 200, { 'Content-Type': type }) as never;
}

const helpPage = (base: string) => `<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pustaka — bantuan / help</title></head>
<body>
<h1>Pustaka di aplikasi baca</h1>
<p>Tambahkan katalog <code>${base}${opdsPaths.root}</code> di aplikasi Anda (Palace, Thorium), lalu masuk dengan
nomor kartu perpustakaan dan PIN. Pinjaman dan pesanan Anda ada di rak (“shelf”); kembalikan atau batalkan
dari sana. Lupa PIN atau kartu terkunci? Hubungi pustakawan di perpustakaan Anda.</p>
<h1 lang="en">Pustaka in reading apps</h1>
<p lang="en">Add the catalogue <code>${base}${opdsPaths.root}</code> to your app (Palace, Thorium) and sign in
with your library card number and PIN. Your loans and holds are on your shelf, where you can return or cancel
them. Forgot your PIN, or is your card locked? Ask a librarian at your library.</p>
</body>
</html>
`;

export function opdsAccountRoutes(app: ContractApp<AppEnv>): void {
  app.securityScheme('basic', {
    type: 'http',
    scheme: 'basic',
    description: 'Library card number and PIN (OPDS routes only); same lockout as signing in',
  });

  app.openapi(tokenRoute, async (c) => {
    const deps = c.get('deps');
    const form = c.req.valid('form');
    let signedIn: { accessToken: string; refreshToken: string; expiresIn: number };
    try {
      if (form.grant_type === 'password') {
        if (!form.username || !form.password)
          throw new ValidationError({
            code: 'VALIDATION_FAILED',
            detail: 'The password grant needs username (the card number) and password (the PIN).',
            context: { error: 'invalid_request' },
          });
        signedIn = await login(deps, {
          cardNumber: form.username,
          pin: form.password,
          clientAddress: requestAddress(c, deps.config.TRUSTED_PROXY_CIDRS),
        });
      } else if (form.grant_type === 'refresh_token') {
        if (!form.refresh_token)
          throw new ValidationError({
            code: 'VALIDATION_FAILED',
            detail: 'The refresh_token grant needs refresh_token.',
            context: { error: 'invalid_request' },
          });
        signedIn = await refresh(deps, form.refresh_token);
      } else {
        throw new ValidationError({
          code: 'UNSUPPORTED_GRANT_TYPE',
          detail: 'grant_type must be password or refresh_token.',
          context: { error: 'unsupported_grant_type' },
        });
      }
    } catch (error) {
      throw asOAuthError(error);
    }
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    return c.json(
      {
        access_token: signedIn.accessToken,
        token_type: 'Bearer' as const,
        expires_in: signedIn.expiresIn,
        refresh_token: signedIn.refreshToken,
      },
      200,
    );
  });

  app.openapi(authenticationRoute, (c) => {
    const deps = c.get('deps');
    c.header('Cache-Control', 'public, max-age=300');
    return opdsDocument(c, authenticationDocument(publicBase(deps)), opdsMediaTypes.authentication);
  });

  app.openapi(logoRoute, (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(opdsLogoPng), 200, { 'Content-Type': 'image/png' }) as never;
  });

  app.openapi(helpRoute, (c) =>
    c.html(helpPage(publicBase(c.get('deps'))), 200, { 'Cache-Control': 'public, max-age=3600' }),
  );

  app.openapi(profileRoute, async (c) => {
    const deps = c.get('deps');
    const { patronId } = opdsPatron(callerOf(c));
    const [patron, loans, holds] = await Promise.all([
      deps.patrons.get(patronId),
      deps.lending.loansOf(patronId),
      deps.lending.holdsOf(patronId),
    ]);
    if (!patron)
      throw new ForbiddenError({ code: 'FORBIDDEN', detail: 'There is no library account for this caller.' });
    const now = deps.clock.now();
    c.header('Cache-Control', 'private, no-store');
    return opdsDocument(
      c,
      profileDocument(
        patron,
        {
          loans: loans.filter((loan) => isLoanCurrent(loan, now)).length,
          holds: holds.filter(isHoldLive).length,
        },
        `${readerUrl(deps)}/#/shelf`,
      ),
      opdsMediaTypes.profile,
    );
  });
}
