import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Context } from 'hono';
import { NotFoundError } from '../../domain/errors';
import type { Caller } from '../../domain/caller';
import { availabilityOf, type Availability } from '../../domain/lending';
import { acquisitionLinks, shelfLink, type PatronTitleState } from '../../domain/opds';
import type { ContributorRole, Title } from '../../domain/title';
import { campusAccess } from '../campus';
import { callerOf } from '../caller-optional';
import { callerStates, opdsCaller, opdsChallenge, publicBase } from '../opds-access';
import type { AppDeps, AppEnv } from '../deps';
import { issueContentLink } from '../../application/content-access';
import { usageContextOf } from '../counter-usage';
import { ProblemSchema, problemContent } from '../schemas';
import {
  catalogueGroups,
  facetCounts,
  matchesFacets,
  newTitlesGroup,
  newestFirst,
  pageOf,
  type FacetSelection,
  type GroupSource,
} from '../../domain/catalogue-feeds';

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
/** Publications each group of the root feed shows. */
const groupSize = 10;

type Link = {
  href: string;
  type?: string;
  rel?: string | string[];
  title?: string;
  templated?: boolean;
  properties?: Record<string, unknown>;
};

export const authLink: Link = {
  href: authDocumentPath,
  rel: authDocumentRel,
  type: opdsTypes.authentication,
};
export const searchLink: Link = {
  rel: 'search',
  href: '/opds/publications{?query}',
  type: opdsTypes.feed,
  templated: true,
};

/** The publications feed with these query parameters, in a stable order (so each page has one URL). */
function publicationsHref(params: Record<string, string | undefined>): string {
  const order = ['query', 'sort', 'language', 'format', 'availability', 'limit', 'page'];
  const search = new URLSearchParams();
  for (const key of order) {
    const value = params[key];
    if (value !== undefined) search.set(key, value);
  }
  const text = search.toString();
  return text ? `/opds/publications?${text}` : '/opds/publications';
}

/** Where the root feed's groups come from: new titles now; the library's collections plug in here. */
function groupSources(deps: AppDeps): GroupSource[] {
  return [newTitlesGroup, ...(deps.collectionGroups ? [deps.collectionGroups] : [])];
}

const formatNames: Record<string, string> = { epub: 'EPUB', pdf: 'PDF' };

/**
 * The facets of a list (OPDS 2.0 §2.4): language, format and availability, each with an "all" link and one
 * per value with its count; the selected value carries `rel: self`. Following a facet starts at page 1.
 */
function facetsOf(
  titles: readonly Title[],
  list: { query: string | undefined; sort: string | undefined; limit: number },
  selection: FacetSelection,
  isAvailable: (title: Title) => boolean,
) {
  const counts = facetCounts(titles, selection, isAvailable);
  const href = (change: Partial<Record<keyof FacetSelection, string | undefined>>) =>
    publicationsHref({
      ...(list.query ? { query: list.query } : {}),
      ...(list.sort ? { sort: list.sort } : {}),
      ...selection,
      ...change,
      ...(list.limit !== pageSize ? { limit: String(list.limit) } : {}),
    });
  const option = (name: keyof FacetSelection, value: string | undefined, title: string, count?: number) => ({
    href: href({ [name]: value }),
    type: opdsTypes.feed,
    title,
    ...(selection[name] === value ? { rel: 'self' } : {}),
    ...(count !== undefined ? { properties: { numberOfItems: count } } : {}),
  });
  const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
  const languageName = (code: string) => {
    try {
      return languageNames.of(code) ?? code;
    } catch {
      return code;
    }
  };
  return [
    {
      metadata: { title: 'Language' },
      links: [
        option('language', undefined, 'All languages'),
        ...[...counts.language].map(([code, n]) => option('language', code, languageName(code), n)),
      ],
    },
    {
      metadata: { title: 'Format' },
      links: [
        option('format', undefined, 'All formats'),
        ...[...counts.format].map(([format, n]) =>
          option('format', format, formatNames[format] ?? format, n),
        ),
      ],
    },
    {
      metadata: { title: 'Availability' },
      links: [
        option('availability', undefined, 'All titles'),
        option('availability', 'available', 'Available now'),
      ],
    },
  ];
}

/**
 * OPDS documents are JSON with their own media types. zod-openapi types JSON answers as `c.json` responses; the
 * OPDS ones are written as text with the right Content-Type, hence the cast (the body is checked by the tests
 * against the OPDS JSON Schemas instead).
 */
