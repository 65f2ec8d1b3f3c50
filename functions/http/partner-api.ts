import type { AppDeps } from './deps';
import { campusSignInRoutes } from './routes/campus-sign-in';
import { federationRoutes } from './routes/federation';
import { sushiRoutes } from './routes/sushi';
import { createShell, type App, type RouteSet } from './shell';

/**
 * The partner API's routes: what academic partners and their systems call rather than the library's patrons
 * reading — a partner member's sign-in (a partner's signed assertion at POST /auth/federated, campus sign-in
 * through the university's OpenID Provider under /auth/oidc) and COUNTER's SUSHI API for harvesters
 * (/sushi). Its own function (infra/constructs/api-functions.ts), so the patron API's bundle carries neither the
 * OpenID relying party nor the federation's key-set checks, and only this function may read the partners'
 * OIDC client secrets.
 */
export const partnerRoutes: RouteSet = {
  mount(app: App) {
    federationRoutes(app);
    campusSignInRoutes(app);
    sushiRoutes(app);
  },
};

/** The partner API as its Lambda serves it (functions/handlers/partner.ts). */
export const createPartnerApp = (deps: AppDeps): App => createShell(deps, [partnerRoutes]);
