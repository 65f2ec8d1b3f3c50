import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { NotFoundError } from '../../domain/errors';
import type { Caller } from '../../domain/caller';
import { availabilityOf, type Availability } from '../../domain/lending';
import { acquisitionLinks, shelfLink, type PatronTitleState } from '../../domain/opds';
import type { Title } from '../../domain/title';
import { campusAccess } from '../campus';
import { callerOf } from '../caller-optional';
import { callerStates, opdsCaller, opdsChallenge, publicBase } from '../opds-access';
import type { AppDeps, AppEnv } from '../deps';
import { issueContentLink } from '../content-access';
import { problemContent } from '../schemas';

/**
 * OPDS 2.0 catalogue for reading apps and partner catalogues, plus the Authentication for OPDS 1.0 document.
 *
 *   /opds                         navigation feed (application/opds+json)
 *   /opds/publications{?query}    publications feed, paged with a cursor; `query` searches title, author, subject
 *   /opds/publications/{id}       one publication (application/opds-publication+json), acquisition links:
 *                                 open-access (open), borrow (licensed), acquisition (partner)
 *   /opds/publications/{id}/content   the acquisition itself: a 302 to a short signed link
 *   /opds/publications/{id}/cover     the cover image: a 302 to a short signed link
 *
 * Signing in, borrowing, the shelf, the profile and reading positions for apps are in ./opds-borrowing.ts and
 * ./opds-account.ts; who the caller is (Bearer or HTTP Basic) and the 401 challenge in ../opds-access.ts.
 * Publications show each caller their own availability and links (functions/domain/opds.ts).
 */

export const opdsTypes = {
  feed: 'application/opds+json',
  publication: 'application/opds-publication+json',
  authentication: 'application/opds-authentication+json',
} as const;

const authDocumentRel = 'http://opds-spec.org/auth/document';
const authDocumentPath = '/opds/authentication';
const pageSize = 20;
const maxSearchResults = 50;

type Link = {
  href: string;
  type?: string;
  rel?: string | string[];
  title?: string;
  templated?: boolean;
  properties?: Record<string, unknown>;
};

const authLink: Link = { href: authDocumentPath, rel: authDocumentRel, type: opdsTypes.authentication };

/**
 * OPDS documents are JSON with their own media types. zod-openapi types JSON answers as `c.json` responses; the
 * OPDS ones are written as text with the right Content-Type, hence the cast (the body is checked by the tests
 * against the OPDS JSON Schemas instead).
 */
function opdsJson(c: Context, body: unknown, type: string): never {
  return c.body(JSON.stringify(body), 200, { 'Content-Type': type }) as never;
}

/** Only full dates count as `published` in the Readium metadata; a bare year is kept out rather than invalid. */
function publishedOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toISOString();
  return undefined;
}

const bcp47 = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** Who a publication is shown to: their loans and holds decide its acquisition links. */
export interface Viewer {
  base: string;
  now: Date;
  state?: PatronTitleState | undefined;
  signedIn: boolean;
}

export function publicationOf(title: Title, availability: Availability | undefined, viewer: Viewer) {
  const isbn = title.identifiers.isbn?.[0];
  const doi = title.identifiers.doi?.[0];
  const published = publishedOf(title.published);
  // Absolute: a publication is also listed on the shelf and handed out by borrow links.
  const base = `${viewer.base}/opds/publications/${encodeURIComponent(title.id)}`;
  const acquisition = acquisitionLinks({
    title,
    availability,
    state: viewer.state,
    signedIn: viewer.signedIn,
    base: viewer.base,
    now: viewer.now,
  });
  return {
    metadata: {
      '@type': 'http://schema.org/Book',
      title: title.title,
      ...(isbn ? { identifier: `urn:isbn:${isbn}` } : doi ? { identifier: `https://doi.org/${doi}` } : {}),
      ...(title.authors.length ? { author: title.authors } : {}),
      ...(title.language && bcp47.test(title.language) ? { language: title.language } : {}),
      ...(title.publisher ? { publisher: title.publisher } : {}),
      ...(published ? { published } : {}),
      ...(title.description ? { description: title.description } : {}),
      ...(title.subjects.length ? { subject: title.subjects } : {}),
      ...(title.pageCount && title.pageCount > 0 ? { numberOfPages: title.pageCount } : {}),
      modified: new Date(title.updatedAt).toISOString(),
    },
    links: [{ rel: 'self', href: base, type: opdsTypes.publication }, ...acquisition],
    ...(title.coverKey ? { images: [{ href: `${base}/cover`, type: title.coverType ?? 'image/jpeg' }] } : {}),
  };
}

