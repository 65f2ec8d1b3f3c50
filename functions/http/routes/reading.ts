import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { maxBookmarksPerTitle, type Bookmark, type ReadingProgress } from '../../domain/reading';
import { requireCaller } from '../auth';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';
import { countTowardsProgrammes } from './programmes';

/**
 * A Readium locator (https://readium.org/architecture/models/locators/) as Readium apps send it: `locations`
 * may hold `fragments` (`page=3`, `t=12`, an element id), `partialCfi`, `cssSelector`, `domRange`, or only a
 * `progression`; fields this gateway does not know are kept as sent (an app reads back what it wrote). What
 * is checked: the known fields' types and ranges, and sizes (the JSON body limit bounds the rest).
 */
const LocationsSchema = z.looseObject({
  progression: z.optional(z.number().check(z.gte(0), z.lte(1))),
  totalProgression: z.optional(z.number().check(z.gte(0), z.lte(1))),
  position: z.optional(z.int().check(z.gte(1), z.lte(10_000_000))),
  fragments: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(1024))).check(z.maxLength(32))),
  cfi: z.optional(z.string().check(z.maxLength(1024), z.regex(/^epubcfi\(.+\)$/))),
  /** Readium's CFI inside the resource, without the `epubcfi(` wrapper and spine step. */
  partialCfi: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  cssSelector: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  domRange: z.optional(z.record(z.string(), z.unknown())),
  /** Pustaka's web reader before fragments: the PDF page (kept for positions stored then). */
  page: z.optional(z.int().check(z.gte(1), z.lte(1_000_000))),
});

export const LocatorSchema = doc(
  z.looseObject({
    href: z.string().check(z.minLength(1), z.maxLength(2048)),
    type: z.string().check(z.minLength(1), z.maxLength(100)),
    title: z.optional(z.string().check(z.maxLength(500))),
    locations: z._default(LocationsSchema, {}),
    text: z.optional(
      z.looseObject({
        before: z.optional(z.string().check(z.maxLength(2000))),
        highlight: z.optional(z.string().check(z.maxLength(2000))),
        after: z.optional(z.string().check(z.maxLength(2000))),
      }),
    ),
  }),
  { id: 'Locator' },
);

const ProgressSchema = doc(
  z.object({
    titleId: z.string(),
    locator: LocatorSchema,
    modified: doc(z.string(), { format: 'date-time' }),
    device: z.optional(z.string()),
  }),
  { id: 'ReadingProgress' },
);

const ProgressBody = z.strictObject({
  locator: LocatorSchema,
  modified: doc(z.iso.datetime({ offset: true }), { description: 'When the reader saved it; newest wins' }),
  device: z.optional(z.string().check(z.maxLength(64))),
});

const BookmarkSchema = doc(
  z.object({
    id: z.string(),
    titleId: z.string(),
    locator: LocatorSchema,
    label: z.optional(z.string()),
    created: z.string(),
  }),
  { id: 'Bookmark' },
);

const BookmarkBody = z.strictObject({
  locator: LocatorSchema,
  label: z.optional(z.string().check(z.trim(), z.maxLength(200))),
});

const titleId = doc(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)), {
  param: { name: 'titleId', in: 'path' },
});
const bookmarkId = doc(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)), {
  param: { name: 'id', in: 'path' },
});
const json = <T extends z.ZodMiniType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const signedIn = requireCaller();

const getProgress = createRoute({
  security: [{ bearer: [] }],
  middleware: [signedIn] as const,
  method: 'get',
  path: '/me/progress/{titleId}',
  summary: 'Where the caller is in a title (saved by any of their devices)',
  request: { params: z.object({ titleId }) },
  responses: {
    200: { description: 'The position', content: { 'application/json': { schema: ProgressSchema } } },
    204: { description: 'Not read yet' },
    401: problemContent('Not signed in'),
  },
});

const putProgress = createRoute({
  security: [{ bearer: [] }],
  middleware: [signedIn] as const,
  method: 'put',
  path: '/me/progress/{titleId}',
  summary: "Saves the caller's position in a title",
  description:
    'The newest `modified` wins: a save older than the stored one is refused with 409 STALE_PROGRESS.',
  request: { params: z.object({ titleId }), body: json(ProgressBody) },
  responses: {
    200: { description: 'Saved', content: { 'application/json': { schema: ProgressSchema } } },
    400: problemContent('Invalid locator'),
    401: problemContent('Not signed in'),
    404: problemContent('No such title'),
    409: problemContent('A newer position is stored (it is in `current`)'),
  },
});

