import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import {
  acquisitionCsvRows,
  acquisitionSortKeys,
  checkSuggestion,
  dailyDenials,
  defaultHoldsRatio,
  defaultOrderOf,
  denialWindow,
  gatherAcquisitions,
  maxSuggestionAuthor,
  maxSuggestionNote,
  maxSuggestionTitle,
  sortAcquisitionRows,
  type AcquisitionRow,
} from '../../domain/acquisitions';
import { writeCsv } from '../../domain/csv';
import { requireCaller } from '../auth';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * Acquisition suggestions (issue 17, item 5): patrons suggest titles (POST /me/suggestions); librarians read
 * one sortable, exportable list of what to buy or license more of (GET /admin/acquisitions).
 */

const bearer = [{ bearer: [] }];

const SuggestionBody = doc(
  z.strictObject({
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(maxSuggestionTitle)),
    author: z.string().check(z.trim(), z.minLength(1), z.maxLength(maxSuggestionAuthor)),
    isbn: z.optional(z.string().check(z.maxLength(40))),
    note: z.optional(z.string().check(z.maxLength(maxSuggestionNote))),
  }),
  { id: 'SuggestionInput' },
);

const SuggestionAnswer = doc(
  z.object({
    id: z.string(),
    title: z.string(),
    author: z.string(),
    isbn: doc(z.optional(z.string()), { description: 'As ISBN-13' }),
    outcome: doc(z.enum(['created', 'counted', 'already-suggested']), {
      description:
        'created: a new suggestion; counted: the title had been suggested by others, this patron is counted too; ' +
        'already-suggested: this patron had suggested it before (counted once)',
    }),
  }),
  { id: 'SuggestionReceipt' },
);

const suggest = createRoute({
  method: 'post',
  path: '/me/suggestions',
  operationId: 'suggestTitle',
  tags: ['Acquisitions'],
  summary: 'Suggest a title for the library to buy (deduplicated by ISBN or normalised title and author)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: SuggestionBody } } } },
  responses: {
    201: { description: 'A new suggestion', content: { 'application/json': { schema: SuggestionAnswer } } },
    200: {
      description: 'Added to (or already counted in) a suggestion made before',
      content: { 'application/json': { schema: SuggestionAnswer } },
    },
    400: problemContent('A bad body, ISBN or title', [
      'VALIDATION_FAILED',
      'ISBN_INVALID',
      'SUGGESTION_TITLE_INVALID',
    ]),
    401: problemContent('No or invalid access token'),
  },
});

const RowSchema = doc(
  z.object({
    kind: z.enum(['title', 'suggestion']),
    id: doc(z.string(), { description: 'The title’s id, or the suggestion’s for a title not held' }),
    title: z.string(),
    author: z.string(),
    isbn: z.optional(z.string()),
    reasons: z.array(z.enum(['holds-ratio', 'denials', 'wishes', 'suggestions', 'not-in-collection'])),
    holds: doc(z.int(), { description: 'Holds waiting' }),
    copies: doc(z.nullable(z.int()), {
      description: 'Concurrent copies of the active licences; null = unlimited or not lent',
    }),
    ratio: doc(z.nullable(z.number()), { description: 'Holds per copy; null without a finite ratio' }),
    denials30d: doc(z.int(), { description: 'Turnaways (Limit_Exceeded, No_License), 30 days' }),
    wishes: z.int(),
    suggestions: doc(z.int(), { description: 'Distinct patrons who suggested it' }),
    notes: doc(z.optional(z.array(z.string())), { description: 'Patrons’ latest notes (no names)' }),
    link: doc(z.string(), { description: 'The title’s management page in the console' }),
  }),
  { id: 'AcquisitionRow' },
);

const list = createRoute({
  method: 'get',
  path: '/admin/acquisitions',
  operationId: 'listAcquisitions',
  tags: ['Acquisitions'],
  summary: 'Titles to buy or license more of: holds per copy, turnaways, wishes, patrons’ suggestions',
  security: bearer,
  request: {
    query: z.object({
      ratio: doc(z._default(z.coerce.number().check(z.gte(0.1), z.lte(1000)), defaultHoldsRatio), {
        description: 'Holds per copy at or above which a title is listed (default 3, i.e. 3:1)',
      }),
      sort: z._default(z.enum(acquisitionSortKeys), 'ratio'),
      order: doc(z.optional(z.enum(['asc', 'desc'])), {
        description: 'Default: descending for numbers, ascending for title and reasons',
      }),
      format: z._default(z.enum(['json', 'csv']), 'json'),
    }),
  },
  responses: {
    200: {
      description: 'The list',
      content: {
        'application/json': {
          schema: doc(
            z.object({
              ratio: z.number(),
              sort: z.enum(acquisitionSortKeys),
              order: z.enum(['asc', 'desc']),
              denialsFrom: doc(z.string(), { description: 'The first day whose turnaways are counted' }),
              denialsTo: doc(z.string(), { description: 'The last day (today, UTC)' }),
              data: z.array(RowSchema),
            }),
            { id: 'AcquisitionList' },
          ),
        },
        'text/csv': { schema: z.string() },
      },
    },
    400: problemContent('A bad ratio, sort, order or format', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

/** The console's management page of a title; a suggestion not held has none, so it links to the uploads. */
const linkOf = (row: AcquisitionRow) =>
  row.kind === 'title' ? `/#/console/titles/${encodeURIComponent(row.id)}` : '/#/console';

export function suggestionRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(suggest, async (c) => {
    const deps = c.get('deps');
    const checked = checkSuggestion(c.req.valid('json'));
    const { suggestion, counted, created } = await deps.suggestions.suggest(
      c.get('caller').patronId,
      checked,
      deps.clock.now(),
    );
    const answer = {
      id: suggestion.id,
      title: suggestion.title,
      author: suggestion.author,
      ...(suggestion.isbn ? { isbn: suggestion.isbn } : {}),
      outcome: created
        ? ('created' as const)
        : counted
          ? ('counted' as const)
          : ('already-suggested' as const),
    };
    c.header('Cache-Control', 'no-store');
    return created ? c.json(answer, 201) : c.json(answer, 200);
  });
}

export function adminAcquisitionRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(list, async (c) => {
    const { ratio, sort, order, format } = c.req.valid('query');
    const deps = c.get('deps');
    const rows = await gatherAcquisitions(sourcesOf(deps), { now: deps.clock.now(), ratio });
    const effectiveOrder = order ?? defaultOrderOf(sort);
    const sorted = sortAcquisitionRows(rows, sort, effectiveOrder);
    c.header('Cache-Control', 'no-store');
    if (format === 'csv') {
      c.header('Content-Disposition', 'attachment; filename="acquisitions.csv"');
      return c.body(writeCsv(acquisitionCsvRows(sorted, linkOf)), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
      });
    }
    const data = sorted.map((row) => ({ ...row, link: linkOf(row) }));
    const { fromDay, toDay } = denialWindow(deps.clock.now());
    return c.json({ ratio, sort, order: effectiveOrder, denialsFrom: fromDay, denialsTo: toDay, data }, 200);
  });
}

function sourcesOf(deps: AppDeps) {
  return {
    titles: deps.titles,
    lending: deps.lending,
    wishCounts: () => deps.notifications.wishCounts(),
    suggestions: deps.suggestions,
    denials: dailyDenials(deps.dailyUsage),
  };
}
