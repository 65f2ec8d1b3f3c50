import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { auditNameRefs, withAuditNames } from '../../domain/audit';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

const targetTypes = ['upload', 'title', 'licence', 'patron', 'import', 'collection'] as const;

const AuditEntrySchema = doc(
  z.object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    targetType: z.optional(z.enum(targetTypes)),
    targetId: z.optional(z.string()),
    outcome: z.enum(['succeeded', 'refused']),
    status: z.int(),
    code: z.optional(z.string()),
    details: z.optional(z.record(z.string(), z.unknown())),
    requestId: z.optional(z.string()),
    names: doc(z.optional(z.record(z.string(), z.string())), {
      description:
        'Display names of the ids the entry refers to (actor, a title or patron target, details.titleId), ' +
        'keyed by id, as they are now; an id without a record has none',
      example: { 'p-1b2c': 'Siti Rahma', 't-9f8e': 'Laskar Pelangi' },
    }),
  }),
  { id: 'AuditEntry' },
);

const isoTime = z.iso.datetime({ offset: false });

const listAudit = createRoute({
  method: 'get',
  path: '/admin/audit',
  summary: 'Librarian actions, newest first, filtered by actor, action, target and time',
  security: [{ bearer: [] }],
  request: {
    query: z
      .object({
        actor: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
        action: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        targetType: z.optional(z.enum(targetTypes)),
        targetId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
        from: z.optional(isoTime),
        to: z.optional(isoTime),
        limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
        cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
      })
      .check(
        z.refine((q) => q.targetId === undefined || q.targetType !== undefined, {
          message: 'targetId needs targetType',
          path: ['targetType'],
        }),
      ),
  },
  responses: {
    200: {
      description: 'A page of the trail',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(AuditEntrySchema), cursor: z.nullable(z.string()) }),
        },
      },
    },
    400: problemContent('Invalid filter or cursor'),
  },
});

export function adminAuditRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listAudit, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const deps = c.get('deps');
    const page = await deps.audit.list(filter, { limit, ...(cursor ? { cursor } : {}) });
    // Names are a help to the reader: when they cannot be looked up the trail is still shown, with ids.
    const found = await deps.auditNames.names(auditNameRefs(page.data)).catch((error: unknown) => {
      deps.logger.warn('audit names not looked up', { requestId: c.get('requestId'), error: error as Error });
      return { titles: {}, patrons: {} };
    });
    return c.json({ data: withAuditNames(page.data, found), cursor: page.cursor }, 200);
  });
}
