import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { languageCounts, subjectCounts } from '../../domain/catalogue-order';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * Browsing the catalogue by subject and by language, with counts. Each facet is counted with the other
 * filters applied but not its own, so a patron who picked a language still sees every other language's count.
 */

const CountSchema = z.object({ value: z.string(), count: z.int() });

const BrowseSchema = doc(
  z.object({
    total: doc(z.int(), { description: 'Titles matching every filter given' }),
    subjects: doc(z.array(CountSchema), { description: 'Most titles first (at most 50)' }),
    languages: doc(z.array(CountSchema), { description: 'Primary language subtags, most titles first' }),
  }),
  { id: 'CatalogueBrowse' },
);

const browseRoute = createRoute({
  method: 'get',
  path: '/browse',
  operationId: 'browseCatalogue',
  tags: ['Catalogue'],
  security: [],
  summary: 'Subjects and languages of the catalogue, with how many titles each',
  request: {
    query: z.object({
      q: z.optional(z.string().check(z.trim(), z.maxLength(200))),
      lang: z.optional(z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/))),
      subject: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
      format: z.optional(z.enum(['epub', 'pdf'])),
      access: z.optional(z.enum(['open', 'licensed', 'partner'])),
    }),
  },
  responses: {
    200: { description: 'The counts', content: { 'application/json': { schema: BrowseSchema } } },
    400: problemContent('Invalid query', ['VALIDATION_FAILED']),
  },
});

export function browseRoutes(app: ContractApp<AppEnv>): void {
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
