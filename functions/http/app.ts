import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { currentDeadline, unavailableRetryAfterSeconds } from '../domain/deadline';
import { PustakaError, ServiceUnavailableError, TooManyRequestsError } from '../domain/errors';
import { authChallenge, requireCaller, requireRole } from './auth';
import { campusAccess } from './campus';
import { requestDeadline } from './deadline';
import type { AppDeps, AppEnv } from './deps';
import { noSniff } from './no-sniff';
import { problemResponse } from './problem';
import { auditTrail } from './admin';
import { adminAuditRoutes } from './routes/admin-audit';
import { adminLicenceRoutes } from './routes/admin-licences';
import { adminPatronRoutes, maxImportBytes } from './routes/admin-patrons';
import { adminTitleRoutes } from './routes/admin-titles';
import { adminUploadRoutes } from './routes/admin-uploads';
import { authRoutes } from './routes/auth';
import { campusSignInRoutes } from './routes/campus-sign-in';
import { federationRoutes } from './routes/federation';
import { goRoutes } from './routes/go';
import { healthRoutes } from './routes/health';
import { accountRoutes } from './routes/account';
import { lendingRoutes } from './routes/lending';
import { meRoutes } from './routes/me';
import { notificationRoutes } from './routes/notifications';
import { adminNotificationRoutes } from './routes/admin-notifications';
import { readingRoutes } from './routes/reading';
import { opdsRoutes } from './routes/opds';
import { opdsAccountRoutes } from './routes/opds-account';
import { opdsBorrowingRoutes } from './routes/opds-borrowing';
import { openUrlRoutes } from './routes/openurl';
import { partnerRoutes } from './routes/partners';
import { problemRoutes } from './routes/problems';
import { adminCounterRoutes, sushiRoutes } from './routes/sushi';
import { adminDashboardRoutes } from './routes/admin-dashboard';
import { completeContract } from './contract';
import { titleRoutes } from './routes/titles';
import { validationHook } from './validation';
import { adminProgrammeRoutes } from './routes/admin-programmes';
import { programmeRoutes } from './routes/programmes';
import { collectionRoutes } from './routes/collections';
import { browseRoutes } from './routes/browse';
import { adminCollectionRoutes, collectionCoverPath } from './routes/admin-collections';
import { maxCoverImageBytes } from '../domain/collection';
import { adminAcquisitionRoutes, suggestionRoutes } from './routes/acquisitions';

/** Which routes a deployment serves: on AWS the librarian API runs in its own function with wider grants. */
export type Surface = 'all' | 'patron' | 'librarian';

export interface AppOptions {
  surface?: Surface;
}

/** What an operator needs to see of a 503's cause: the chain of names and messages, no stack. */
function describeCause(cause: unknown): string | undefined {
  const parts: string[] = [];
  for (let e = cause, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    parts.push(`${e.name}: ${e.message}`);
  }
  return parts.length ? parts.join(' <- ') : undefined;
}

/** JSON bodies are small; anything larger is refused before it is parsed. */
export const maxJsonBodyBytes = 16 * 1024;

