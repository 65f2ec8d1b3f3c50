import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Config } from '../../config';
import { NotFoundError } from '../../domain/errors';
import { describeQuery, parseOpenUrl, resolveOpenUrl } from '../../domain/openurl';
import type { Title } from '../../domain/title';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /openurl` and `POST /openurl` (KEV in a form body): the OpenURL link resolver (1.0 and 0.1, see
 * functions/domain/openurl.ts). One match → 302 to the title's page on the reader's site (absolute: on AWS the
 * reader and the API have different origins); several → a menu (JSON, or HTML in Indonesian or English when a
 * browser prefers it); none → 404 naming what was looked for.
 */

class NoOpenUrlMatch extends NotFoundError {
  constructor(lookedFor: Record<string, string[]>) {
    super({
      code: 'NO_MATCH',
      detail: 'No title in the catalogue matches this citation.',
      context: { lookedFor },
    });
  }
}

const MenuSchema = doc(
  z.object({
    matches: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        authors: z.array(z.string()),
        href: doc(z.string(), { description: 'The title’s page on the reader’s site (absolute)' }),
      }),
    ),
  }),
  { id: 'OpenUrlMenu' },
);

const kevQuery = doc(
  z.catchall(z.object({ url_ver: z.optional(z.string().check(z.maxLength(32))) }), z.string()),
  { description: 'OpenURL 1.0 KEV (rft.*, rft_id) or 0.1 (sid, id, isbn, issn, title, atitle)' },
);

const resolverResponses = {
  302: {
    description: 'Exactly one title: to its page on the reader’s site',
    headers: z.object({ Location: doc(z.string(), { description: 'Absolute URL of the title page' }) }),
  },
  200: {
    description: 'Several titles: a menu',
    content: { 'application/json': { schema: MenuSchema }, 'text/html': { schema: z.string() } },
  },
  400: problemContent('Not an OpenURL 1.0 or 0.1 request, or nothing to look for', ['VALIDATION_FAILED']),
  404: problemContent('NO_MATCH, with what was looked for', ['NO_MATCH']),
};

const openUrlRoute = createRoute({
  method: 'get',
  path: '/openurl',
  operationId: 'resolveOpenUrl',
  tags: ['OpenURL'],
  security: [],
  summary: 'OpenURL resolver (1.0 KEV: rft_id=info:doi/…, rft.isbn, …; 0.1: id=doi:…, id=pmid:…, isbn, …)',
  request: { query: kevQuery },
  responses: resolverResponses,
});

const openUrlPostRoute = createRoute({
  method: 'post',
  path: '/openurl',
  operationId: 'resolveOpenUrlForm',
  tags: ['OpenURL'],
  security: [],
  summary: 'OpenURL resolver, the KEV in a form body (OpenURL 1.0 by-value POST)',
  request: {
    body: { content: { 'application/x-www-form-urlencoded': { schema: kevQuery } }, required: true },
  },
  responses: {
    ...resolverResponses,
    415: problemContent('The body is not a form', ['UNSUPPORTED_MEDIA_TYPE']),
  },
});

/** The catalogue to resolve against: the titles of the in-memory catalogue index (active titles). */
async function catalogue(deps: AppDeps): Promise<readonly Title[]> {
  return (await deps.catalogue.current()).titles();
}

/**
 * The reader's site: WEB_ORIGIN on AWS (never `*` there). Locally (`*`) the gateway serves the reader itself,
 * on the origin the request came to.
 */
function readerOrigin(config: Config, requestUrl: string): string {
  const configured = config.WEB_ORIGIN?.trim();
  if (configured && configured !== '*') {
    try {
      return new URL(configured).origin;
    } catch {
      // Not a URL: fall through to the local gateway's own origin.
    }
  }
  return new URL(requestUrl).origin;
}

function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const htmlAt = accept.indexOf('text/html');
  const jsonAt = accept.indexOf('application/json');
  return htmlAt >= 0 && (jsonAt < 0 || htmlAt < jsonAt);
}

const menuTexts = {
  id: { heading: 'Beberapa judul cocok', lead: 'Pilih judul yang Anda cari:', by: 'oleh' },
  en: { heading: 'Several titles match', lead: 'Choose the title you are looking for:', by: 'by' },
} as const;

/** Indonesian or English, whichever the browser ranks first (English when it names neither). */
function menuLanguage(acceptLanguage: string | undefined): keyof typeof menuTexts {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(/q=([\d.]+)/.exec(params.join(';'))?.[1] ?? 1);
      return { lang: tag.trim().toLowerCase().split('-')[0], q, i };
    })
    .filter((e) => e.lang === 'id' || e.lang === 'en')
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.lang === 'id' ? 'id' : 'en';
}

async function resolve(c: Context<AppEnv>, params: [string, string][]) {
  const deps = c.get('deps');
  const query = parseOpenUrl(params);
  const matches = resolveOpenUrl(query, await catalogue(deps));
  if (matches.length === 0) throw new NoOpenUrlMatch(describeQuery(query));
  const origin = readerOrigin(deps.config, c.req.url);
  const readerPage = (id: string) => `${origin}/#/titles/${encodeURIComponent(id)}`;
  if (matches.length === 1) return c.redirect(readerPage(matches[0]!.id), 302);
  const menu = matches.map((t) => ({
    id: t.id,
    title: t.title,
    authors: t.authors,
    href: readerPage(t.id),
  }));
  if (prefersHtml(c.req.header('Accept'))) {
    const lang = menuLanguage(c.req.header('Accept-Language'));
    const text = menuTexts[lang];
    c.header('Content-Language', lang);
    c.header('Vary', 'Accept, Accept-Language');
    return c.html(
      html`<!doctype html>
        <html lang="${lang}">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${text.heading}</title>
          </head>
          <body>
            <main>
              <h1>${text.heading}</h1>
              <p>${text.lead}</p>
              <ul>
                ${menu.map(
                  (m) =>
                    html`<li>
                      <a href="${m.href}">${m.title}</a>${
                        m.authors.length ? html` — ${text.by} ${m.authors.join(', ')}` : ''
                      }
                    </li>`,
                )}
              </ul>
            </main>
          </body>
        </html>`,
      200,
    ) as never;
  }
  c.header('Vary', 'Accept');
  return c.json({ matches: menu }, 200);
}

export function openUrlRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(openUrlRoute, (c) => resolve(c, [...new URL(c.req.url).searchParams.entries()]));
  app.openapi(openUrlPostRoute, async (c) => {
    // The query string may carry part of the context too (url_ver, a referrer); the body adds the rest.
    const body = new URLSearchParams(await c.req.text());
    return resolve(c, [...new URL(c.req.url).searchParams.entries(), ...body.entries()]);
  });
}