const listBookmarks = createRoute({
  security: [{ bearer: [] }],
  middleware: [signedIn] as const,
  method: 'get',
  path: '/me/bookmarks/{titleId}',
  summary: "The caller's bookmarks in a title, oldest first",
  request: { params: z.object({ titleId }) },
  responses: {
    200: {
      description: 'Bookmarks',
      content: { 'application/json': { schema: z.object({ data: z.array(BookmarkSchema) }) } },
    },
    401: problemContent('Not signed in'),
  },
});

const addBookmark = createRoute({
  security: [{ bearer: [] }],
  middleware: [signedIn] as const,
  method: 'post',
  path: '/me/bookmarks/{titleId}',
  summary: 'Adds a bookmark',
  request: { params: z.object({ titleId }), body: json(BookmarkBody) },
  responses: {
    201: { description: 'Added', content: { 'application/json': { schema: BookmarkSchema } } },
    400: problemContent('Invalid locator'),
    401: problemContent('Not signed in'),
    404: problemContent('No such title'),
    409: problemContent(`More than ${maxBookmarksPerTitle} bookmarks in this title`),
  },
});

const deleteBookmark = createRoute({
  security: [{ bearer: [] }],
  middleware: [signedIn] as const,
  method: 'delete',
  path: '/me/bookmarks/{titleId}/{id}',
  summary: 'Removes one of the caller’s bookmarks',
  request: { params: z.object({ titleId, id: bookmarkId }) },
  responses: {
    204: { description: 'Removed' },
    401: problemContent('Not signed in'),
    404: problemContent('No such bookmark of the caller'),
  },
});

/** Bookmark ids sort by creation time (base36 milliseconds) with a random tail. */
function newBookmarkId(now: Date): string {
  return `${now.getTime().toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

/**
 * Reading positions and bookmarks. Every key is built from the verified caller's id, never from the request,
 * so a patron can only ever read or change their own.
 */
export function readingRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(getProgress, async (c) => {
    const { titleId } = c.req.valid('param');
    const progress = await c.get('deps').reading.getProgress(c.get('caller').patronId, titleId);
    c.header('Cache-Control', 'no-store');
    if (!progress) return c.body(null, 204);
    return c.json(progress, 200);
  });

  app.openapi(putProgress, async (c) => {
    const { titleId } = c.req.valid('param');
    const body = c.req.valid('json');
    const deps = c.get('deps');
    if (!(await deps.titles.get(titleId)))
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${titleId} was not found.`,
        context: { id: titleId },
      });
    const progress: ReadingProgress = {
      titleId,
      locator: body.locator,
      // Stored in UTC so that the newest-wins comparison is a plain string comparison.
      modified: new Date(body.modified).toISOString(),
      ...(body.device ? { device: body.device } : {}),
    };
    const { stored, saved } = await deps.reading.putProgress(c.get('caller').patronId, progress);
    if (!saved) {
      throw new ConflictError({
        code: 'STALE_PROGRESS',
        detail: 'A newer reading position is already saved.',
        context: {
          current: stored,
        },
      });
    }
    await countTowardsProgrammes(deps, c.get('caller').patronId, stored);
    return c.json(stored, 200);
  });

  app.openapi(listBookmarks, async (c) => {
    const { titleId } = c.req.valid('param');
    const data = await c.get('deps').reading.listBookmarks(c.get('caller').patronId, titleId);
    c.header('Cache-Control', 'no-store');
    return c.json({ data }, 200);
  });

  app.openapi(addBookmark, async (c) => {
    const { titleId } = c.req.valid('param');
    const body = c.req.valid('json');
    const deps = c.get('deps');
    const patronId = c.get('caller').patronId;
    if (!(await deps.titles.get(titleId)))
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${titleId} was not found.`,
        context: { id: titleId },
      });
    const existing = await deps.reading.listBookmarks(patronId, titleId);
    if (existing.length >= maxBookmarksPerTitle) {
      throw new ConflictError({
        code: 'BOOKMARK_LIMIT_REACHED',
        detail: `A title can hold at most ${maxBookmarksPerTitle} bookmarks.`,
        context: { limit: maxBookmarksPerTitle },
      });
    }
    const now = deps.clock.now();
    const bookmark: Bookmark = {
      id: newBookmarkId(now),
      titleId,
      locator: body.locator,
      ...(body.label ? { label: body.label } : {}),
      created: now.toISOString(),
    };
    await deps.reading.addBookmark(patronId, bookmark);
    c.header('Location', `/me/bookmarks/${titleId}/${bookmark.id}`);
    return c.json(bookmark, 201);
  });

  app.openapi(deleteBookmark, async (c) => {
    const { titleId, id } = c.req.valid('param');
    const removed = await c.get('deps').reading.deleteBookmark(c.get('caller').patronId, titleId, id);
    if (!removed)
      throw new NotFoundError({
        code: 'BOOKMARK_NOT_FOUND',
        detail: `Bookmark ${id} was not found.`,
        context: { id },
      });
    return c.body(null, 204);
  });
}
