import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
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
    const page = await c.get('deps').audit.list(filter, { limit, ...(cursor ? { cursor } : {}) });
    return c.json(page, 200);
  });
}
