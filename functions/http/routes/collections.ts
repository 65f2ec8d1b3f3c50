import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { pageOf } from '../../domain/catalogue-feeds';
import { NotFoundError } from '../../domain/errors';
import {
  collectionErrors,
  featuredNow,
  publicTitles,
  shelfSize,
  type Collection,
} from '../../domain/collection';
import type { Title } from '../../domain/title';
import { callerOf } from '../caller-optional';
import type { AppDeps, AppEnv } from '../deps';
import { publicBase } from '../opds-access';
import { problemContent, TitleSchema } from '../schemas';
import { titleView } from './titles';
import {
  authLink,
  badToken,
  feedResponse,
  opdsJson,
  opdsOperation,
  opdsTypes,
  publicationsFor,
  searchLink,
} from './opds';
import { shelfLink } from '../../domain/opds';

/**
 * The library's collections as patrons and reading apps see them:
 *
 *   GET /collections             collections featured now (the catalogue home's shelves), first titles each
 *   GET /collections/{id}        one collection (featured or not: its link can be shared), titles in order
 *   GET /collections/{id}/cover  an uploaded cover: a redirect to a short-lived signed link
 *   GET /opds/collections/{id}   the collection as an OPDS 2.0 publications feed (the root feed's groups)
 *
 * Titles are read as stored (a batch per collection), and only active ones are shown: a withdrawn title leaves
 * every public view at once.
 */

export const BilingualSchema = doc(z.object({ id: z.string(), en: z.string() }), {
  id: 'BilingualText',
  description: 'The same text in Indonesian (`id`) and English (`en`)',
});

const PublicCollectionSchema = doc(
  z.object({
    id: z.string(),
    name: BilingualSchema,
    description: BilingualSchema,
    cover: doc(z.optional(z.string()), { description: 'URL of the cover image, when there is one' }),
    featuredFrom: z.optional(z.string()),
    featuredUntil: z.optional(z.string()),
    titleCount: doc(z.int(), { description: 'Titles a patron can find in it now' }),
    titles: z.array(TitleSchema),
    updatedAt: z.string(),
  }),
  { id: 'Collection' },
);

const CollectionListSchema = doc(z.object({ data: z.array(PublicCollectionSchema) }), {
  id: 'CollectionList',
  description: 'Collections featured now; each with its first titles',
});

const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

/** Where a collection's cover is: its own uploaded image, or the chosen title's cover while it is shown. */
export function coverUrlOf(collection: Collection, titles: readonly Title[]): string | undefined {
  const cover = collection.cover;
  if (cover?.kind === 'image')
    return `/collections/${encodeURIComponent(collection.id)}/cover?v=${encodeURIComponent(cover.key)}`;
  if (cover?.kind === 'title') {
    const title = titles.find((t) => t.id === cover.titleId);
    return title?.coverKey ? titleView(title).cover : undefined;
  }
  return undefined;
}

function publicView(collection: Collection, titles: Title[], shown: number) {
  return {
    id: collection.id,
    name: collection.name,
    description: collection.description,
    ...(collection.featuredFrom ? { featuredFrom: collection.featuredFrom } : {}),
    ...(collection.featuredUntil ? { featuredUntil: collection.featuredUntil } : {}),
    ...(coverUrlOf(collection, titles) ? { cover: coverUrlOf(collection, titles) } : {}),
    titleCount: titles.length,
    titles: titles.slice(0, shown).map(titleView),
    updatedAt: collection.updatedAt,
  };
}

/** The collections' titles as stored now, read together (one batch per 100 titles). */
async function lookup(deps: AppDeps, collections: readonly Collection[]) {
  const titles = await deps.collections.titlesOf(collections.flatMap((c) => c.titleIds));
  return (id: string) => titles.get(id);
}

async function collectionOrNotFound(deps: AppDeps, id: string): Promise<Collection> {
  const collection = await deps.collections.get(id);
  if (!collection) throw collectionErrors.notFound(id);
  return collection;
}

const listFeatured = createRoute({
  method: 'get',
  path: '/collections',
  operationId: 'listFeaturedCollections',
  tags: ['Collections'],
  security: [],
  summary: 'Collections featured now (the catalogue home’s shelves)',
  description: `Each with its first ${shelfSize} titles in the librarian’s order; withdrawn titles left out.`,
  responses: {
    200: {
      description: 'Featured collections',
      content: { 'application/json': { schema: CollectionListSchema } },
    },
  },
});

const getCollection = createRoute({
  method: 'get',
  path: '/collections/{id}',
  operationId: 'getCollection',
  tags: ['Collections'],
  security: [],
  summary: 'One collection with its titles in order',
  request: { params: idParam },
  responses: {
    200: {
      description: 'The collection',
      content: { 'application/json': { schema: PublicCollectionSchema } },
    },
    400: problemContent('Invalid id', ['VALIDATION_FAILED']),
    404: problemContent('No such collection', ['COLLECTION_NOT_FOUND']),
  },
});

