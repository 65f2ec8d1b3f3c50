import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { html } from 'hono/html';
import { NotFoundError } from '../../domain/errors';
import { codeOfProblemSlug, statusesOf, titleOf } from '../../domain/problem-codes';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * `GET /problems/{code}`: the page every problem's `type` points at, one per registered code, in Indonesian and
 * English. Generated from the registry (functions/domain/problem-codes.ts: status and title) and the reader's
 * messages for the code (web/src/i18n: what a patron is told, copied into problem-messages.json by
 * `npm run contract`), so a new code has its page as soon as it exists.
 */

const problemPageRoute = createRoute({
  method: 'get',
  path: '/problems/{code}',
  operationId: 'getProblemType',
  tags: ['Problems'],
  security: [],
  summary: 'What a problem `type` means: the page of one problem code (Indonesian and English)',
  request: {
    params: z.object({
      code: doc(z.string().check(z.maxLength(64)), {
        description: 'The code in lower case with hyphens, e.g. `no-match`',
        example: 'no-match',
      }),
    }),
  },
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
    404: problemContent('No such problem code', ['ROUTE_NOT_FOUND']),
  },
});

export function problemRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(problemPageRoute, async (c) => {
    const code = codeOfProblemSlug(c.req.valid('param').code);
    if (!code)
      throw new NotFoundError({ code: 'ROUTE_NOT_FOUND', detail: 'There is no problem code of that name.' });
    const statuses = statusesOf(code).join(', ');
    const messages = await c.get('deps').problemMessages();
    const indonesian = messages[code]?.id;
    const english = messages[code]?.en;
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('Content-Language', 'id, en');
    return c.html(
      html`<!doctype html>
        <html lang="id">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${code} — Pustaka</title>
          </head>
          <body>
            <main>
              <h1><code>${code}</code></h1>
              <section lang="id">
                <h2>Bahasa Indonesia</h2>
                ${indonesian ? html`<p>${indonesian}</p>` : ''}
                <p>
                  Status HTTP: ${statuses}. Klien sebaiknya memilih tindakan berdasarkan <code>code</code>.
                </p>
              </section>
              <section lang="en">
                <h2>English</h2>
                <p><strong>${titleOf(code)}.</strong> ${english ?? ''}</p>
                <p>HTTP status: ${statuses}. Clients should act on the <code>code</code>.</p>
              </section>
            </main>
          </body>
        </html>`,
      200,
    ) as never;
  });
}
