import { campusAccess } from './campus';
import type { AppDeps } from './deps';
import { accountRoutes } from './routes/account';
import { suggestionRoutes } from './routes/acquisitions';
import { authRoutes } from './routes/auth';
import { browseRoutes } from './routes/browse';
import { collectionRoutes } from './routes/collections';
import { goRoutes } from './routes/go';
import { healthRoutes } from './routes/health';
import { lendingRoutes } from './routes/lending';
import { meRoutes } from './routes/me';
import { notificationRoutes } from './routes/notifications';
import { opdsRoutes } from './routes/opds';
import { opdsAccountRoutes } from './routes/opds-account';
import { opdsBorrowingRoutes } from './routes/opds-borrowing';
import { openUrlRoutes } from './routes/openurl';
import { programmeRoutes } from './routes/programmes';
import { readingRoutes } from './routes/reading';
import { titleRoutes } from './routes/titles';
import { createShell, type App, type RouteSet } from './shell';

/**
 * The patron API's routes: signing in, the catalogue, lending, reading, OPDS, campus access to titles (by the
 * campus's address ranges), notifications, reading programmes, collections and suggestions. What partners and
 * harvesters call (partner members' sign-in, SUSHI) is the partner API's (partner-api.ts).
 */
export const patronRoutes: RouteSet = {
  mount(app: App, deps: AppDeps) {
    healthRoutes(app);
    authRoutes(app);
    meRoutes(app);
    accountRoutes(app);
    notificationRoutes(app);
    titleRoutes(app);
    readingRoutes(app);
    // Campus ranges carry partner entitlements to POST /titles/{id}/access without a token.
    app.use('/titles/:id/access', campusAccess({ trustedProxies: deps.config.TRUSTED_PROXY_CIDRS }));
    lendingRoutes(app);
    goRoutes(app);
    opdsRoutes(app, deps);
    opdsAccountRoutes(app);
    opdsBorrowingRoutes(app);
    openUrlRoutes(app);
    programmeRoutes(app);
    collectionRoutes(app);
    browseRoutes(app);
    suggestionRoutes(app);
  },
};

/**
 * The patron API as its Lambda serves it (functions/handlers/api.ts): no librarian or partner route is even
 * bundled.
 */
export const createPatronApp = (deps: AppDeps): App => createShell(deps, [patronRoutes]);
