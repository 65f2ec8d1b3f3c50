import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ProblemCode } from '../domain/problem-codes';

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

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

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
    type: `https://pustaka.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[status] ?? 'Error',
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
