import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { NotFoundError } from '../../domain/errors';
import type { Title } from '../../domain/title';
import type { AppEnv } from '../deps';
import { availabilityOf } from '../../domain/lending';
import { problemContent, TitleDetailSchema, TitlePageSchema, TitleSchema } from '../schemas';

/** The public view of a title: storage keys and hashes stay inside. */
export function titleView(title: Title): z.infer<typeof TitleSchema> {
  const { contentKey: _c, coverKey, coverType: _ct, sortTitle: _s, sha256: _h, ...view } = title;
  return { ...view, ...(coverKey ? { cover: `/titles/${title.id}/cover` } : {}) };
}

const listTitles = createRoute({
  method: 'get',
  path: '/titles',
  summary: 'List the catalogue, a page at a time',
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().min(1).max(4096).optional(),
    }),
  },
  responses: {
    200: { description: 'A page of titles', content: { 'application/json': { schema: TitlePageSchema } } },
    400: problemContent('Invalid query'),
  },
});

const getTitle = createRoute({
  method: 'get',
  path: '/titles/{id}',
  summary: 'One title',
  request: { params: z.object({ id: z.string().min(1).max(128) }) },
  responses: {
    200: {
      description: 'The title, with its availability',
      content: { 'application/json': { schema: TitleDetailSchema } },
    },
    404: problemContent('No such title'),
  },
});

export function titleRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listTitles, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await c.get('deps').titles.list({ limit, ...(cursor ? { cursor } : {}) });
    return c.json({ data: page.data.map(titleView), cursor: page.cursor }, 200);
  });

  app.openapi(getTitle, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    const [title, lending] = await Promise.all([deps.titles.get(id), deps.lending.titleLending(id)]);
    if (!title || !lending) throw new NotFoundError('Title', id, 'TITLE_NOT_FOUND');
    return c.json({ ...titleView(title), availability: availabilityOf(lending, deps.clock.now()) }, 200);
  });
}
