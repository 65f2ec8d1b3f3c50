import { titleOf, type ProblemCode } from '../domain/problem-codes';

/**
 * What every operation of this app shares, added to the generated OpenAPI document so each route does not have
 * to repeat it (and a new route gets it for free). Only what the app itself guarantees is added:
 * - 500 INTERNAL_ERROR and 503 SERVICE_UNAVAILABLE (with Retry-After): app.onError and the request deadline
 *   answer them on any path; 414 URI_TOO_LONG and 431 HEADERS_TOO_LARGE: the edge refuses such requests
 *   before any route sees them (functions/local/http-server.ts; API Gateway on AWS);
 * - 413 BODY_TOO_LARGE and 415 UNSUPPORTED_MEDIA_TYPE on operations with a body: the body limit and the
 *   body validator apply to every one;
 * - 401 UNAUTHORIZED/INVALID_TOKEN and 403 FORBIDDEN, with bearer security, on /admin: the librarian guard
 *   in app.ts covers the whole prefix;
 * - an operationId where a route gives none (method and path: `GET /titles/{id}` → `getTitlesById`), and
 *   `security` derived from what the route documents (a 401 response: bearer; none: public, `[]`).
 * What a route declares itself always wins.
 */

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, Json>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
};

function problemResponse(description: string, codes: readonly ProblemCode[], headers?: Json): Json {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } },
          ],
        },
      },
    },
  };
}

const describe = (codes: readonly ProblemCode[]) => codes.map((c) => `${c} (${titleOf(c)})`).join('; ');

function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      const param = /^\{(.+)\}$/.exec(part);
      const word = (param ? `by-${param[1]}` : part).replace(/[^A-Za-z0-9]+/g, '-');
      return word
        .split('-')
        .filter(Boolean)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('');
    });
  return `${method}${words.join('') || 'Root'}`;
}

export function completeContract<D extends object>(document: D): D {
  const paths = ((document as Json).paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses;
      const add = (status: string, codes: readonly ProblemCode[], headers?: Json) => {
        responses[status] ??= problemResponse(describe(codes), codes, headers);
      };
      operation.operationId ??= operationIdOf(method, path);
      const admin = path === '/admin' || path.startsWith('/admin/');
      if (admin) {
        operation.security ??= [{ bearer: [] }];
        add('401', ['UNAUTHORIZED', 'INVALID_TOKEN']);
        add('403', ['FORBIDDEN', 'ACCOUNT_BLOCKED']);
      }
      operation.security ??= responses['401'] ? [{ bearer: [] }] : [];
      if (operation.requestBody) {
        add('413', ['BODY_TOO_LARGE']);
        add('415', ['UNSUPPORTED_MEDIA_TYPE']);
      }
      add('414', ['URI_TOO_LONG']);
      add('431', ['HEADERS_TOO_LARGE']);
      add('500', ['INTERNAL_ERROR']);
      add('503', ['SERVICE_UNAVAILABLE'], retryAfter);
    }
  }
  return document;
}