const getCollectionCover = createRoute({
  method: 'get',
  path: '/collections/{id}/cover',
  operationId: 'getCollectionCover',
  tags: ['Collections'],
  security: [],
  summary: 'A collection’s uploaded cover: a redirect to a short-lived signed link',
  request: { params: idParam, query: z.object({ v: z.optional(z.string().check(z.maxLength(300))) }) },
  responses: {
    302: { description: 'To the signed link' },
    400: problemContent('Invalid id', ['VALIDATION_FAILED']),
    404: problemContent('No such collection, or no uploaded cover', [
      'COLLECTION_NOT_FOUND',
      'COVER_NOT_FOUND',
    ]),
  },
});

const opdsPageSize = 20;

const opdsCollection = createRoute({
  method: 'get',
  path: '/opds/collections/{id}',
  operationId: 'getOpdsCollection',
  ...opdsOperation,
  summary: 'A collection as an OPDS 2.0 publications feed, in the librarian’s order',
  request: {
    params: idParam,
    query: z.object({
      page: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000)), 1),
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), opdsPageSize),
    }),
  },
  responses: {
    200: feedResponse('A page of the collection'),
    400: problemContent('Invalid query', ['VALIDATION_FAILED']),
    401: badToken,
    404: problemContent('No such collection', ['COLLECTION_NOT_FOUND']),
  },
});

/** Signed cover links are made per hour-long window (as titles' covers), so caches keep hitting. */
const coverWindowMs = 3_600_000;

export function collectionRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listFeatured, async (c) => {
    const deps = c.get('deps');
    const featured = featuredNow(await deps.collections.list(), deps.clock.now());
    // Only the titles each shelf shows and counts are read.
    const active = await lookup(deps, featured);
    const shelves = featured
      .map((collection) => publicView(collection, publicTitles(collection, active), shelfSize))
      // A shelf needs books: a featured collection whose titles are all withdrawn is not shown.
      .filter((view) => view.titleCount > 0);
    c.header('Cache-Control', 'public, max-age=60');
    return c.json({ data: shelves }, 200);
  });

  app.openapi(getCollection, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const collection = await collectionOrNotFound(deps, id);
    const titles = publicTitles(collection, await lookup(deps, [collection]));
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(publicView(collection, titles, titles.length), 200);
  });

  app.openapi(getCollectionCover, async (c) => {
    const deps = c.get('deps');
    const collection = await collectionOrNotFound(deps, c.req.valid('param').id);
    const cover = collection.cover;
    if (cover?.kind !== 'image')
      throw new NotFoundError({
        code: 'COVER_NOT_FOUND',
        detail: `Collection ${collection.id} has no uploaded cover.`,
        context: { id: collection.id },
      });
    const now = deps.clock.now().getTime();
    const windowStart = Math.floor(now / coverWindowMs) * coverWindowMs;
    const url = await deps.links.signGet(cover.key, {
      expiresIn: (2 * coverWindowMs) / 1000,
      now: new Date(windowStart),
      contentType: cover.type,
    });
    const maxAge = Math.max(0, Math.floor((windowStart + coverWindowMs - now) / 1000));
    return c.body(null, 302, { Location: url, 'Cache-Control': `public, max-age=${maxAge}` });
  });

  app.openapi(opdsCollection, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { page, limit } = c.req.valid('query');
    const collection = await collectionOrNotFound(deps, id);
    const shown = pageOf(publicTitles(collection, await lookup(deps, [collection])), { page, size: limit });
    const self = `/opds/collections/${encodeURIComponent(collection.id)}`;
    const at = (n: number) => {
      const query = new URLSearchParams({
        ...(limit !== opdsPageSize ? { limit: String(limit) } : {}),
        ...(n > 1 ? { page: String(n) } : {}),
      }).toString();
      return query ? `${self}?${query}` : self;
    };
    const link = (rel: string, n: number) => ({ rel, href: at(n), type: opdsTypes.feed });
    const publications = await publicationsFor(deps, shown.items, callerOf(c));
    return opdsJson(
      c,
      {
        metadata: {
          title: collection.name.en,
          ...(collection.description.en ? { description: collection.description.en } : {}),
          numberOfItems: shown.total,
          itemsPerPage: limit,
          currentPage: page,
        },
        links: [
          link('self', page),
          { rel: 'start', href: '/opds', type: opdsTypes.feed },
          { rel: 'up', href: '/opds', type: opdsTypes.feed },
          searchLink,
          authLink,
          shelfLink(publicBase(deps)),
          link('first', 1),
          ...(page > 1 ? [link('previous', Math.min(page - 1, shown.lastPage))] : []),
          ...(page < shown.lastPage ? [link('next', page + 1)] : []),
          link('last', shown.lastPage),
        ],
        // The schema wants at least one publication; an empty page offers the way back instead.
        ...(publications.length
          ? { publications }
          : { navigation: [{ href: '/opds', title: 'Back to the catalogue', type: opdsTypes.feed }] }),
      },
      opdsTypes.feed,
    );
  });
}