export function opdsJson(c: Context, body: unknown, type: string): never {
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

/** Whether a copy is free now, from lending's view of the title (open and partner titles are always there). */
function acquisitionState(title: Title, availability: Availability | undefined): 'available' | 'unavailable' {
  if (title.status !== 'active') return 'unavailable';
  if (!availability || availability.access !== 'licensed') return 'available';
  return availability.available === null || availability.available > 0 ? 'available' : 'unavailable';
}

/** The cover as stored, with its real size when known (titles published before sizes were kept have none). */
function coverImage(title: Title, base: string): Link & { width?: number; height?: number } {
  return {
    href: `${base}/cover`,
    type: title.coverType ?? 'image/jpeg',
    ...(title.coverWidth && title.coverHeight ? { width: title.coverWidth, height: title.coverHeight } : {}),
  };
}

/** Who a publication is shown to: their loans and holds decide its acquisition links. */
export interface Viewer {
  base: string;
  now: Date;
  state?: PatronTitleState | undefined;
  signedIn: boolean;
}

/** RWPM contributor roles (translator, editor, ...) as metadata keys, each a list of names. */
function contributorsOf(title: Title): Partial<Record<ContributorRole, string[]>> {
  const byRole: Partial<Record<ContributorRole, string[]>> = {};
  for (const { name, role } of title.contributors ?? []) (byRole[role] ??= []).push(name);
  return byRole;
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
      ...contributorsOf(title),
      ...(title.language && bcp47.test(title.language) ? { language: title.language } : {}),
      ...(title.publisher ? { publisher: title.publisher } : {}),
      ...(published ? { published } : {}),
      ...(title.description ? { description: title.description } : {}),
      ...(title.subjects.length ? { subject: title.subjects } : {}),
      ...(title.pageCount && title.pageCount > 0 ? { numberOfPages: title.pageCount } : {}),
      ...(title.readingProgression ? { readingProgression: title.readingProgression } : {}),
      modified: new Date(title.updatedAt).toISOString(),
    },
    links: [{ rel: 'self', href: base, type: opdsTypes.publication }, ...acquisition],
    ...(title.coverKey ? { images: [coverImage(title, base)] } : {}),
  };
}

/**
 * The OPDS documents' outline for the contract (the full rules are the OPDS JSON Schemas, which the tests hold
 * every feed to): links, metadata and collections, open to the extensions OPDS allows.
 */
const OpdsLinkSchema = doc(
  z.looseObject({
    href: z.string(),
    type: z.optional(z.string()),
    rel: z.optional(z.union([z.string(), z.array(z.string())])),
    title: z.optional(z.string()),
    templated: z.optional(z.boolean()),
    width: z.optional(z.int()),
    height: z.optional(z.int()),
    properties: z.optional(z.record(z.string(), z.unknown())),
  }),
  { id: 'OpdsLink' },
);
const OpdsPublicationSchema = doc(
  z.looseObject({
    metadata: z.looseObject({ title: z.string() }),
    links: z.array(OpdsLinkSchema),
    images: z.optional(z.array(OpdsLinkSchema)),
  }),
  { id: 'OpdsPublication' },
);
const OpdsFeedMetadataSchema = z.looseObject({
  title: z.string(),
  numberOfItems: z.optional(z.int()),
  itemsPerPage: z.optional(z.int()),
  currentPage: z.optional(z.int()),
});
const OpdsFeedSchema = doc(
  z.looseObject({
    metadata: OpdsFeedMetadataSchema,
    links: z.array(OpdsLinkSchema),
    navigation: z.optional(z.array(OpdsLinkSchema)),
    publications: z.optional(z.array(OpdsPublicationSchema)),
    facets: z.optional(
      z.array(z.object({ metadata: OpdsFeedMetadataSchema, links: z.array(OpdsLinkSchema) })),
    ),
    groups: z.optional(
      z.array(
        z.object({
          metadata: OpdsFeedMetadataSchema,
          links: z.optional(z.array(OpdsLinkSchema)),
          publications: z.optional(z.array(OpdsPublicationSchema)),
          navigation: z.optional(z.array(OpdsLinkSchema)),
        }),
      ),
    ),
  }),
  { id: 'OpdsFeed' },
);
const OpdsAuthenticationSchema = doc(
  z.looseObject({
    id: z.string(),
    title: z.string(),
    description: z.optional(z.string()),
    links: z.optional(z.array(OpdsLinkSchema)),
    authentication: z.array(z.looseObject({ type: z.string(), links: z.optional(z.array(OpdsLinkSchema)) })),
  }),
  { id: 'OpdsAuthenticationDocument' },
);

