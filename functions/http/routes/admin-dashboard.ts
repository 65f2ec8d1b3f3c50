import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import {
  buildDashboard,
  parseDashboardRange,
  type DashboardTitle,
  type TitleHolds,
} from '../../domain/dashboard';
import { everyTitle, holdsAndCopies } from '../../domain/title-holds';
import { counterInstitutions } from '../../application/counter-reports';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /admin/dashboard`: the librarians' charts of a period (loans and requests per day and month, denials per
 * title, holds per copy now, top titles, use by language, subject, format and institution). The daily figures
 * come from the counting path (functions/adapters/counter-store.ts); the adding up is functions/domain/dashboard.ts.
 */

const day = doc(z.string(), { description: 'A calendar day, yyyy-mm-dd (UTC)', example: '2026-03-01' });
const count = z.int();
const UseFigures = { requests: count, investigations: count, loans: count };
const UseByKey = z.array(z.object({ key: z.string(), ...UseFigures }));

const DashboardSchema = doc(
  z.object({
    from: z.string(),
    to: z.string(),
    perDay: z.array(z.object({ day: z.string(), loans: count, requests: count })),
    perMonth: z.array(z.object({ month: z.string(), loans: count, requests: count })),
    denials: z.array(
      z.object({
        titleId: z.string(),
        title: z.string(),
        limitExceeded: count,
        noLicense: count,
        total: count,
      }),
    ),
    holdsPerCopy: z.array(
      z.object({
        titleId: z.string(),
        title: z.string(),
        holds: count,
        copies: count,
        ratio: z.nullable(z.number()),
      }),
    ),
    topTitles: z.array(z.object({ titleId: z.string(), title: z.string(), ...UseFigures })),
    byLanguage: UseByKey,
    bySubject: UseByKey,
    byFormat: UseByKey,
    byInstitution: z.array(
      z.object({ institution: z.string(), name: z.string(), denials: count, ...UseFigures }),
    ),
  }),
  { id: 'Dashboard' },
);

const getDashboard = createRoute({
  method: 'get',
  path: '/admin/dashboard',
  operationId: 'getDashboard',
  tags: ['COUNTER'],
  summary: 'The dashboard of a period: loans, requests, denials, holds per copy, use by title and kind',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      from: z.optional(day),
      to: z.optional(day),
    }),
  },
  responses: {
    200: {
      description: 'The period’s figures',
      content: { 'application/json': { schema: DashboardSchema } },
    },
    400: problemContent('DASHBOARD_RANGE_INVALID, DASHBOARD_RANGE_TOO_LONG (at most 366 days)', [
      'DASHBOARD_RANGE_INVALID',
      'DASHBOARD_RANGE_TOO_LONG',
      'VALIDATION_FAILED',
    ]),
    401: problemContent('Sign in as a librarian'),
    403: problemContent('Librarians only'),
  },
});

export function adminDashboardRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(getDashboard, async (c) => {
    const deps = c.get('deps');
    const range = parseDashboardRange(c.req.valid('query'), deps.clock.now());
    const [uses, titles, institutions] = await Promise.all([
      deps.dailyUsage.dailyTitleUse(range.from, range.to),
      everyTitle(deps.titles),
      counterInstitutions(deps),
    ]);
    const holds: TitleHolds[] = [];
    for (const [titleId, { holds: waiting, copies }] of await holdsAndCopies(
      deps.lending,
      titles,
      deps.clock.now(),
    ))
      if (waiting > 0) holds.push({ titleId, holds: waiting, copies });
    const dashboardTitles = new Map<string, DashboardTitle>(
      titles.map((t) => [
        t.id,
        {
          id: t.id,
          title: t.title,
          subjects: t.subjects,
          format: t.format,
          ...(t.language ? { language: t.language } : {}),
        },
      ]),
    );
    c.header('Cache-Control', 'no-store');
    return c.json(buildDashboard({ range, uses, titles: dashboardTitles, holds, institutions }), 200);
  });
}
