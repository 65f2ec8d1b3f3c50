import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { languageCounts, subjectCounts } from '../../domain/catalogue-order';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * Browsing the catalogue by subject and by language, with counts. Each facet is counted with the other
 * filters applied but not its own, so a patron who picked a language still sees every other language's count.
 */

const CountSchema = z.object({ value: z.string(), count: z.number().int() });

const BrowseSchema = z
  .object({
    total: z.number().int().openapi({ description: 'Titles matching every filter given' }),
    subjects: z.array(CountSchema).openapi({ description: 'Most titles first (at most 50)' }),
    languages: z.array(CountSchema).openapi({ description: 'Primary language subtags, most titles first' }),
  })
  .openapi('CatalogueBrowse');

const browseRoute = createRoute({
  method: 'get',
  path: '/browse',
  operationId: 'browseCatalogue',
  tags: ['Catalogue'],
  security: [],
  summary: 'Subjects and languages of the catalogue, with how many titles each',
  request: {
    query: z.object({
      q: z.string().trim().max(200).optional(),
      lang: z
        .string()
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
        .optional(),
      subject: z.string().trim().min(1).max(100).optional(),
      format: z.enum(['epub', 'pdf']).optional(),
      access: z.enum(['open', 'licensed', 'partner']).optional(),
    }),
  },
  responses: {
    200: { description: 'The counts', content: { 'application/json': { schema: BrowseSchema } } },
    400: problemContent('Invalid query', ['VALIDATION_FAILED']),
  },
});

export function browseRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(browseRoute, async (c) => {
    const { lang, subject, ...rest } = c.req.valid('query');
    const index = await c.get('deps').catalogue.current();
    const titlesOf = (query: Parameters<typeof index.query>[0]) => index.query(query).map((hit) => hit.title);
    const withoutLanguage = titlesOf({ ...rest, ...(subject ? { subject } : {}) });
    const withoutSubject = titlesOf({ ...rest, ...(lang ? { lang } : {}) });
    const all =
      lang || subject
        ? titlesOf({ ...rest, ...(lang ? { lang } : {}), ...(subject ? { subject } : {}) })
        : withoutLanguage;
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(
      {
        total: all.length,
        subjects: subjectCounts(withoutSubject),
        languages: languageCounts(withoutLanguage),
      },
      200,
    );
  });
}
