import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc, extend } from '../schema-doc';
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import {
  checkCoverImage,
  checkWindow,
  collectionErrors,
  coverImageTypes,
  isFeatured,
  maxCollectionTitles,
  maxCoverImageBytes,
  withOrder,
  withTitleRemoved,
  withTitlesAdded,
  type Collection,
} from '../../domain/collection';
import { PustakaError, ServiceUnavailableError, ValidationError } from '../../domain/errors';
import type { Title } from '../../domain/title';
import { librarianId, noteAudit } from '../admin';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';
import { BilingualSchema, coverUrlOf } from './collections';

/**
 * The librarians' side of collections: create, edit (names, dates, cover), add, remove and reorder titles,
 * delete. Every write names the version it read (`version`, optional): a write over a newer version is
 * refused with 409 COLLECTION_CHANGED rather than undoing a colleague's change; without it, the change is
 * applied to whatever is current. Every write is in the audit trail (target type `collection`).
 */

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));
const text = z.string().check(z.trim(), z.maxLength(2000));
const titleId = z.string().check(z.minLength(1), z.maxLength(128));
const instant = z.iso.datetime({ offset: true });
const version = doc(z.optional(z.int().check(z.gte(1))), {
  description: 'The version this change was made against; a newer stored one answers 409 COLLECTION_CHANGED',
});

const CreateSchema = doc(
  z.strictObject({
    name: z.strictObject({ id: name, en: name }),
    description: z.optional(z.strictObject({ id: text, en: text })),
    titleIds: z._default(z.array(titleId).check(z.maxLength(maxCollectionTitles)), []),
    coverTitleId: doc(z.optional(titleId), { description: 'Use this member title’s cover' }),
    featuredFrom: z.optional(instant),
    featuredUntil: z.optional(instant),
  }),
  { id: 'CollectionCreate' },
);

const PatchSchema = doc(
  z
    .strictObject({
      name: z.optional(z.strictObject({ id: name, en: name })),
      description: z.optional(z.strictObject({ id: text, en: text })),
      coverTitleId: doc(z.optional(z.nullable(titleId)), {
        description: 'A member title’s cover; null: no cover (an uploaded one is dropped)',
      }),
      featuredFrom: z.optional(z.nullable(instant)),
      featuredUntil: z.optional(z.nullable(instant)),
      version,
    })
    .check(
      z.refine((body) => Object.keys(body).some((key) => key !== 'version'), {
        message: 'Nothing to change',
      }),
    ),
  { id: 'CollectionPatch' },
);

const AddTitlesSchema = doc(
  z.strictObject({
    titleIds: z.array(titleId).check(z.minLength(1), z.maxLength(maxCollectionTitles)),
    position: doc(z.optional(z.int().check(z.gte(0))), { description: 'Where to insert; default: the end' }),
    version,
  }),
  { id: 'CollectionAddTitles' },
);

const OrderSchema = doc(
  z.strictObject({ titleIds: z.array(titleId).check(z.maxLength(maxCollectionTitles)), version }),
  { id: 'CollectionOrder' },
);

const AdminCollectionSchema = doc(
  z.object({
    id: z.string(),
    name: BilingualSchema,
    description: BilingualSchema,
    titleIds: z.array(z.string()),
    titles: z.array(
      z.object({
        id: z.string(),
        title: z.optional(z.string()),
        status: z.enum(['active', 'withdrawn', 'missing']),
        cover: z.optional(z.string()),
      }),
    ),
    cover: z.optional(
      z.object({
        kind: z.enum(['image', 'title']),
        titleId: z.optional(z.string()),
        url: z.optional(z.string()),
      }),
    ),
    featuredFrom: z.optional(z.string()),
    featuredUntil: z.optional(z.string()),
    featured: doc(z.boolean(), { description: 'Featured now' }),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.optional(z.string()),
  }),
  { id: 'AdminCollection' },
);

const adminOperation = { tags: ['Collections (librarians)'], security: [{ bearer: [] }] };
const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
const json = <T extends z.ZodMiniType>(schema: T) => ({ content: { 'application/json': { schema } } });
const ok = (description: string) => ({ description, ...json(AdminCollectionSchema) });
const bad = problemContent('Invalid input', ['VALIDATION_FAILED']);
const missing = problemContent('No such collection', ['COLLECTION_NOT_FOUND']);
const changed = (extra: ('COLLECTION_TITLE_PRESENT' | 'COLLECTION_FULL')[] = []) =>
  problemContent('Changed meanwhile, or refused by the collection’s state', ['COLLECTION_CHANGED', ...extra]);
