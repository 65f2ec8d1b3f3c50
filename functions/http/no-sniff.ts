import type { MiddlewareHandler } from 'hono';

/**
 * `X-Content-Type-Options: nosniff` on every answer the API gives: JSON, problems, redirects, feeds, the
 * OpenAPI document, 404s and errors raised by earlier middleware (registered first, it sees the final response,
 * whatever produced it). Without it a browser may sniff a JSON body that echoes user text as HTML or script.
 * Hono's secureHeaders() is not used: its other defaults (Cross-Origin-Resource-Policy: same-origin among them)
 * would change what the reader, served from another origin on AWS, may load.
 */
export function noSniff(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  };
}
