import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { problemTypeOf, titleOf, type ProblemCode } from '../domain/problem-codes';

/** RFC 9457 problem details. `code` is the stable machine-readable reason clients switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json';

/**
 * The problem document itself, without a Hono context: the local gateway's HTTP server answers some requests
 * (an over-long head, a request line Node cannot parse) before any Hono app sees them.
 */
export function problemDocument(
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    // A page of this API explaining the code (routes/problems.ts); relative, so it resolves on the API's own
    // origin whatever host name the API is reached by.
    type: problemTypeOf(code),
    title: titleOf(code),
    status,
    detail,
    code,
    ...extensions,
  };
}

export function problemBody(
  c: Context,
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return problemDocument(status, code, detail, {
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...extensions,
  });
}

export function problemResponse(
  c: Context,
  status: number,
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return c.body(
    JSON.stringify(problemBody(c, status, code, detail, extensions)),
    status as ContentfulStatusCode,
    {
      'Content-Type': problemContentType,
      ...headers,
    },
  );
}
