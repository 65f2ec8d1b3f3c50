import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc, extend } from '../schema-doc';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import {
  campusFlowSeconds,
  finishCampusSignIn,
  redeemCampusHandoff,
  startCampusSignIn,
} from '../../domain/campus-sign-in';
import { PustakaError, ServiceUnavailableError } from '../../domain/errors';
import type { AppEnv, CampusSignIn, FederatedSignIn } from '../deps';
import { memberSessions } from '../../application/member-sessions';
import { MemberSignedInSchema, problemContent } from '../schemas';

/**
 * Campus sign-in (OpenID Connect, authorization code + PKCE) — see functions/domain/campus-sign-in.ts.
 *
 * `start` and `callback` are browser navigations: on success they redirect (to the university, then to the
 * app with a one-time code in the URL fragment, which no server or log sees); when they fail, a browser
 * (`Accept: text/html`) is sent to the app's page for the problem code, any other client gets problem+json.
 * The app redeems the code by POST; tokens never appear in a URL.
 */

const flowCookie = 'pustaka_campus_flow';
const cookiePath = '/auth/oidc';

const tags = ['Campus sign-in'];

const CampusPartnerSchema = doc(z.object({ id: z.string(), name: z.string() }), {
  id: 'CampusPartner',
  description: 'An institution whose members may sign in with their campus account',
});

const CampusSignedInSchema = doc(
  extend(MemberSignedInSchema, {
    partnerName: z.string(),
    returnPath: doc(z.string(), {
      description: 'The app route to open now (always app-relative, e.g. #/titles/t-1)',
    }),
  }),
  { id: 'CampusSignedIn' },
);

const HandoffRequestSchema = doc(
  z.strictObject({
    handoff: doc(z.string().check(z.minLength(1), z.maxLength(128)), {
      description: 'The one-time code from the fragment of the URL the callback sent the app to',
    }),
  }),
  { id: 'CampusHandoffRequest' },
);

const redirectTo = (description: string) => ({
  description,
  headers: z.object({ Location: doc(z.string(), { description: 'Where the browser goes next' }) }),
});

const unavailable = problemContent(
  'PARTNER_UNAVAILABLE: the university’s provider is down or too slow; FEDERATION_UNAVAILABLE: campus ' +
    'sign-in is not configured',
  ['PARTNER_UNAVAILABLE', 'FEDERATION_UNAVAILABLE'],
);

const listRoute = createRoute({
  method: 'get',
  path: '/auth/oidc/partners',
  operationId: 'listCampusPartners',
  tags,
  security: [],
  summary: 'Institutions offering campus sign-in (for the chooser)',
  responses: {
    200: {
      description: 'Active partners with campus sign-in, by name',
      content: { 'application/json': { schema: z.object({ data: z.array(CampusPartnerSchema) }) } },
    },
  },
});

const startRoute = createRoute({
  method: 'get',
  path: '/auth/oidc/{partnerId}/start',
  operationId: 'startCampusSignIn',
  tags,
  security: [],
  summary: 'Start campus sign-in: redirects to the university (authorization code, PKCE S256)',
  request: {
    params: z.object({ partnerId: z.string().check(z.minLength(1), z.maxLength(64)) }),
    query: z.object({
      return: doc(z.optional(z.string().check(z.maxLength(512))), {
        description: 'App route to open after sign-in, e.g. #/titles/t-1 (app-relative only)',
      }),
    }),
  },
  responses: {
    302: redirectTo('To the university’s authorization endpoint; sets the short-lived flow cookie'),
    303: redirectTo('A browser, when refused: to the app’s page for the problem code'),
    400: problemContent('INVALID_RETURN_PATH', ['INVALID_RETURN_PATH', 'VALIDATION_FAILED']),
    403: problemContent('PARTNER_SUSPENDED', ['PARTNER_SUSPENDED']),
    404: problemContent('CAMPUS_SIGN_IN_NOT_OFFERED', ['CAMPUS_SIGN_IN_NOT_OFFERED']),
    503: unavailable,
  },
});

const callbackRoute = createRoute({
  method: 'get',
  path: '/auth/oidc/callback',
  operationId: 'finishCampusSignIn',
  tags,
  security: [],
  summary: 'The redirect URI: checks the university’s answer and hands the sign-in to the app',
  description:
    'Checks the flow cookie and `state`, the `iss` parameter (RFC 9207), exchanges the code with the PKCE ' +
    'verifier and verifies the ID token (keys from the discovery document, iss, aud, exp, nonce, at_hash), ' +
    'then admits the member by the partner’s rules as POST /auth/federated does. Nothing is signed in until ' +
    'the app redeems the one-time code.',
  request: {
    query: z.object({
      code: z.optional(z.string().check(z.maxLength(2048))),
      state: z.optional(z.string().check(z.maxLength(512))),
      iss: z.optional(z.string().check(z.maxLength(500))),
      error: z.optional(z.string().check(z.maxLength(200))),
      error_description: z.optional(z.string().check(z.maxLength(2000))),
    }),
  },
  responses: {
    303: redirectTo(
      'To the app: `#/signin/campus?handoff=…` on success, `?error=<code>` for a browser refused',
    ),
    400: problemContent(
      'CAMPUS_STATE_INVALID (no, altered or expired flow cookie, another state, no PKCE verifier), ' +
        'CAMPUS_CODE_REPLAYED, CAMPUS_CODE_REJECTED, CAMPUS_SIGN_IN_FAILED',
      ['CAMPUS_STATE_INVALID', 'CAMPUS_CODE_REPLAYED', 'CAMPUS_CODE_REJECTED', 'CAMPUS_SIGN_IN_FAILED'],
    ),
    401: problemContent('CAMPUS_ID_TOKEN_INVALID, CAMPUS_ISSUER_MISMATCH, NOT_ENTITLED, ASSERTION_REPLAYED', [
      'CAMPUS_ID_TOKEN_INVALID',
      'CAMPUS_ISSUER_MISMATCH',
      'NOT_ENTITLED',
      'ASSERTION_REPLAYED',
    ]),
    403: problemContent('CAMPUS_CONSENT_DENIED, PARTNER_SUSPENDED', [
      'CAMPUS_CONSENT_DENIED',
      'PARTNER_SUSPENDED',
    ]),
    404: problemContent('CAMPUS_SIGN_IN_NOT_OFFERED', ['CAMPUS_SIGN_IN_NOT_OFFERED']),
    503: unavailable,
  },
});

