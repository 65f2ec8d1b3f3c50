import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { publishUpload } from '../../domain/content-pipeline';
import { NotFoundError } from '../../domain/errors';
import { titleEdit } from '../../domain/title';
import { noteAudit, pipelineDeps } from '../admin';
import type { AppEnv } from '../deps';
import { problemContent, TitleSchema } from '../schemas';
import { titleView } from './titles';

const text = (max: number) => z.string().trim().min(1).max(max);
const list = (max: number) => z.array(text(500)).max(max);

const MetadataSchema = z
  .object({
    title: text(500),
    authors: list(50),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'A BCP 47 language tag such as id or en-GB'),
    publisher: text(500),
    published: text(40),
    description: text(10_000),
    subjects: list(100),
    identifiers: z
      .object({ isbn: list(20), doi: list(20), issn: list(20), other: list(20) })
      .partial()
      .strict(),
  })
  .partial()
  .strict()
  .openapi('TitleMetadata');

const AccessSchema = z.enum(['open', 'licensed', 'partner']);
const titleId = z.object({ id: z.string().min(1).max(128) });

const publish = createRoute({
  method: 'post',
  path: '/admin/titles',
  summary: 'Validate an upload by its content and make it a title',
  security: [{ bearer: [] }],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              uploadId: z.string().regex(/^u-[0-9a-f]{32}$/, 'An upload id'),
              access: AccessSchema,
              metadata: MetadataSchema.optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: { description: 'The new title', content: { 'application/json': { schema: TitleSchema } } },
    404: problemContent('No such upload'),
    409: problemContent('The upload is not complete, or already used'),
    422: problemContent(
      'Refused by validation; `code` says why (e.g. EPUB_ZIP_BOMB, PDF_ENCRYPTED, PDF_RESTRICTED)',
      ['EPUB_ZIP_BOMB', 'PDF_ENCRYPTED', 'PDF_RESTRICTED'],
    ),
  },
});

const edit = createRoute({
  method: 'patch',
  path: '/admin/titles/{id}',
  summary: "Edit a title's metadata or access",
  security: [{ bearer: [] }],
  request: {
    params: titleId,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: MetadataSchema.extend({ access: AccessSchema.optional() })
            .strict()
            .refine((body) => Object.keys(body).length > 0, 'Nothing to change'),
        },
      },
    },
  },
  responses: {
    200: { description: 'The title', content: { 'application/json': { schema: TitleSchema } } },
    404: problemContent('No such title'),
  },
});

const withdraw = createRoute({
  method: 'delete',
  path: '/admin/titles/{id}',
  summary:
    'Withdraw a title: no new loans or holds; running loans continue to their end; waiting and reserved holds are cancelled',
  security: [{ bearer: [] }],
  request: { params: titleId },
  responses: {
    200: { description: 'The withdrawn title', content: { 'application/json': { schema: TitleSchema } } },
    404: problemContent('No such title'),
  },
});

export function adminTitleRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(publish, async (c) => {
    const body = c.req.valid('json');
    noteAudit(c, { action: 'title.create', targetType: 'upload', targetId: body.uploadId });
    const title = await publishUpload(pipelineDeps(c.get('deps')), body);
    noteAudit(c, {
      action: 'title.create',
      targetType: 'title',
      targetId: title.id,
      details: { uploadId: body.uploadId, title: title.title, format: title.format, sha256: title.sha256 },
    });
    return c.json(titleView(title), 201, { Location: `/titles/${title.id}` });
  });

  app.openapi(edit, async (c) => {
    const { id } = c.req.valid('param');
    const changes = titleEdit(c.req.valid('json'));
    noteAudit(c, {
      action: 'title.edit',
      targetType: 'title',
      targetId: id,
      details: { fields: Object.keys(changes).filter((f) => f !== 'sortTitle') },
    });
    const deps = c.get('deps');
    const title = await deps.titles.update(id, changes, deps.clock.now());
    if (!title)
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${id} was not found.`,
        context: { id },
      });
    return c.json(titleView(title), 200);
  });

  app.openapi(withdraw, async (c) => {
    const { id } = c.req.valid('param');
    noteAudit(c, { action: 'title.withdraw', targetType: 'title', targetId: id });
    const deps = c.get('deps');
    const now = deps.clock.now();
    // Lending refuses new loans and holds on a withdrawn title; loans already out run to their end (and stay
    // readable). Holds can never be met now: cancel them, freeing reserved copies. Withdrawing again is
    // harmless and finishes a cancellation that was cut short.
    const found = await deps.titles.get(id);
    if (!found)
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${id} was not found.`,
        context: { id },
      });
    const title =
      found.status === 'withdrawn'
        ? found
        : await deps.titles.update(id, { status: 'withdrawn', withdrawnAt: now.toISOString() }, now);
    if (!title)
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${id} was not found.`,
        context: { id },
      });
    const holdsCancelled = await deps.lending.endHoldsOfWithdrawnTitle(id);
    noteAudit(c, {
      action: 'title.withdraw',
      targetType: 'title',
      targetId: id,
      details: { holdsCancelled },
    });
    return c.json(titleView(title), 200);
  });
}
