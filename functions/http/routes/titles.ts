import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Caller } from '../../domain/caller';
import { NotFoundError, ValidationError } from '../../domain/errors';
import type { CatalogueHit } from '../../domain/catalogue';
import { coverFor } from '../../domain/covers';
import type { Title } from '../../domain/title';
import { institutionOf } from '../counter-usage';
import type { AppDeps, AppEnv } from '../deps';
import { availabilityOf } from '../../domain/lending';
import { problemContent, TitleDetailSchema, TitlePageSchema, TitleSchema } from '../schemas';
import { borrowedWindowDays, catalogueSorts, orderHits } from '../../domain/catalogue-order';

/** The public view of a title: storage keys and hashes stay inside. */
export function titleView(title: Title): z.infer<typeof TitleSchema> {
  const {
    contentKey: _c,
    coverKey,
    coverType: _ct,
    coverRenditions,
    sortTitle: _s,
    sha256: _h,
    ...view
  } = title;
  const cover = `/titles/${title.id}/cover`;
  return {
    ...view,
    ...(coverKey ? { cover } : {}),
    ...(coverKey && coverRenditions?.length
      ? {
          coverSizes: coverRenditions.map((r) => ({
            width: r.width,
            height: r.height,
            type: r.type,
            url: `${cover}?width=${r.width}`,
          })),
        }
      : {}),
  };
}

const flag = z.optional(
  z.pipe(
    z.enum(['true', 'false', '1', '0']),
    z.transform((v) => v === 'true' || v === '1'),
  ),
);

const CatalogueQuerySchema = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  q: doc(z.optional(z.string().check(z.trim(), z.maxLength(200))), {
    description: 'Words in title, authors, subjects, description',
  }),
  lang: doc(z.optional(z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/))), {
    description: 'BCP 47 language; `en` also matches `en-GB`',
  }),
  format: z.optional(z.enum(['epub', 'pdf'])),
  subject: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  access: z.optional(z.enum(['open', 'licensed', 'partner'])),
  available: doc(flag, { description: 'Only titles that can be read or borrowed right now' }),
  sort: doc(z.optional(z.enum(catalogueSorts)), {
    description:
      '`relevance` (the default: best match first; title order without words), `newest` (new arrivals), ' +
      '`borrowed` (most loans started in the last 30 days), `title`',
  }),
});

const listTitles = createRoute({
  method: 'get',
  path: '/titles',
  summary: 'Search or list the catalogue, a page at a time',
  description:
    'Without `q` and filters: the catalogue in title order. With them: matches ranked best first (by title, ' +
    'then authors, subjects and description; case and accents ignored). `cursor` continues the same query.',
  request: { query: CatalogueQuerySchema },
  responses: {
    200: { description: 'A page of titles', content: { 'application/json': { schema: TitlePageSchema } } },
    400: problemContent('Invalid query'),
  },
});

const getTitle = createRoute({
  method: 'get',
  path: '/titles/{id}',
  summary: 'One title',
  request: { params: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }) },
  responses: {
    200: {
      description: 'The title, with its availability',
      content: { 'application/json': { schema: TitleDetailSchema } },
    },
    404: problemContent('No such title'),
  },
});

const getCover = createRoute({
  method: 'get',
  path: '/titles/{id}/cover',
  summary: "A title's cover image",
  description:
    'A redirect to a short-lived signed link to the image in the content store. The link is the same for ' +
    'everyone within an hour, and the redirect is cacheable until then, so browsers and CDNs keep hitting ' +
    'their caches; the image bytes never pass through the API.',
  request: {
    params: z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) }),
    query: z.object({
      width: doc(z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(4096))), {
        description:
          'The display width wanted, in pixels: the narrowest stored size at least that wide is sent ' +
          '(see `coverSizes`), else the original',
      }),
    }),
  },
  responses: {
    302: { description: 'Redirect to the image (signed link)' },
    400: problemContent('Invalid width'),
    404: problemContent('No such title, or it has no cover'),
  },
});

/** Cover links are signed per hour-long window and stay valid for two. */
const coverWindowMs = 3_600_000;

/** A search cursor is the offset into the ranked result plus a digest of the query it belongs to. */
const searchCursor = z.strictObject({
  o: z.int().check(z.gte(0), z.lte(100_000)),
  h: z.string().check(z.length(12)),
});

function queryDigest(query: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 12);
}

function decodeSearchCursor(cursor: string | undefined, digest: string): number {
  if (cursor === undefined) return 0;
  try {
    const parsed = searchCursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success && parsed.data.h === digest) return parsed.data.o;
  } catch {
    // below
  }
  throw new ValidationError({
    code: 'VALIDATION_FAILED',
    detail: 'The cursor is not one this search issued.',
    context: { field: 'cursor' },
  });
}