const unknownTitles = problemContent('A title named is not in the catalogue', ['COLLECTION_TITLE_UNKNOWN']);

const listRoute = createRoute({
  method: 'get',
  path: '/admin/collections',
  operationId: 'adminListCollections',
  ...adminOperation,
  summary: 'Every collection, featured or not, newest first',
  responses: {
    200: {
      description: 'The collections',
      ...json(doc(z.object({ data: z.array(AdminCollectionSchema) }), { id: 'AdminCollectionList' })),
    },
  },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/admin/collections',
  operationId: 'adminCreateCollection',
  ...adminOperation,
  summary: 'Create a collection',
  request: { body: { required: true, ...json(CreateSchema) } },
  responses: { 201: ok('Created'), 400: bad, 422: unknownTitles },
});

const getRoute = createRoute({
  method: 'get',
  path: '/admin/collections/{id}',
  operationId: 'adminGetCollection',
  ...adminOperation,
  summary: 'One collection, withdrawn titles included (marked)',
  request: { params: idParam },
  responses: { 200: ok('The collection'), 400: bad, 404: missing },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/admin/collections/{id}',
  operationId: 'adminUpdateCollection',
  ...adminOperation,
  summary: 'Change names, description, featured dates or the cover',
  request: { params: idParam, body: { required: true, ...json(PatchSchema) } },
  responses: { 200: ok('Changed'), 400: bad, 404: missing, 409: changed(), 422: unknownTitles },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/admin/collections/{id}',
  operationId: 'adminDeleteCollection',
  ...adminOperation,
  summary: 'Delete a collection (its titles stay in the catalogue)',
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, 400: bad, 404: missing },
});

const addTitlesRoute = createRoute({
  method: 'post',
  path: '/admin/collections/{id}/titles',
  operationId: 'adminAddCollectionTitles',
  ...adminOperation,
  summary: 'Add titles (at a position, default the end)',
  request: { params: idParam, body: { required: true, ...json(AddTitlesSchema) } },
  responses: {
    200: ok('Added'),
    400: bad,
    404: missing,
    409: changed(['COLLECTION_TITLE_PRESENT', 'COLLECTION_FULL']),
    422: unknownTitles,
  },
});

const orderRoute = createRoute({
  method: 'put',
  path: '/admin/collections/{id}/titles',
  operationId: 'adminOrderCollectionTitles',
  ...adminOperation,
  summary: 'Put the titles in a new order (every title once, no other)',
  request: { params: idParam, body: { required: true, ...json(OrderSchema) } },
  responses: {
    200: ok('Reordered'),
    400: bad,
    404: missing,
    409: changed(),
    422: problemContent('Not the same titles', ['COLLECTION_ORDER_MISMATCH']),
  },
});

const removeTitleRoute = createRoute({
  method: 'delete',
  path: '/admin/collections/{id}/titles/{titleId}',
  operationId: 'adminRemoveCollectionTitle',
  ...adminOperation,
  summary: 'Take a title out of the collection',
  request: { params: extend(idParam, { titleId }) },
  responses: {
    200: ok('Removed'),
    400: bad,
    404: problemContent('No such collection, or the title is not in it', [
      'COLLECTION_NOT_FOUND',
      'COLLECTION_TITLE_NOT_FOUND',
    ]),
    409: changed(),
  },
});

const imageBody = Object.fromEntries(
  coverImageTypes.map((type) => [type, { schema: doc(z.string(), { format: 'binary' }) }]),
);

const coverRoute = createRoute({
  method: 'put',
  path: '/admin/collections/{id}/cover',
  operationId: 'adminUploadCollectionCover',
  ...adminOperation,
  summary: `Upload a cover image (JPEG, PNG or WebP, at most ${maxCoverImageBytes / 1024 / 1024} MiB)`,
  description: 'The bytes must be the image type sent (checked by content). Replaces any cover.',
  request: { params: idParam, body: { required: true, content: imageBody } },
  responses: {
    200: ok('Cover stored'),
    400: bad,
    404: missing,
    409: changed(),
    413: problemContent('Over the size limit', ['BODY_TOO_LARGE']),
    415: problemContent('Not JPEG, PNG or WebP', ['UNSUPPORTED_MEDIA_TYPE']),
    422: problemContent('The bytes are not the image type sent', ['COLLECTION_COVER_INVALID']),
    503: problemContent('The content store is not available here', ['SERVICE_UNAVAILABLE']),
  },
});

/** The path whose body is an image, not JSON (app.ts gives it its own body limit). */
export const collectionCoverPath = /^\/admin\/collections\/[^/]+\/cover$/;