/** Catalogue search for the OPDS template: the same ranked index as GET /titles?q= (active titles only). */
async function search(deps: AppDeps, query: string): Promise<Title[]> {
  const index = await deps.catalogue.current();
  return index
    .query({ q: query })
    .slice(0, maxSearchResults)
    .map((hit) => hit.title);
}

const feedResponse = (description: string) => ({
  description,
  content: { [opdsTypes.feed]: { schema: z.object({}).passthrough() } },
});

const navigationRoute = createRoute({
  method: 'get',
  path: '/opds',
  summary: 'OPDS 2.0 navigation feed',
  responses: { 200: feedResponse('The catalogue root') },
});

const publicationsRoute = createRoute({
  method: 'get',
  path: '/opds/publications',
  summary: 'OPDS 2.0 publications feed (paged; `query` searches)',
  request: {
    query: z.object({
      query: z.string().trim().min(1).max(200).optional(),
      cursor: z.string().min(1).max(4096).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(pageSize),
    }),
  },
  responses: { 200: feedResponse('A page of publications'), 400: problemContent('Invalid query') },
});

const idParam = z.object({ id: z.string().min(1).max(128) });

const publicationRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}',
  summary: 'One OPDS 2.0 publication',
  request: { params: idParam },
  responses: {
    200: {
      description: 'The publication',
      content: { [opdsTypes.publication]: { schema: z.object({}).passthrough() } },
    },
    404: problemContent('No such title'),
  },
});

const contentRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}/content',
  summary: 'Acquire a publication: a redirect to a short-lived signed link',
  request: { params: idParam },
  responses: {
    302: { description: 'To the signed link' },
    401: problemContent('Sign in (see the Authentication Document)'),
    403: problemContent('NOT_ENTITLED, NO_ACTIVE_LOAN', ['NOT_ENTITLED', 'NO_ACTIVE_LOAN']),
    404: problemContent('No such title'),
  },
});

const coverRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}/cover',
  summary: 'A publication’s cover: a redirect to a short-lived signed link',
  request: { params: idParam },
  responses: { 302: { description: 'To the signed link' }, 404: problemContent('No cover') },
});

