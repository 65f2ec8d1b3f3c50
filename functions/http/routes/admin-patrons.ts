import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { ValidationError } from '../../domain/errors';
import { profileOf } from '../../domain/patron';
import { enrolPatron, updatePatron } from '../../domain/patron-admin';
import { importPatrons } from '../../domain/patron-import';
import { noteAudit, patronAdminDeps } from '../admin';
import type { AppEnv } from '../deps';
import { PatronProfileSchema, problemContent } from '../schemas';

/** CSV imports are the one librarian body larger than the global JSON limit (see app.ts). */
export const maxImportBytes = 2 * 1024 * 1024;

/** A librarian sees the same record a patron sees of themself: never the PIN hash. */
const PatronSchema = PatronProfileSchema;

const cardNumber = z
  .string()
  .check(z.regex(/^[A-Za-z0-9-]{4,32}$/, 'A card number has 4–32 letters, digits or dashes'));
const pin = z.string().check(z.regex(/^\d{4,12}$/, 'A PIN has 4–12 digits'));
const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const email = z.string().check(z.trim(), z.maxLength(320), z.email());
const limit = z.int().check(z.gte(0), z.lte(100));
const roles = z.array(z.enum(['patron', 'librarian'])).check(z.minLength(1), z.maxLength(2));

const search = createRoute({
  method: 'get',
  path: '/admin/patrons',
  summary: 'Find patrons by card number (exact) or name (starts with), or list them in name order',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      card: z.optional(cardNumber),
      name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
      cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
    }),
  },
  responses: {
    200: {
      description: 'Patrons',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(PatronSchema), cursor: z.nullable(z.string()) }),
        },
      },
    },
  },
});

const enrol = createRoute({
  method: 'post',
  path: '/admin/patrons',
  summary: 'Enrol a patron',
  security: [{ bearer: [] }],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            cardNumber,
            name,
            email: z.optional(email),
            pin: z.optional(pin),
            roles: z.optional(roles),
            loanLimit: z.optional(limit),
            holdLimit: z.optional(limit),
          }),
        },
      },
    },
  },
  responses: {
    201: { description: 'Enrolled', content: { 'application/json': { schema: PatronSchema } } },
    409: problemContent('CARD_NUMBER_TAKEN', ['CARD_NUMBER_TAKEN']),
  },
});

const change = createRoute({
  method: 'patch',
  path: '/admin/patrons/{id}',
  summary: 'Block or unblock, reset the PIN, set limits or roles',
  security: [{ bearer: [] }],
  request: {
    params: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .partial(
              z.strictObject({
                name,
                email: z.nullable(email),
                status: z.enum(['active', 'blocked']),
                pin,
                roles,
                loanLimit: limit,
                holdLimit: limit,
              }),
            )
            .check(z.refine((body) => Object.keys(body).length > 0, 'Nothing to change')),
        },
      },
    },
  },
  responses: {
    200: { description: 'The patron', content: { 'application/json': { schema: PatronSchema } } },
    404: problemContent('No such patron'),
  },
});

const ImportReportSchema = doc(
  z.object({
    rows: z.int(),
    imported: z.int(),
    refused: z.int(),
    results: z.array(
      z.object({
        line: z.int(),
        cardNumber: z.string(),
        outcome: z.enum(['imported', 'refused']),
        patronId: z.optional(z.string()),
        problems: z.optional(z.array(z.object({ field: z.string(), code: z.string(), message: z.string() }))),
      }),
    ),
  }),
  { id: 'PatronImportReport' },
);

const importCsv = createRoute({
  method: 'post',
  path: '/admin/patrons/import',
  summary: 'Import patrons from CSV (cardNumber,name,email,pin,loanLimit,holdLimit); bad rows are reported',
  security: [{ bearer: [] }],
  request: {
    body: { required: true, content: { 'text/csv': { schema: z.string() } } },
  },
  responses: {
    200: {
      description: 'What was imported and what not',
      content: { 'application/json': { schema: ImportReportSchema } },
    },
    400: problemContent('Not CSV, or no header'),
    413: problemContent('Over 2 MiB'),
  },
});

export function adminPatronRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(search, async (c) => {
    const query = c.req.valid('query');
    const deps = c.get('deps');
    if (query.card) {
      const patron = await deps.patrons.getByCard(query.card);
      return c.json({ data: patron ? [profileOf(patron)] : [], cursor: null }, 200);
    }
    const page = await deps.patrons.search({
      limit: query.limit,
      ...(query.name ? { namePrefix: query.name } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.json({ data: page.data.map(profileOf), cursor: page.cursor }, 200);
  });

  app.openapi(enrol, async (c) => {
    const body = c.req.valid('json');
    noteAudit(c, { action: 'patron.enrol', details: { cardNumber: body.cardNumber } });
    const patron = await enrolPatron(patronAdminDeps(c.get('deps')), body);
    noteAudit(c, {
      action: 'patron.enrol',
      targetType: 'patron',
      targetId: patron.id,
      details: { cardNumber: patron.cardNumber, roles: patron.roles },
    });
    return c.json(profileOf(patron), 201);
  });

  app.openapi(change, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { pin: _pin, ...visible } = body;
    noteAudit(c, {
      action: actionOf(body),
      targetType: 'patron',
      targetId: id,
      // Never the PIN itself: only that it was reset.
      details: { ...visible, ...(body.pin !== undefined ? { pinReset: true } : {}) },
    });
    const patron = await updatePatron(patronAdminDeps(c.get('deps')), id, body);
    return c.json(profileOf(patron), 200);
  });

  app.openapi(importCsv, async (c) => {
    noteAudit(c, { action: 'patron.import', targetType: 'import' });
    const type = c.req.header('content-type') ?? '';
    if (!/^text\/(csv|plain)\b/i.test(type)) {
      throw new ValidationError({
        code: 'VALIDATION_FAILED',
        detail: 'Send the CSV file as text/csv.',
        context: { field: 'content-type' },
      });
    }
    const csv = await c.req.text();
    const report = await importPatrons(patronAdminDeps(c.get('deps')), csv);
    noteAudit(c, {
      action: 'patron.import',
      targetType: 'import',
      targetId: c.get('requestId'),
      details: {
        rows: report.rows,
        imported: report.imported,
        refused: report.refused,
        patronIds: report.results.flatMap((r) => (r.patronId ? [r.patronId] : [])),
      },
    });
    return c.json(report, 200);
  });
}

/** A block, an unblock and a PIN reset are separate actions in the trail; anything else is an edit. */
function actionOf(body: { status?: string; pin?: string }): string {
  if (body.status === 'blocked') return 'patron.block';
  if (body.status === 'active') return 'patron.unblock';
  if (body.pin !== undefined) return 'patron.reset-pin';
  return 'patron.edit';
}