function encodeSearchCursor(offset: number, digest: string): string {
  return Buffer.from(JSON.stringify({ o: offset, h: digest }), 'utf8').toString('base64url');
}

/**
 * "Available now": open titles always; licensed ones when the lending engine says a copy is free (a title with
 * holds waiting is not). Checked lazily, a batch at a time in rank order, only until the requested page (and
 * one more, to know whether there is a next page) is filled — never one read per match of a broad query.
 */
async function availableOnly(deps: AppDeps, hits: CatalogueHit[], wanted: number): Promise<CatalogueHit[]> {
  const now = deps.clock.now();
  const kept: CatalogueHit[] = [];
  const batchSize = 25;
  for (let start = 0; start < hits.length && kept.length < wanted; start += batchSize) {
    const batch = hits.slice(start, start + batchSize);
    const free = await Promise.all(
      batch.map(async (hit) => {
        if (hit.title.access === 'open') return true;
        const lending = await deps.lending.titleLending(hit.title.id);
        if (!lending) return false;
        const { available } = availabilityOf(lending, now);
        return available === null || available > 0;
      }),
    );
    batch.forEach((hit, i) => free[i] && kept.push(hit));
  }
  return kept;
}

export function titleRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listTitles, async (c) => {
    const { limit, cursor, available, sort, ...filters } = c.req.valid('query');
    const deps = c.get('deps');
    const searching =
      Object.values(filters).some((v) => v !== undefined && v !== '') || available || sort !== undefined;
    if (!searching) {
      // The plain listing pages through the table in catalogue order, as it always has.
      const page = await deps.titles.list({ limit, ...(cursor ? { cursor } : {}) });
      return c.json({ data: page.data.map(titleView), cursor: page.cursor }, 200);
    }
    // A new result set is a COUNTER platform search; the next page of the same one is not.
    const counting =
      cursor === undefined
        ? deps.counter.recordSearch({
            institution: institutionOf(c.get('caller') as Caller | undefined),
            at: deps.clock.now(),
          })
        : undefined;
    const digest = queryDigest({ ...filters, available, ...(sort ? { sort } : {}) });
    const offset = decodeSearchCursor(cursor, digest);
    const index = await deps.catalogue.current();
    const loans =
      sort === 'borrowed' ? await deps.loanStarts.since(borrowedWindowDays, deps.clock.now()) : undefined;
    let hits = orderHits(index.query(filters), sort ?? 'relevance', loans);
    if (available) hits = await availableOnly(deps, hits, offset + limit + 1);
    const page = hits.slice(offset, offset + limit);
    const next = offset + limit < hits.length ? encodeSearchCursor(offset + limit, digest) : null;
    await counting;
    return c.json({ data: page.map((h) => titleView(h.title)), cursor: next }, 200);
  });

  app.openapi(getTitle, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.get('deps');
    const [title, lending] = await Promise.all([deps.titles.get(id), deps.lending.titleLending(id)]);
    if (!title || !lending)
      throw new NotFoundError({
        code: 'TITLE_NOT_FOUND',
        detail: `Title ${id} was not found.`,
        context: { id },
      });
    // Not a COUNTER investigation: every page (catalogue, shelf, reader, console) reads this, so it cannot tell a
    // patron looking at a title from the app filling in a list; investigations are counted with requests.
    return c.json({ ...titleView(title), availability: availabilityOf(lending, deps.clock.now()) }, 200);
  });

  app.openapi(getCover, async (c) => {
    const { id } = c.req.valid('param');
    const { width } = c.req.valid('query');
    const deps = c.get('deps');
    const title = await deps.titles.get(id);
    const image = title && coverFor(title, width);
    if (!image)
      throw new NotFoundError({
        code: 'COVER_NOT_FOUND',
        detail: `Cover of title ${id} was not found.`,
        context: { id },
      });
    // Links are signed for the current hour's window, so every request in that hour gets the same URL and the
    // browser's (and CloudFront's) cache of the image keeps hitting; the redirect itself is cached until the
    // link has an hour left.
    const now = deps.clock.now().getTime();
    const windowStart = Math.floor(now / coverWindowMs) * coverWindowMs;
    const url = await deps.links.signGet(image.key, {
      expiresIn: (2 * coverWindowMs) / 1000,
      now: new Date(windowStart),
      ...(image.type ? { contentType: image.type } : {}),
    });
    const maxAge = Math.max(0, Math.floor((windowStart + coverWindowMs - now) / 1000));
    return c.body(null, 302, {
      Location: url,
      'Cache-Control': `public, max-age=${maxAge}`,
    });
  });
}