/** Lending's availability of each licensed title (one consistent read per title, in parallel). */
export async function availabilities(deps: AppDeps, titles: Title[]): Promise<Map<string, Availability>> {
  const now = deps.clock.now();
  const found = await Promise.all(
    titles
      .filter((t) => t.access === 'licensed')
      .map(async (t) => {
        const lending = await deps.lending.titleLending(t.id);
        return lending ? ([t.id, availabilityOf(lending, now)] as const) : undefined;
      }),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}

export async function activeTitle(deps: AppDeps, id: string): Promise<Title> {
  const title = await deps.titles.get(id);
  if (!title || title.status !== 'active')
    throw new NotFoundError({
      code: 'TITLE_NOT_FOUND',
      detail: `Title ${id} was not found.`,
      context: { id },
    });
  return title;
}

/** The publications of `titles` as `caller` sees them (one read of their loans and holds for the lot). */
export async function publicationsFor(deps: AppDeps, titles: Title[], caller: Caller | undefined) {
  const [available, states] = await Promise.all([availabilities(deps, titles), callerStates(deps, caller)]);
  const viewer = {
    base: publicBase(deps),
    now: deps.clock.now(),
    signedIn: states.size > 0 || isPatron(caller),
  };
  return titles.map((t) => publicationOf(t, available.get(t.id), { ...viewer, state: states.get(t.id) }));
}

const isPatron = (caller: Caller | undefined) =>
  caller !== undefined && !caller.campus && caller.partnerId === undefined;

export function opdsRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  // The challenge wraps the caller check, so that a bad token's or wrong PIN's 401 carries the document too.
  // A token or Basic credentials, when sent, must verify; without, a campus address may carry entitlements.
  app.use(
    '/opds/*',
    opdsChallenge(),
    opdsCaller(),
    campusAccess({ trustedProxies: deps.config.TRUSTED_PROXY_CIDRS }),
  );

  app.openapi(navigationRoute, (c) =>
    opdsJson(
      c,
      {
        metadata: { title: 'Pustaka — Kota Nusantara libraries' },
        links: [
          { rel: 'self', href: '/opds', type: opdsTypes.feed },
          { rel: 'start', href: '/opds', type: opdsTypes.feed },
          { rel: 'search', href: '/opds/publications{?query}', type: opdsTypes.feed, templated: true },
          authLink,
          shelfLink(publicBase(deps)),
        ],
        navigation: [
          { href: '/opds/publications', title: 'All titles', type: opdsTypes.feed, rel: 'subsection' },
        ],
      },
      opdsTypes.feed,
    ),
  );

  app.openapi(publicationsRoute, async (c) => {
    const { query, cursor, limit } = c.req.valid('query');
    const deps = c.get('deps');
    let titles: Title[];
    let next: string | null = null;
    if (query) {
      titles = await search(deps, query);
    } else {
      const page = await deps.titles.list({ limit, ...(cursor ? { cursor } : {}) });
      titles = page.data.filter((t) => t.status === 'active');
      next = page.cursor;
    }
    const paging = (at: string | undefined) =>
      `/opds/publications?limit=${limit}${at ? `&cursor=${encodeURIComponent(at)}` : ''}`;
    const self = query ? `/opds/publications?query=${encodeURIComponent(query)}` : paging(cursor);
    const links: Link[] = [
      { rel: 'self', href: self, type: opdsTypes.feed },
      { rel: 'start', href: '/opds', type: opdsTypes.feed },
      { rel: 'search', href: '/opds/publications{?query}', type: opdsTypes.feed, templated: true },
      authLink,
      shelfLink(publicBase(deps)),
      ...(next ? [{ rel: 'next', href: paging(next), type: opdsTypes.feed }] : []),
    ];
    const publications = await publicationsFor(deps, titles, callerOf(c));
    return opdsJson(
      c,
      {
        metadata: {
          title: query ? `Search: ${query}` : 'All titles',
          itemsPerPage: query ? maxSearchResults : limit,
          ...(query ? { numberOfItems: publications.length } : {}),
        },
        links,
        // The schema wants at least one publication; an empty result offers the way back instead.
        ...(publications.length
          ? { publications }
          : { navigation: [{ href: '/opds', title: 'Back to the catalogue', type: opdsTypes.feed }] }),
      },
      opdsTypes.feed,
    );
  });

  app.openapi(publicationRoute, async (c) => {
    const deps = c.get('deps');
    const title = await activeTitle(deps, c.req.valid('param').id);
    const [publication] = await publicationsFor(deps, [title], callerOf(c));
    c.header('Cache-Control', 'private, no-store');
    return opdsJson(c, publication, opdsTypes.publication);
  });

  app.openapi(contentRoute, async (c) => {
    const deps = c.get('deps');
    const title = await activeTitle(deps, c.req.valid('param').id);
    const { url } = await issueContentLink(deps, title, callerOf(c));
    c.header('Cache-Control', 'no-store');
    return c.redirect(url, 302);
  });

  app.openapi(coverRoute, async (c) => {
    const deps = c.get('deps');
    const title = await activeTitle(deps, c.req.valid('param').id);
    if (!title.coverKey)
      throw new NotFoundError({
        code: 'COVER_NOT_FOUND',
        detail: `Cover of title ${title.id} was not found.`,
        context: { id: title.id },
      });
    const url = await deps.links.signGet(title.coverKey, {
      expiresIn: deps.config.LINK_TTL_SECONDS,
      ...(title.coverType ? { contentType: title.coverType } : {}),
      now: deps.clock.now(),
    });
    c.header('Cache-Control', 'private, max-age=60');
    return c.redirect(url, 302);
  });
}
