import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { auditNameRefs, withAuditNames } from '../../domain/audit';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

const targetTypes = ['upload', 'title', 'licence', 'patron', 'import', 'collection'] as const;

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    targetType: z.enum(targetTypes).optional(),
    targetId: z.string().optional(),
    outcome: z.enum(['succeeded', 'refused']),
    status: z.number().int(),
    code: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional(),
    names: z
      .record(z.string(), z.string())
      .optional()
      .openapi({
        description:
          'Display names of the ids the entry refers to (actor, a title or patron target, details.titleId), ' +
          'keyed by id, as they are now; an id without a record has none',
        example: { 'p-1b2c': 'Siti Rahma', 't-9f8e': 'Laskar Pelangi' },
      }),
  })
  .openapi('AuditEntry');

const isoTime = z.string().datetime({ offset: false });

const listAudit = createRoute({
  method: 'get',
  path: '/admin/audit',
  summary: 'Librarian actions, newest first, filtered by actor, action, target and time',
  security: [{ bearer: [] }],
  request: {
    query: z
      .object({
        actor: z.string().min(1).max(128).optional(),
        action: z.string().min(1).max(64).optional(),
        targetType: z.enum(targetTypes).optional(),
        targetId: z.string().min(1).max(128).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
        cursor: z.string().min(1).max(4096).optional(),
      })
      .refine((q) => q.targetId === undefined || q.targetType !== undefined, {
        message: 'targetId needs targetType',
        path: ['targetType'],
      }),
  },
  responses: {
    200: {
      description: 'A page of the trail',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(AuditEntrySchema), cursor: z.string().nullable() }),
        },
      },
    },
    400: problemContent('Invalid filter or cursor'),
  },
});

export function adminAuditRoutes(app: OpenAPIHono<AppEnv>): void {
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
