import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
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
  .regex(/^[A-Za-z0-9-]{4,32}$/, 'A card number has 4–32 letters, digits or dashes');
const pin = z.string().regex(/^\d{4,12}$/, 'A PIN has 4–12 digits');
const name = z.string().trim().min(1).max(200);
const email = z.string().trim().max(320).email();
const limit = z.number().int().min(0).max(100);
const roles = z
  .array(z.enum(['patron', 'librarian']))
  .min(1)
  .max(2);

const search = createRoute({
  method: 'get',
  path: '/admin/patrons',
  summary: 'Find patrons by card number (exact) or name (starts with), or list them in name order',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      card: cardNumber.optional(),
      name: z.string().trim().min(1).max(200).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().min(1).max(4096).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Patrons',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(PatronSchema), cursor: z.string().nullable() }),
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
          schema: z
            .object({
              cardNumber,
              name,
              email: email.optional(),
              pin: pin.optional(),
              roles: roles.optional(),
              loanLimit: limit.optional(),
              holdLimit: limit.optional(),
            })
            .strict(),
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
    params: z.object({ id: z.string().min(1).max(128) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              name,
              email: email.nullable(),
              status: z.enum(['active', 'blocked']),
              pin,
              roles,
              loanLimit: limit,
              holdLimit: limit,
            })
            .partial()
            .strict()
            .refine((body) => Object.keys(body).length > 0, 'Nothing to change'),
        },
      },
    },
  },
  responses: {
    200: { description: 'The patron', content: { 'application/json': { schema: PatronSchema } } },
    404: problemContent('No such patron'),
  },
});

const ImportReportSchema = z
  .object({
    rows: z.number().int(),
    imported: z.number().int(),
    refused: z.number().int(),
    results: z.array(
      z.object({
        line: z.number().int(),
        cardNumber: z.string(),
        outcome: z.enum(['imported', 'refused']),
        patronId: z.string().optional(),
        problems: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
      }),
    ),
  })
  .openapi('PatronImportReport');

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

export function adminPatronRoutes(app: OpenAPIHono<AppEnv>): void {
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
