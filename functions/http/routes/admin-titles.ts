import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { publishUpload } from '../../domain/content-pipeline';
import { NotFoundError } from '../../domain/errors';
import { titleEdit } from '../../domain/title';
import type { TitleListQuery } from '../../domain/title-list';
import { noteAudit, pipelineDeps } from '../admin';
import type { AppEnv } from '../deps';
import { problemContent, TitleSchema } from '../schemas';
import { titleView } from './titles';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const list = (max: number) => z.array(text(500)).check(z.maxLength(max));

const MetadataSchema = doc(
  z.partial(
    z.strictObject({
      title: text(500),
      authors: list(50),
      language: z
        .string()
        .check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'A BCP 47 language tag such as id or en-GB')),
      publisher: text(500),
      published: text(40),
      description: text(10_000),
      subjects: list(100),
      identifiers: z.partial(
        z.strictObject({ isbn: list(20), doi: list(20), issn: list(20), other: list(20) }),
      ),
    }),
  ),
  { id: 'TitleMetadata' },
);

const AccessSchema = z.enum(['open', 'licensed', 'partner']);
const titleId = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

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
          schema: z.strictObject({
            uploadId: z.string().check(z.regex(/^u-[0-9a-f]{32}$/, 'An upload id')),
            access: AccessSchema,
            metadata: z.optional(MetadataSchema),
            allowDuplicate: doc(z.optional(z.boolean()), {
              description: 'Publish even when the same file (SHA-256) is already a title',
            }),
          }),
        },
      },
    },
  },
  responses: {
    201: { description: 'The new title', content: { 'application/json': { schema: TitleSchema } } },
    404: problemContent('No such upload'),
    409: problemContent(
      'The upload is not complete, or already used; or DUPLICATE_PUBLICATION: the same file is already the ' +
        'title named in `existingTitle` (send `allowDuplicate: true` to publish it anyway)',
      ['DUPLICATE_PUBLICATION'],
    ),
    422: problemContent(
      'Refused by validation; `code` says why (e.g. EPUB_ZIP_BOMB, PDF_ENCRYPTED, PDF_RESTRICTED)',
      ['EPUB_ZIP_BOMB', 'PDF_ENCRYPTED', 'PDF_RESTRICTED'],
    ),
  },
});

const flag = z.enum(['true', 'false']);

const TitleListRowSchema = doc(
  z.object({
    id: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    format: z.enum(['epub', 'pdf']),
    access: AccessSchema,
    withdrawn: z.boolean(),
    isbn: z.array(z.string()),
    licences: z.object({
      active: doc(z.int(), { description: 'Licences that lend now' }),
      total: z.int(),
      soonestExpiry: doc(z.nullable(z.string()), { description: 'Soonest expiry of an active licence' }),
      checkoutsLeft: doc(z.nullable(z.int()), { description: 'Across active licences; null = unlimited' }),
    }),
    link: doc(z.string(), { description: "The console's management page of the title" }),
  }),
  { id: 'TitleListRow' },
);

const listTitles = createRoute({
  method: 'get',
  path: '/admin/titles',
  summary:
    'Every title (catalogue, then withdrawn), searched by title, author or ISBN and filtered, with licence summaries',
  description:
    'A page may hold fewer rows than `limit` (even none) with a cursor when a selective filter has read its ' +
    'share of the catalogue for one request: ask on with the cursor. `checkoutsNearlyUsedUp`: an active ' +
    'licence with a checkout limit and at most 5, or at most 10 %, of its checkouts left.',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      q: z.optional(z.string().check(z.trim(), z.maxLength(200))),
      access: z.optional(AccessSchema),
      format: z.optional(z.enum(['epub', 'pdf'])),
      withdrawn: z.optional(flag),
      withoutLicence: z.optional(flag),
      licenceExpiringWithin: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(3_650))),
      checkoutsNearlyUsedUp: z.optional(flag),
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
      cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
    }),
  },
  responses: {
    200: {
      description: 'A page of titles',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(TitleListRowSchema), cursor: z.nullable(z.string()) }),
        },
      },
    },
    400: problemContent('Invalid filter or cursor'),
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
          schema: z
            .extend(MetadataSchema, { access: z.optional(AccessSchema) })
            .check(z.refine((body) => Object.keys(body).length > 0, 'Nothing to change')),
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

export function adminTitleRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listTitles, async (c) => {
    const { limit, cursor, q, access, format, licenceExpiringWithin, ...flags } = c.req.valid('query');
    const deps = c.get('deps');
    const on = (value: 'true' | 'false' | undefined) => (value === undefined ? undefined : value === 'true');
    const query: TitleListQuery = {
      ...(q ? { q } : {}),
      ...(access ? { access } : {}),
      ...(format ? { format } : {}),
      ...(flags.withdrawn !== undefined ? { withdrawn: on(flags.withdrawn)! } : {}),
      ...(on(flags.withoutLicence) ? { withoutLicence: true } : {}),
      ...(licenceExpiringWithin !== undefined ? { licenceExpiringWithin } : {}),
      ...(on(flags.checkoutsNearlyUsedUp) ? { checkoutsNearlyUsedUp: true } : {}),
    };
    const page = await deps.titleList.list(query, {
      limit,
      now: deps.clock.now(),
      ...(cursor ? { cursor } : {}),
    });
    return c.json(page, 200);
  });

  app.openapi(publish, async (c) => {
    const body = c.req.valid('json');
    noteAudit(c, { action: 'title.create', targetType: 'upload', targetId: body.uploadId });
    const title = await publishUpload(pipelineDeps(c.get('deps')), body);
    noteAudit(c, {
      action: 'title.create',
      targetType: 'title',
      targetId: title.id,
      details: {
        uploadId: body.uploadId,
        title: title.title,
        format: title.format,
        sha256: title.sha256,
        ...(body.allowDuplicate ? { allowDuplicate: true } : {}),
      },
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