async function titlesOf(deps: AppDeps, ids: readonly string[]): Promise<Map<string, Title>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => deps.titles.get(id)));
  return new Map(found.filter((t): t is Title => t !== undefined).map((t) => [t.id, t]));
}

/** Titles to add must be in the catalogue now (not withdrawn). */
async function checkTitles(deps: AppDeps, ids: readonly string[]): Promise<void> {
  const titles = await titlesOf(deps, ids);
  const unknown = [...new Set(ids)].filter((id) => titles.get(id)?.status !== 'active');
  if (unknown.length) throw collectionErrors.unknownTitles(unknown);
}

async function checkCoverTitle(deps: AppDeps, collection: Collection, coverTitleId: string): Promise<void> {
  if (!collection.titleIds.includes(coverTitleId))
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'coverTitleId must be one of the collection’s titles.',
      context: { field: 'coverTitleId' },
    });
  const title = await deps.titles.get(coverTitleId);
  if (!title?.coverKey)
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `Title ${coverTitleId} has no cover to use.`,
      context: { field: 'coverTitleId' },
    });
}

async function adminView(deps: AppDeps, collection: Collection) {
  const titles = await titlesOf(deps, collection.titleIds);
  const shown = [...titles.values()];
  const url = coverUrlOf(collection, shown);
  return {
    id: collection.id,
    name: collection.name,
    description: collection.description,
    titleIds: collection.titleIds,
    titles: collection.titleIds.map((id) => {
      const title = titles.get(id);
      if (!title) return { id, status: 'missing' as const };
      const cover = title.coverKey ? `/titles/${title.id}/cover` : undefined;
      return { id, title: title.title, status: title.status, ...(cover ? { cover } : {}) };
    }),
    ...(collection.cover
      ? {
          cover: {
            kind: collection.cover.kind,
            ...(collection.cover.kind === 'title' ? { titleId: collection.cover.titleId } : {}),
            ...(url ? { url } : {}),
          },
        }
      : {}),
    ...(collection.featuredFrom ? { featuredFrom: collection.featuredFrom } : {}),
    ...(collection.featuredUntil ? { featuredUntil: collection.featuredUntil } : {}),
    featured: isFeatured(collection, deps.clock.now()),
    version: collection.version,
    createdAt: collection.createdAt,
    updatedAt: collection.updatedAt,
    ...(collection.createdBy ? { createdBy: collection.createdBy } : {}),
  };
}

/**
 * Read, change, write on condition the version did not move. Given the version the librarian saw, a moved
 * one is refused; without it the change is tried again on the fresh state (a few times).
 */
async function change(
  deps: AppDeps,
  id: string,
  expected: number | undefined,
  apply: (current: Collection) => Promise<Collection> | Collection,
): Promise<Collection> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.collections.get(id);
    if (!current) throw collectionErrors.notFound(id);
    if (expected !== undefined && current.version !== expected)
      throw collectionErrors.changed(id, expected, current.version);
    const next: Collection = {
      ...(await apply(current)),
      version: current.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    if (await deps.collections.replace(next)) return next;
    if (expected !== undefined) {
      const now = await deps.collections.get(id);
      if (!now) throw collectionErrors.notFound(id);
      throw collectionErrors.changed(id, expected, now.version);
    }
  }
  const latest = await deps.collections.get(id);
  throw collectionErrors.changed(id, latest?.version ?? 0, latest?.version ?? 0);
}

/** `null` clears a field, `undefined` keeps it. */
function setOrClear(
  collection: Collection,
  key: 'featuredFrom' | 'featuredUntil',
  value: string | null | undefined,
): Collection {
  if (value === undefined) return collection;
  const next = { ...collection };
  if (value === null) delete next[key];
  else next[key] = new Date(value).toISOString();
  return next;
}

function audit(c: Context<AppEnv>, action: string, id: string, details?: Record<string, unknown>) {
  noteAudit(c, { action, targetType: 'collection', targetId: id, ...(details ? { details } : {}) });
}