const sessionRoute = createRoute({
  method: 'post',
  path: '/auth/oidc/session',
  operationId: 'redeemCampusSignIn',
  tags,
  security: [],
  summary: 'Redeem the one-time code of a finished campus sign-in for gateway tokens',
  request: { body: { required: true, content: { 'application/json': { schema: HandoffRequestSchema } } } },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: CampusSignedInSchema } } },
    400: problemContent('Invalid body', ['VALIDATION_FAILED', 'BAD_REQUEST']),
    401: problemContent('CAMPUS_SIGN_IN_EXPIRED: unknown, used or expired code', ['CAMPUS_SIGN_IN_EXPIRED']),
    403: problemContent('PARTNER_SUSPENDED', ['PARTNER_SUSPENDED']),
    404: problemContent('CAMPUS_SIGN_IN_NOT_OFFERED', ['CAMPUS_SIGN_IN_NOT_OFFERED']),
    503: unavailable,
  },
});

function campusOf(c: Context<AppEnv>): CampusSignIn & { federation: FederatedSignIn } {
  const { campus, federation } = c.get('deps');
  if (!campus || !federation) {
    throw new ServiceUnavailableError({
      code: 'FEDERATION_UNAVAILABLE',
      detail: 'Campus sign-in is not configured.',
    });
  }
  return { ...campus, federation };
}

const wantsPage = (c: Context<AppEnv>) => (c.req.header('accept') ?? '').includes('text/html');

/** The app's page for a sign-in outcome; only the fragment carries anything, so no server ever sees it. */
const appPage = (campus: CampusSignIn, query: Record<string, string>) =>
  `${campus.appUrl}/#/signin/campus?${new URLSearchParams(query)}`;

/** A browser that is refused sees the app's translated page with a way back; other clients the problem. */
async function navigation(c: Context<AppEnv>, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    const campus = c.get('deps').campus;
    if (!(error instanceof PustakaError) || !campus || !wantsPage(c)) throw error;
    if (error.status >= 500) c.get('deps').logger.warn('campus sign-in unavailable', { code: error.code });
    c.header('Cache-Control', 'no-store');
    return c.redirect(appPage(campus, { error: error.code }), 303);
  }
}

export function campusSignInRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const partners = await c.get('deps').partners.list();
    const data = partners
      .filter((p) => p.status === 'active' && p.oidc)
      .map((p) => ({ id: p.id, name: p.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({ data }, 200);
  });

  app.openapi(startRoute, (c) =>
    navigation(c, async () => {
      const campus = campusOf(c);
      const deps = c.get('deps');
      const { url, flowCookie: sealed } = await startCampusSignIn(
        { clock: deps.clock, partners: deps.partners, provider: campus.provider, flows: campus.flows },
        c.req.valid('param').partnerId,
        c.req.valid('query').return,
      );
      setCookie(c, flowCookie, sealed, {
        path: cookiePath,
        httpOnly: true,
        sameSite: 'Lax',
        secure: campus.redirectUri.startsWith('https:'),
        maxAge: campusFlowSeconds,
      });
      c.header('Cache-Control', 'no-store');
      return c.redirect(url, 302);
    }),
  );

  app.openapi(callbackRoute, (c) =>
    navigation(c, async () => {
      const campus = campusOf(c);
      const deps = c.get('deps');
      const sealed = getCookie(c, flowCookie);
      // The flow is over whatever happens next: the cookie goes, so a second attempt must start again.
      deleteCookie(c, flowCookie, { path: cookiePath, secure: campus.redirectUri.startsWith('https:') });
      const response = new URL(c.req.url).searchParams;
      const { handoff } = await finishCampusSignIn(
        {
          clock: deps.clock,
          partners: deps.partners,
          replays: campus.federation.replays,
          pseudonyms: campus.federation.pseudonyms,
          provider: campus.provider,
          flows: campus.flows,
          handoffs: campus.handoffs,
          sessions: memberSessions(deps),
        },
        response,
        sealed,
      );
      c.header('Cache-Control', 'no-store');
      return c.redirect(appPage(campus, { handoff }), 303);
    }),
  );

  app.openapi(sessionRoute, async (c) => {
    const campus = campusOf(c);
    const deps = c.get('deps');
    const result = await redeemCampusHandoff(
      {
        clock: deps.clock,
        partners: deps.partners,
        handoffs: campus.handoffs,
        sessions: memberSessions(deps),
      },
      c.req.valid('json').handoff,
    );
    c.header('Cache-Control', 'no-store');
    return c.json(result, 200);
  });
}