export function createApp(deps: AppDeps, options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const surface = options.surface ?? 'all';
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', noSniff());
  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    const started = performance.now();
    await next();
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
    });
  });
  app.use(
    '*',
    cors({
      origin: deps.config.WEB_ORIGIN,
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'Location'],
      maxAge: 600,
    }),
  );
  // Uploads and publishing (librarians only) may take longer than a patron's request.
  app.use(
    '*',
    requestDeadline({
      budgetMs: (c) =>
        c.req.path === '/admin' || c.req.path.startsWith('/admin/')
          ? deps.config.ADMIN_REQUEST_DEADLINE_MS
          : deps.config.REQUEST_DEADLINE_MS,
    }),
  );
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => problemResponse(c, 413, 'BODY_TOO_LARGE', `The request body is over ${maxSize} bytes.`),
    });
  const jsonBodyLimit = limitBody(maxJsonBodyBytes);
  const importBodyLimit = limitBody(maxImportBytes);
  const coverBodyLimit = limitBody(maxCoverImageBytes);
  // Two paths carry more than JSON: the librarians' CSV import of patrons, and collection cover images.
  app.use('*', (c, next) =>
    c.req.path === '/admin/patrons/import'
      ? importBodyLimit(c, next)
      : collectionCoverPath.test(c.req.path)
        ? coverBodyLimit(c, next)
        : jsonBodyLimit(c, next),
  );

  // Every /admin path is librarian-only, whether or not a route exists there yet: no token → 401, a patron → 403.
  // The librarian's record is read again per request (admin actions are few and weighty), so a block or a
  // removed role applies at once rather than when the access token expires.
  const librarianOnly = [requireCaller({ recheckPatron: true }), requireRole('librarian')] as const;
  app.use('/admin', ...librarianOnly);
  app.use('/admin/*', ...librarianOnly);

  if (surface !== 'librarian') {
    healthRoutes(app);
    authRoutes(app);
    federationRoutes(app);
    campusSignInRoutes(app);
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
  }
  if (surface !== 'patron') {
    partnerRoutes(app);
  }
  // Reading programmes: patrons join and follow them; librarians create them and see participation.
  if (surface !== 'librarian') programmeRoutes(app);
  if (surface !== 'patron') adminProgrammeRoutes(app);
  if (surface !== 'patron') {
    app.use('/admin/*', auditTrail());
    adminUploadRoutes(app);
    adminTitleRoutes(app);
    adminLicenceRoutes(app);
    adminPatronRoutes(app);
    adminAuditRoutes(app);
    adminNotificationRoutes(app);
  }
  // COUNTER R5.1: the SUSHI API for harvesters (patron surface), credentials and TSV for librarians.
  if (surface !== 'librarian') sushiRoutes(app);
  if (surface !== 'patron') adminCounterRoutes(app);
  // The librarians' dashboard of use (charts in the console).
  if (surface !== 'patron') adminDashboardRoutes(app);
  // Collections: public pages and OPDS feeds on the patron API, their editing on the librarian API.
  if (surface !== 'librarian') {
    collectionRoutes(app);
    browseRoutes(app);
  }
  if (surface !== 'patron') adminCollectionRoutes(app);
  // Acquisition suggestions: patrons suggest titles; librarians read the list of what to buy.
  if (surface !== 'librarian') suggestionRoutes(app);
  if (surface !== 'patron') adminAcquisitionRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });

  // Every problem's `type` is one of these pages, on either API.
  problemRoutes(app);

  const contract = () =>
    completeContract(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Pustaka gateway',
          version: '0.1.0',
          description: 'Digital library and e-resource gateway',
          license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
        },
        servers: [{ url: '/', description: 'This gateway' }],
      }),
    );
  app.get('/openapi.json', (c) => c.json(contract()));

  app.notFound((c) =>
    problemResponse(c, 404, 'ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`),
  );

  app.onError((error, c) => {
    if (error instanceof TooManyRequestsError) {
      return problemResponse(c, error.status, error.code, error.message, error.context, {
        'Retry-After': String(error.retryAfterSeconds),
      });
    }
    if (error instanceof ServiceUnavailableError) {
      deps.logger.warn('dependency unavailable', {
        requestId: c.get('requestId'),
        code: error.code,
        cause: describeCause(error.cause),
      });
      return problemResponse(c, error.status, error.code, error.message, error.context, {
        'Retry-After': String(unavailableRetryAfterSeconds),
      });
    }
    if (error instanceof PustakaError) {
      const headers = error.status === 401 ? authChallenge(error.code) : {};
      return problemResponse(c, error.status, error.code, error.message, error.context, headers);
    }
    if (error instanceof HTTPException && error.status === 415) {
      const type = c.req.header('Content-Type');
      return problemResponse(
        c,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        type
          ? `This operation does not accept a ${type.split(';')[0]} body (see /openapi.json for what it takes).`
          : 'The request body has no Content-Type; see /openapi.json for what this operation takes.',
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      return problemResponse(c, error.status, 'BAD_REQUEST', error.message || 'The request is not valid.');
    }
    // Whatever broke once the deadline had passed broke because of it (e.g. a body read cut off mid-stream).
    if (currentDeadline()?.expired) {
      deps.logger.warn('deadline passed', { requestId: c.get('requestId'), cause: describeCause(error) });
      return problemResponse(
        c,
        503,
        'SERVICE_UNAVAILABLE',
        'The library did not answer in time. Please try again in a moment.',
        {},
        { 'Retry-After': String(unavailableRetryAfterSeconds) },
      );
    }
    // Anything else is our fault: log it whole, tell the client nothing about it.
    deps.logger.error('unhandled error', { requestId: c.get('requestId'), error: error as Error });
    return problemResponse(c, 500, 'INTERNAL_ERROR', 'Something went wrong on our side. Please try again.');
  });

  return app;
}