export function adminCollectionRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const deps = c.get('deps');
    const collections = await deps.collections.list();
    return c.json({ data: await Promise.all(collections.map((one) => adminView(deps, one))) }, 200);
  });

  app.openapi(createRouteDef, async (c) => {
    const deps = c.get('deps');
    const body = c.req.valid('json');
    const id = `c-${randomUUID()}`;
    audit(c, 'collection.create', id);
    const window = {
      ...(body.featuredFrom ? { featuredFrom: new Date(body.featuredFrom).toISOString() } : {}),
      ...(body.featuredUntil ? { featuredUntil: new Date(body.featuredUntil).toISOString() } : {}),
    };
    checkWindow(window);
    const titleIds = [...new Set(body.titleIds)];
    await checkTitles(deps, titleIds);
    const now = deps.clock.now().toISOString();
    const collection: Collection = {
      id,
      name: body.name,
      description: body.description ?? { id: '', en: '' },
      titleIds,
      ...window,
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: librarianId(c),
    };
    if (body.coverTitleId) {
      await checkCoverTitle(deps, collection, body.coverTitleId);
      collection.cover = { kind: 'title', titleId: body.coverTitleId };
    }
    await deps.collections.create(collection);
    audit(c, 'collection.create', id, { titles: titleIds.length, name: body.name.en });
    c.header('Location', `/admin/collections/${id}`);
    return c.json(await adminView(deps, collection), 201);
  });

  app.openapi(getRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const collection = await deps.collections.get(id);
    if (!collection) throw collectionErrors.notFound(id);
    return c.json(await adminView(deps, collection), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { version: expected, ...body } = c.req.valid('json');
    audit(c, 'collection.edit', id, { fields: Object.keys(body) });
    const next = await change(deps, id, expected, async (current) => {
      let edited: Collection = {
        ...current,
        ...(body.name ? { name: body.name } : {}),
        ...(body.description ? { description: body.description } : {}),
      };
      edited = setOrClear(edited, 'featuredFrom', body.featuredFrom);
      edited = setOrClear(edited, 'featuredUntil', body.featuredUntil);
      checkWindow(edited);
      if (body.coverTitleId !== undefined) {
        const { cover: _old, ...rest } = edited;
        edited = rest;
        if (body.coverTitleId !== null) {
          await checkCoverTitle(deps, edited, body.coverTitleId);
          edited.cover = { kind: 'title', titleId: body.coverTitleId };
        }
      }
      return edited;
    });
    return c.json(await adminView(deps, next), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    audit(c, 'collection.delete', id);
    if (!(await deps.collections.remove(id))) throw collectionErrors.notFound(id);
    return c.body(null, 204);
  });

  app.openapi(addTitlesRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { titleIds, position, version: expected } = c.req.valid('json');
    audit(c, 'collection.addTitles', id, { titleIds });
    await checkTitles(deps, titleIds);
    const next = await change(deps, id, expected, (current) => withTitlesAdded(current, titleIds, position));
    return c.json(await adminView(deps, next), 200);
  });

  app.openapi(orderRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { titleIds, version: expected } = c.req.valid('json');
    audit(c, 'collection.reorder', id, { titles: titleIds.length });
    const next = await change(deps, id, expected, (current) => withOrder(current, titleIds));
    return c.json(await adminView(deps, next), 200);
  });

  app.openapi(removeTitleRoute, async (c) => {
    const deps = c.get('deps');
    const { id, titleId: removed } = c.req.valid('param');
    audit(c, 'collection.removeTitle', id, { titleId: removed });
    const next = await change(deps, id, undefined, (current) => withTitleRemoved(current, removed));
    return c.json(await adminView(deps, next), 200);
  });

  app.openapi(coverRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    audit(c, 'collection.cover', id);
    const declared = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(coverImageTypes as readonly string[]).includes(declared))
      throw new PustakaError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        detail: 'Send the cover as image/jpeg, image/png or image/webp.',
        context: { field: 'content-type' },
      });
    const store = deps.publishing?.store;
    if (!store)
      throw new ServiceUnavailableError({
        code: 'SERVICE_UNAVAILABLE',
        detail: 'Covers can be uploaded only where the content store is reachable.',
      });
    if (!(await deps.collections.get(id))) throw collectionErrors.notFound(id);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const type = checkCoverImage(bytes, declared);
    const extension = type.split('/')[1] === 'jpeg' ? 'jpg' : type.split('/')[1]!;
    // A new object per upload: the old one is removed once the record points at the new one.
    const key = deps.objectKeys.collectionCover(id, randomUUID().slice(0, 8), extension);
    await store.put(key, bytes, type);
    let previous: string | undefined;
    const next = await change(deps, id, undefined, (current) => {
      previous = current.cover?.kind === 'image' ? current.cover.key : undefined;
      return { ...current, cover: { kind: 'image', key, type, size: bytes.length } };
    }).catch(async (error: unknown) => {
      await store.remove(key).catch(() => {});
      throw error;
    });
    if (previous && previous !== key) await store.remove(previous).catch(() => {});
    audit(c, 'collection.cover', id, { type, size: bytes.length });
    return c.json(await adminView(deps, next), 200);
  });
}
