import { createRoute, type ContractApp } from '../route-kit';
import { NotFoundError } from '../../domain/errors';
import { profileOf } from '../../domain/patron';
import { requireCaller } from '../auth';
import type { AppEnv } from '../deps';
import { PatronProfileSchema, problemContent } from '../schemas';

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  summary: 'The signed-in patron: profile, roles, loan and hold limits',
  security: [{ bearer: [] }],
  middleware: [requireCaller()] as const,
  responses: {
    200: { description: 'The profile', content: { 'application/json': { schema: PatronProfileSchema } } },
    401: problemContent('No or invalid access token'),
    404: problemContent('No patron record (e.g. a partner member)'),
  },
});

export function meRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(meRoute, async (c) => {
    const { patronId } = c.get('caller');
    const patron = await c.get('deps').patrons.get(patronId);
    if (!patron)
      throw new NotFoundError({
        code: 'PATRON_NOT_FOUND',
        detail: `Patron ${patronId} was not found.`,
        context: { id: patronId },
      });
    c.header('Cache-Control', 'no-store');
    return c.json(profileOf(patron), 200);
  });
}