export const feedResponse = (description: string) => ({
  description,
  content: { [opdsTypes.feed]: { schema: OpdsFeedSchema } },
});

/** Every /opds operation: a token is optional, but one that is sent must verify (else 401 with the document). */
export const opdsOperation = {
  tags: ['OPDS'],
  security: [{}, { bearer: [] }] as Record<string, string[]>[],
};
export const badToken = {
  description: 'A token was sent and does not verify; OPDS clients get the Authentication Document',
  headers: z.object({
    Link: doc(z.string(), { description: 'rel="http://opds-spec.org/auth/document"' }),
  }),
  content: {
    'application/problem+json': { schema: ProblemSchema },
    [opdsTypes.authentication]: { schema: OpdsAuthenticationSchema },
  },
};

const navigationRoute = createRoute({
  method: 'get',
  path: '/opds',
  operationId: 'getOpdsRoot',
  ...opdsOperation,
  summary: 'OPDS 2.0 navigation feed, with groups (new titles; collections)',
  responses: { 200: feedResponse('The catalogue root'), 401: badToken },
});

const publicationsRoute = createRoute({
  method: 'get',
  path: '/opds/publications',
  operationId: 'getOpdsPublications',
  ...opdsOperation,
  summary: 'OPDS 2.0 publications feed: paged, searchable, with facets',
  description:
    'Pages by number (`first`/`previous`/`next`/`last` links); `query` searches title, author, subject and ' +
    'description (empty or absent: everything); `language`, `format` and `availability` are the facets; ' +
    '`sort=new` lists the newest first.',
  request: {
    query: z.object({
      // An empty template expansion (`?query=`) means "everything", as OPDS clients send it.
      query: z.optional(z.string().check(z.trim(), z.maxLength(200))),
      page: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100_000)), 1),
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), pageSize),
      language: z.optional(
        z.pipe(
          z.string().check(z.regex(/^[A-Za-z]{2,3}$/)),
          z.transform((v) => v.toLowerCase()),
        ),
      ),
      format: z.optional(z.enum(['epub', 'pdf'])),
      availability: z.optional(z.enum(['available'])),
      sort: z.optional(z.enum(['new'])),
    }),
  },
  responses: {
    200: feedResponse('A page of publications'),
    400: problemContent('Invalid query', ['VALIDATION_FAILED']),
    401: badToken,
  },
});

const locationHeader = z.object({
  Location: doc(z.string(), { description: 'The short-lived signed link' }),
});

const idParam = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });

const publicationRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}',
  operationId: 'getOpdsPublication',
  ...opdsOperation,
  summary: 'One OPDS 2.0 publication',
  request: { params: idParam },
  responses: {
    200: {
      description: 'The publication',
      content: { [opdsTypes.publication]: { schema: OpdsPublicationSchema } },
    },
    401: badToken,
    404: problemContent('No such title', ['TITLE_NOT_FOUND']),
  },
});

const contentRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}/content',
  operationId: 'getOpdsPublicationContent',
  ...opdsOperation,
  summary: 'Acquire a publication: a redirect to a short-lived signed link',
  request: { params: idParam },
  responses: {
    302: { description: 'To the signed link', headers: locationHeader },
    401: badToken,
    403: problemContent('NOT_ENTITLED, NO_ACTIVE_LOAN', ['NOT_ENTITLED', 'NO_ACTIVE_LOAN']),
    404: problemContent('No such title'),
  },
});

