import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { UnauthorizedError, ValidationError } from '../../domain/errors';
import { checkGoTargetAgainst, maxGoUrlLength } from '../../domain/go-target';
import { requireCaller } from '../auth';
import { institutionOf } from '../counter-usage';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /go?url=…`: sends a signed-in patron or partner member on to a partner's licensed database. Only targets
 * that pass the domain's check against the active partners' allow-listed databases are redirected; everything
 * else is a 400 problem, never a redirect. Each use is counted (per partner, host and day; never who went), and
 * for COUNTER's database reports per month and institution.
 */

const goRoute = createRoute({
  method: 'get',
  path: '/go',
  summary: 'Redirect to an allow-listed partner database',
  security: [{ bearer: [] }],
  // The domain check owns the limits (and refuses with GO_TARGET_REFUSED); the schema only documents them.
  request: {
    query: z.object({ url: doc(z.string(), { minLength: 1, maxLength: maxGoUrlLength }) }),
  },
  responses: {
    302: { description: 'To the database' },
    400: problemContent('GO_TARGET_REFUSED: not an allow-listed https database link (or `url` given twice)', [
      'GO_TARGET_REFUSED',
    ]),
    401: problemContent('Not signed in'),
  },
});

export function goRoutes(app: ContractApp<AppEnv>): void {
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
    const partners = await deps.partners.list();
    const databases = partners
      .filter((p) => p.status === 'active')
      .flatMap((p) => p.databases.map((d) => ({ partnerId: p.id, database: d })));
    const verdict = checkGoTargetAgainst(
      url,
      databases.map((d) => d.database),
    );
    const counted = { institution: institutionOf(caller), user: `patron:${caller.patronId}` };
    if (!verdict.ok) {
      // A database of a partner whose agreement is not active: the patron was turned away for lack of a
      // licence (COUNTER No_License on DR_D2), though the answer stays the same refusal.
      const lapsed = partners
        .filter((p) => p.status !== 'active')
        .flatMap((p) => p.databases.map((d) => ({ partnerId: p.id, database: d })));
      const known = checkGoTargetAgainst(
        url,
        lapsed.map((d) => d.database),
      );
      if (known.ok) {
        const owner = lapsed.find((d) => d.database === known.database)!;
        await deps.counter.recordDatabase({
          ...counted,
          partnerId: owner.partnerId,
          database: known.database.name,
          metric: 'No_License',
          at: deps.clock.now(),
        });
      }
      throw new ValidationError({
        code: 'GO_TARGET_REFUSED',
        detail: verdict.reason,
        context: { field: 'url' },
      });
    }
    const owner = databases.find((d) => d.database === verdict.database)!;
    const at = deps.clock.now();
    await Promise.all([
      deps.databaseUsage.record({
        partnerId: owner.partnerId,
        database: verdict.database.name,
        host: new URL(verdict.url).hostname,
        at,
      }),
      deps.counter.recordDatabase({
        ...counted,
        partnerId: owner.partnerId,
        database: verdict.database.name,
        metric: 'Total_Item_Investigations',
        at,
      }),
    ]);
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(verdict.url, 302);
  });
}
