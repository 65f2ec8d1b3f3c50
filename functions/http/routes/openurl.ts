import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';
import { NotFoundError } from '../../domain/errors';
import { describeQuery, parseOpenUrl, resolveOpenUrl } from '../../domain/openurl';
import type { Title } from '../../domain/title';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /openurl`: OpenURL 1.0 (Z39.88-2004, KEV) link resolver. One match → 302 to the title's page in the
 * reader (`/#/titles/<id>`); several → a menu (JSON, or HTML when the browser prefers it); none → 404 naming
 * what was looked for.
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

const MenuSchema = z
  .object({
    matches: z.array(
      z.object({ id: z.string(), title: z.string(), authors: z.array(z.string()), href: z.string() }),
    ),
  })
  .openapi('OpenUrlMenu');

const openUrlRoute = createRoute({
  method: 'get',
  path: '/openurl',
  summary: 'OpenURL 1.0 KEV resolver (rft_id=info:doi/…, rft.isbn, rft.issn, rft.btitle/jtitle/atitle)',
  request: { query: z.object({ url_ver: z.string().max(32).optional() }).passthrough() },
  responses: {
    302: { description: 'Exactly one title: to its page in the reader' },
    200: {
      description: 'Several titles: a menu',
      content: { 'application/json': { schema: MenuSchema }, 'text/html': { schema: z.string() } },
    },
    400: problemContent('Not an OpenURL 1.0 request, or nothing to look for'),
    404: problemContent('NO_MATCH, with what was looked for', ['NO_MATCH']),
  },
});

/** The catalogue to resolve against: the titles of the in-memory catalogue index (active titles). */
async function catalogue(deps: AppDeps): Promise<readonly Title[]> {
  return (await deps.catalogue.current()).titles();
}

const readerPage = (id: string) => `/#/titles/${encodeURIComponent(id)}`;

function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const htmlAt = accept.indexOf('text/html');
  const jsonAt = accept.indexOf('application/json');
  return htmlAt >= 0 && (jsonAt < 0 || htmlAt < jsonAt);
}

export function openUrlRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(openUrlRoute, async (c) => {
    const query = parseOpenUrl([...new URL(c.req.url).searchParams.entries()]);
    const matches = resolveOpenUrl(query, await catalogue(c.get('deps')));
    if (matches.length === 0) throw new NoOpenUrlMatch(describeQuery(query));
    if (matches.length === 1) return c.redirect(readerPage(matches[0]!.id), 302);
    const menu = matches.map((t) => ({
      id: t.id,
      title: t.title,
      authors: t.authors,
      href: readerPage(t.id),
    }));
    if (prefersHtml(c.req.header('Accept'))) {
      return c.html(
        html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <title>Several titles match</title>
            </head>
            <body>
              <h1>Several titles match</h1>
              <ul>
                ${menu.map((m) => html`<li><a href="${m.href}">${m.title}</a> — ${m.authors.join(', ')}</li>`)}
              </ul>
            </body>
          </html>`,
        200,
      ) as never;
    }
    return c.json({ matches: menu }, 200);
  });
}
