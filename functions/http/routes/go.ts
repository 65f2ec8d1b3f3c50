import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { UnauthorizedError, ValidationError } from '../../domain/errors';
import { checkGoTargetAgainst, maxGoUrlLength } from '../../domain/go-target';
import { requireCaller } from '../auth';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /go?url=…`: sends a signed-in patron or partner member on to a partner's licensed database. Only targets
 * that pass the domain's check against the active partners' allow-listed databases are redirected; everything
 * else is a 400 problem, never a redirect. Each use is counted (per partner, host and day; never who went).
 */

const goRoute = createRoute({
  method: 'get',
  path: '/go',
  summary: 'Redirect to an allow-listed partner database',
  security: [{ bearer: [] }],
  // The domain check owns the limits (and refuses with GO_TARGET_REFUSED); the schema only documents them.
  request: {
    query: z.object({ url: z.string().openapi({ minLength: 1, maxLength: maxGoUrlLength }) }),
  },
  responses: {
    302: { description: 'To the database' },
    400: problemContent('GO_TARGET_REFUSED: not an allow-listed https database link (or `url` given twice)', [
      'GO_TARGET_REFUSED',
    ]),
    401: problemContent('Not signed in'),
  },
});

export function goRoutes(app: OpenAPIHono<AppEnv>): void {
  app.use('/go', requireCaller());
  // `url` twice: which one would a proxy or a browser use? Neither: refused outright. Checked before the
  // query schema, which would otherwise call an array of urls a plain VALIDATION_FAILED.
  app.use('/go', async (c, next) => {
    if ((c.req.queries('url') ?? []).length !== 1) {
      throw new ValidationError({
        code: 'GO_TARGET_REFUSED',
        detail: 'Give the target url exactly once.',
        context: { field: 'url' },
      });
    }
    await next();
  });
  app.openapi(goRoute, async (c) => {
    const { url } = c.req.valid('query');
    const caller = c.get('caller');
    if (caller.campus)
      throw new UnauthorizedError({ code: 'UNAUTHORIZED', detail: 'Authentication is required.' });
    const deps = c.get('deps');
    const databases = (await deps.partners.list())
      .filter((p) => p.status === 'active')
      .flatMap((p) => p.databases.map((d) => ({ partnerId: p.id, database: d })));
    const verdict = checkGoTargetAgainst(
      url,
      databases.map((d) => d.database),
    );
    if (!verdict.ok)
      throw new ValidationError({
        code: 'GO_TARGET_REFUSED',
        detail: verdict.reason,
        context: { field: 'url' },
      });
    const owner = databases.find((d) => d.database === verdict.database)!;
    await deps.databaseUsage.record({
      partnerId: owner.partnerId,
      database: verdict.database.name,
      host: new URL(verdict.url).hostname,
      at: deps.clock.now(),
    });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(verdict.url, 302);
  });
}