const coverRoute = createRoute({
  method: 'get',
  path: '/opds/publications/{id}/cover',
  operationId: 'getOpdsPublicationCover',
  ...opdsOperation,
  summary: 'A publication’s cover: a redirect to a short-lived signed link',
  request: { params: idParam },
  responses: {
    302: { description: 'To the signed link', headers: locationHeader },
    401: badToken,
    404: problemContent('No such title, or it has no cover', ['TITLE_NOT_FOUND', 'COVER_NOT_FOUND']),
  },
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

export function opdsRoutes(app: ContractApp<AppEnv>, deps: AppDeps): void {
  // The challenge wraps the caller check, so that a bad token's or wrong PIN's 401 carries the document too.
  // A token or Basic credentials, when sent, must verify; without, a campus address may carry entitlements.
  app.use(
    '/opds/*',
    opdsChallenge(),
    opdsCaller(),
    campusAccess({ trustedProxies: deps.config.TRUSTED_PROXY_CIDRS }),
  );

  app.openapi(navigationRoute, async (c) => {
    const deps = c.get('deps');
    const index = await deps.catalogue.current();
    const groups = await catalogueGroups(groupSources(deps), { titles: index.titles(), size: groupSize });
    // Each group's publications as this caller sees them (their loans and holds), read once for all groups.
    const shown = await publicationsFor(
      deps,
      groups.flatMap((g) => g.titles),
      callerOf(c),
    );
    const byId = new Map(groups.flatMap((g) => g.titles).map((t, i) => [t.id, shown[i]]));
    return opdsJson(
      c,
      {
        metadata: { title: 'Pustaka — Kota Nusantara libraries', numberOfItems: index.size },
        links: [
          { rel: 'self', href: '/opds', type: opdsTypes.feed },
          { rel: 'start', href: '/opds', type: opdsTypes.feed },
          searchLink,
          authLink,
          shelfLink(publicBase(deps)),
        ],
        navigation: [
          { href: '/opds/publications', title: 'All titles', type: opdsTypes.feed, rel: 'subsection' },
          ...groups.map((g) => ({
            href: g.href ?? publicationsHref(g.list),
            title: g.title,
            type: opdsTypes.feed,
            rel: 'subsection',
          })),
        ],
        ...(groups.length
          ? {
              groups: groups.map((g) => ({
                metadata: { title: g.title, numberOfItems: g.numberOfItems },
                links: [{ rel: 'self', href: g.href ?? publicationsHref(g.list), type: opdsTypes.feed }],
                publications: g.titles.map((t) => byId.get(t.id)!),
              })),
            }
          : {}),
      },
      opdsTypes.feed,
    );
  });

  app.openapi(publicationsRoute, async (c) => {
    const { query, page, limit, sort, ...facets } = c.req.valid('query');
    const deps = c.get('deps');
    const index = await deps.catalogue.current();
    const matched = index.query({ q: query ?? '' }).map((hit) => hit.title);
    const ordered = sort === 'new' ? newestFirst(matched) : matched;
    // Availability needs lending's view of each licensed title, read only when an app narrows by it.
    const lending = facets.availability
      ? await availabilities(deps, ordered)
      : new Map<string, Availability>();
    const isAvailable = (t: Title) => acquisitionState(t, lending.get(t.id)) === 'available';
    const selected = ordered.filter((t) => matchesFacets(t, facets, isAvailable));
    const shown = pageOf(selected, { page, size: limit });
    const base = { ...(query ? { query } : {}), ...facets, ...(sort ? { sort } : {}) };
    const at = (n: number) => ({
      ...base,
      ...(limit !== pageSize ? { limit: String(limit) } : {}),
      ...(n > 1 ? { page: String(n) } : {}),
    });
    const feedLink = (rel: string, n: number): Link => ({
      rel,
      href: publicationsHref(at(n)),
      type: opdsTypes.feed,
    });
    const links: Link[] = [
      feedLink('self', page),
      { rel: 'start', href: '/opds', type: opdsTypes.feed },
      searchLink,
      authLink,
      shelfLink(publicBase(deps)),
      feedLink('first', 1),
      ...(page > 1 ? [feedLink('previous', Math.min(page - 1, shown.lastPage))] : []),
      ...(page < shown.lastPage ? [feedLink('next', page + 1)] : []),
      feedLink('last', shown.lastPage),
    ];
    const publications = await publicationsFor(deps, shown.items, callerOf(c));
    const title = query ? `Search: ${query}` : sort === 'new' ? 'New titles' : 'All titles';
    return opdsJson(
      c,
      {
        metadata: {
          title,
          numberOfItems: shown.total,
          itemsPerPage: limit,
          currentPage: page,
        },
        links,
        facets: facetsOf(ordered, { query, sort, limit }, facets, isAvailable),
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
    const { url } = await issueContentLink(deps, title, callerOf(c), usageContextOf(c, deps, callerOf(c)));
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
