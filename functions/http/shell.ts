import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { currentDeadline, unavailableRetryAfterSeconds } from '../domain/deadline';
import { PustakaError, ServiceUnavailableError, TooManyRequestsError } from '../domain/errors';
import { authChallenge, requireCaller, requireRole } from './auth';
import { requestDeadline } from './deadline';
import type { AppDeps, AppEnv } from './deps';
import { noSniff } from './no-sniff';
import { problemResponse } from './problem';
import { problemRoutes } from './routes/problems';
import { ContractApp } from './route-kit';
import { validationHook } from './validation';

/**
 * What every deployment of the API shares, whichever routes it serves: request ids and logging, CORS, the request
 * deadline, body limits, the librarian guard on /admin, the problem pages, the contract at /openapi.json, and
 * the one error handler. The routes come from route sets (patron-api.ts, librarian-api.ts): each Lambda imports
 * only its own, so the patron API's bundle never carries the librarian routes and what they import.
 */

export type App = ContractApp<AppEnv>;

/** A path whose bodies may be larger than JSON's limit (an import file, an image). */
export interface BodyAllowance {
  path: RegExp;
  maxBytes: number;
}

export interface RouteSet {
  /** Mounts the set's routes (and the middleware only they need) on the app. */
  mount(app: App, deps: AppDeps): void;
  bodyAllowances?: readonly BodyAllowance[];
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

export function createShell(deps: AppDeps, routeSets: readonly RouteSet[]): App {
  const app = new ContractApp<AppEnv>(validationHook);

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
  // The few paths that carry more than JSON (the librarians' CSV import of patrons, collection cover images).
  const allowances = routeSets
    .flatMap((set) => set.bodyAllowances ?? [])
    .map(({ path, maxBytes }) => ({ path, limit: limitBody(maxBytes) }));
  app.use('*', (c, next) => {
    const allowance = allowances.find(({ path }) => path.test(c.req.path));
    return (allowance?.limit ?? jsonBodyLimit)(c, next);
  });

  // Every /admin path is librarian-only, whether or not a route exists there yet: no token → 401, a patron → 403.
  // The librarian's record is read again per request (admin actions are few and weighty), so a block or a
  // removed role applies at once rather than when the access token expires.
  const librarianOnly = [requireCaller({ recheckPatron: true }), requireRole('librarian')] as const;
  app.use('/admin', ...librarianOnly);
  app.use('/admin/*', ...librarianOnly);

  for (const set of routeSets) set.mount(app, deps);

  app.securityScheme('bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });

  // Every problem's `type` is one of these pages, on either API.
  problemRoutes(app);

  // The contract, as built by `npm run contract` (test/http/contract-fresh.test.ts keeps it in step with the
  // routes): a static document, never generated per request.
  app.get('/openapi.json', async (c) => {
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(await deps.contractDocument());
  });

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
